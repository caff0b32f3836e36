package d1test

import (
	"errors"
	"testing"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/stretchr/testify/require"
)

func timeTravel(t *testing.T, db *d1.Database) {
	t.Helper()
	if _, err := db.BookmarkAt(ctx, time.Now()); errors.Is(err, d1.ErrTimeTravelUnsupported) {
		t.Skip("driver keeps no history")
	}
}

func init() {
	add("D1-039/RestoreToBookmark", func(t *testing.T, db *d1.Database) {
		timeTravel(t, db)
		seed(t, db)
		_, err := d1.Execute(ctx, db, awkward)
		require.NoError(t, err)
		before := contents(t, db)
		mark, err := db.CurrentBookmark(ctx)
		require.NoError(t, err)

		// Change data and schema after the bookmark.
		_, err = d1.Execute(ctx, db, `UPDATE colours SET name = upper(name);
DELETE FROM palettes;
DROP TABLE "my table";
CREATE TABLE later (x);
INSERT INTO later VALUES (1), (2);
INSERT INTO typed (i) VALUES (100);`)
		require.NoError(t, err)
		after := contents(t, db)
		require.NotEqual(t, before, after)

		undo, err := db.Restore(ctx, mark)
		require.NoError(t, err)
		require.Equal(t, before, contents(t, db))

		// Writes go on after a restore, and the undo bookmark brings back the later state.
		_, err = db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (10, 'new', 0)").Run(ctx)
		require.NoError(t, err)
		restored, err := db.Restore(ctx, undo)
		require.NoError(t, err)
		require.Equal(t, after, contents(t, db))
		// A restore of a restore: back to the state with the write made after the first.
		_, err = db.Restore(ctx, restored)
		require.NoError(t, err)
		name, err := db.Prepare("SELECT name FROM colours WHERE id = 10").FirstColumn(ctx, "name")
		require.NoError(t, err)
		require.Equal(t, "new", name)
		// Older bookmarks stay valid.
		_, err = db.Restore(ctx, mark)
		require.NoError(t, err)
		require.Equal(t, before, contents(t, db))

		_, err = db.Restore(ctx, "00000000-00000000-00000001-00000000000000000000000000000000")
		require.ErrorIs(t, err, d1.ErrInvalidBookmark)
		_, err = db.Restore(ctx, "first-primary")
		require.ErrorIs(t, err, d1.ErrInvalidBookmark)
	})

	add("D1-036/BookmarkForATime", func(t *testing.T, db *d1.Database) {
		timeTravel(t, db)
		seed(t, db)
		at := time.Now()
		b1, err := db.BookmarkAt(ctx, at)
		require.NoError(t, err)
		cur, err := db.CurrentBookmark(ctx)
		require.NoError(t, err)
		require.Equal(t, cur, b1)
		_, err = db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (4, 'y', 0)").Run(ctx)
		require.NoError(t, err)
		b2, err := db.BookmarkAt(ctx, at)
		require.NoError(t, err)
		require.Equal(t, b1, b2, "the same time maps to the same bookmark")
		_, err = db.BookmarkAt(ctx, at.Add(-24*time.Hour))
		require.ErrorIs(t, err, d1.ErrOutsideRetention)

		undo, err := db.RestoreAt(ctx, at)
		require.NoError(t, err)
		n, err := db.Prepare("SELECT count(*) AS n FROM colours").FirstColumn(ctx, "n")
		require.NoError(t, err)
		require.Equal(t, int64(3), n)
		_, err = db.Restore(ctx, undo)
		require.NoError(t, err)
		n, err = db.Prepare("SELECT count(*) AS n FROM colours").FirstColumn(ctx, "n")
		require.NoError(t, err)
		require.Equal(t, int64(4), n)
	})
}
