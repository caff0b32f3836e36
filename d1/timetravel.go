package d1

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Time Travel is a CLI and REST feature on the platform, with no binding API (D1-040); these
// methods are what local tooling calls for "d1 time-travel info|restore". They count no
// subrequests.

// CurrentBookmark returns the bookmark of the database's current state.
func (db *Database) CurrentBookmark(ctx context.Context) (string, error) {
	b, err := db.driver().Bookmark(ctx)
	if err != nil {
		return "", d1Error(err)
	}
	return b, nil
}

// BookmarkAt returns the bookmark of the state the database was in at t: the same bookmark
// for the same t, every time (D1-036). ErrTimeTravelUnsupported when the driver keeps no
// history, ErrOutsideRetention when t is older than the history kept.
func (db *Database) BookmarkAt(ctx context.Context, t time.Time) (string, error) {
	tt, err := db.timeTraveler()
	if err != nil {
		return "", err
	}
	b, err := tt.BookmarkAt(ctx, t)
	if err != nil {
		return "", d1Error(err)
	}
	return b, nil
}

// Restore brings the database back to exactly the state of bookmark, in place, and returns
// the bookmark of the state just before (restoring it undoes the restore). Bookmarks from
// before and after the restore stay valid (D1-039).
func (db *Database) Restore(ctx context.Context, bookmark string) (undo string, err error) {
	tt, err := db.timeTraveler()
	if err != nil {
		return "", err
	}
	undo, err = tt.Restore(ctx, strings.TrimSpace(bookmark))
	if err != nil {
		return "", d1Error(err)
	}
	return undo, nil
}

// RestoreAt is Restore to the state at t (BookmarkAt then Restore).
func (db *Database) RestoreAt(ctx context.Context, t time.Time) (undo string, err error) {
	b, err := db.BookmarkAt(ctx, t)
	if err != nil {
		return "", err
	}
	return db.Restore(ctx, b)
}

func (db *Database) timeTraveler() (TimeTraveler, error) {
	if db.closed.Load() {
		return nil, d1Error(ErrClosed)
	}
	drv, err := db.opened()
	if err != nil {
		return nil, d1Error(err)
	}
	tt, ok := drv.(TimeTraveler)
	if !ok {
		return nil, d1Error(ErrTimeTravelUnsupported)
	}
	return tt, nil
}

// ParseTimestamp reads a --timestamp value as the platform's CLI does: Unix seconds, or an
// RFC 3339 date-time.
func ParseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("d1: invalid timestamp %q: want Unix seconds or RFC 3339", s)
}
