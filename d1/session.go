package d1

import (
	"context"
	"strings"
	"sync"

	"github.com/flarego/flarego/d1/internal/bookmark"
)

// Session constraints (D1-033).
const (
	// FirstPrimary sends a session's first query to the primary.
	FirstPrimary = "first-primary"
	// FirstUnconstrained lets a session's first query go to any replica; the default.
	FirstUnconstrained = "first-unconstrained"
)

// Session is a Sessions API session (D1-033…D1-038): queries through it are sequentially
// consistent, and Bookmark carries that consistency to a later session. A local database is
// its own only copy, so every query sees the newest data; what a session adds locally is its
// bookmark. It offers Prepare and Batch, not Exec (D1-034). Safe for concurrent use.
type Session struct {
	db  *Database
	mu  sync.Mutex
	cur string // the newest bookmark seen, or "" (null)
	err error  // the argument was neither a constraint nor a bookmark
}

func newSession(db *Database, arg string) *Session {
	s := &Session{db: db}
	arg = strings.TrimSpace(arg)
	switch arg {
	case "", FirstPrimary, FirstUnconstrained:
	default:
		s.cur = arg
		if !bookmark.Valid(arg) {
			s.err = &Error{Code: CodeSessionError, Message: "invalid bookmark or constraint: " + arg, Err: ErrInvalidBookmark}
		}
	}
	return s
}

// Prepare returns a statement that runs in this session.
func (s *Session) Prepare(query string) *Statement {
	return &Statement{db: s.db, sess: s, sql: query}
}

// Batch is Database.Batch in this session.
func (s *Session) Batch(ctx context.Context, stmts ...*Statement) ([]*Result, error) {
	return s.db.batch(ctx, s, stmts)
}

// Bookmark returns the newest bookmark the session has seen: "" (the platform's null)
// until a query has run in a session started from a constraint, else the bookmark it was
// started from or a newer one (D1-034). Bookmarks only move forward (D1-035).
func (s *Session) Bookmark() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

func (s *Session) check() error { return s.err }

// observe records the bookmark of the state a query just ran against.
func (s *Session) observe(ctx context.Context) error {
	b, err := s.db.driver().Bookmark(ctx)
	if err != nil {
		return d1Error(err)
	}
	s.mu.Lock()
	if b > s.cur {
		s.cur = b
	}
	s.mu.Unlock()
	return nil
}
