package d1

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/flarego/flarego/d1/internal/sqltext"
	"github.com/flarego/flarego/internal/deferred"
	"github.com/flarego/flarego/worker"
)

// Database is a D1 binding: the platform's D1Database. It is safe for concurrent use. The
// zero value is not usable; New or a driver package's opener (d1sqlite.OpenDatabase) makes
// one.
type Database struct {
	drv Driver
	// later, when not nil, is drv still opening (NewDeferred): uses wait for it.
	later  *deferred.Value[Driver]
	closed atomic.Bool
}

// New returns the binding over drv.
func New(drv Driver) *Database { return &Database{drv: drv} }

// NewDeferred returns the binding at once and runs open in the background: the runner
// serves while a database's file opens. Queries wait for open to finish; if it failed, they
// return its error.
func NewDeferred(open func() (Driver, error)) *Database {
	return &Database{later: deferred.Start(open)}
}

// Driver returns the database's driver, for its optional interfaces. It waits for a
// deferred open, and is nil when that failed.
func (db *Database) Driver() Driver {
	d, _ := db.opened()
	return d
}

// opened returns the driver, waiting for a deferred open.
func (db *Database) opened() (Driver, error) {
	if db.later == nil {
		return db.drv, nil
	}
	return db.later.Get()
}

// Prepare returns a statement for query (D1-001). Nothing runs until First, FirstColumn, All,
// Run, Raw or Batch; a query with several statements runs them all and returns the last
// one's result (D1-019).
func (db *Database) Prepare(query string) *Statement {
	return &Statement{db: db, sql: query}
}

// Batch runs stmts in order in one transaction and returns one result per statement, in
// order (D1-021). If any fails, none of them takes effect and the error is the failing
// statement's D1_ERROR (D1-022). An empty batch is D1_ERROR: No SQL statements detected.
func (db *Database) Batch(ctx context.Context, stmts ...*Statement) ([]*Result, error) {
	return db.batch(ctx, nil, stmts)
}

// Exec runs query without parameters, one line at a time: the text is split on newlines and
// each non-empty line runs as a query, all in one transaction (D1-023). A failing line stops
// it and undoes the earlier ones, with the error
// "D1_EXEC_ERROR: Error in line <n>: <line>: <message>" (D1-024). A statement spanning
// several lines therefore fails, as it does on the platform: use Batch, or Execute for
// whole SQL files.
func (db *Database) Exec(ctx context.Context, query string) (*ExecResult, error) {
	if err := worker.Subrequest(ctx); err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(query), "\n")
	var qs []Query
	var lineOf []int
	for i, l := range lines {
		if sqltext.IsEmpty(l) {
			continue
		}
		qs = append(qs, Query{SQL: l})
		lineOf = append(lineOf, i)
	}
	if len(qs) == 0 {
		return nil, execError(1, lines[0], ErrNoStatements)
	}
	rows, err := db.driver().Batch(ctx, qs)
	if err != nil {
		if se, ok := err.(*StatementError); ok && se.Index < len(lineOf) {
			n := lineOf[se.Index]
			return nil, execError(n+1, lines[n], se.Err)
		}
		return nil, d1Error(err)
	}
	res := &ExecResult{Count: len(rows)}
	for _, r := range rows {
		res.Duration += r.Meta.Duration
	}
	return res, nil
}

func execError(line int, text string, err error) error {
	return &Error{Code: CodeExecError, Message: fmt.Sprintf("Error in line %d: %s: %s", line, text, err.Error()), Err: err}
}

// WithSession starts a Sessions API session (D1-033): "first-primary",
// "first-unconstrained" (also what "" means) or a bookmark from an earlier session, which
// the session's first query is at least as fresh as.
func (db *Database) WithSession(constraintOrBookmark string) *Session {
	return newSession(db, constraintOrBookmark)
}

// SQL returns a *sql.DB over the same database, for sqlc, sqlx and other database/sql code.
// The Database owns it: do not close it. Queries through it are not D1 queries: they count
// no subrequests and have SQLite's own limits, though the reserved _cf_ tables stay out of
// reach.
func (db *Database) SQL() (*sql.DB, error) {
	if db.closed.Load() {
		return nil, ErrClosed
	}
	drv, err := db.opened()
	if err != nil {
		return nil, err
	}
	o, ok := drv.(SQLOpener)
	if !ok {
		return nil, fmt.Errorf("d1: driver %T cannot open a *sql.DB", drv)
	}
	return o.SQL()
}

// Close closes the database and its driver. Calls after Close fail with ErrClosed.
func (db *Database) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	drv, err := db.opened()
	if err != nil {
		return nil // nothing was opened
	}
	return drv.Close()
}

// driver returns the driver, or a closed stand-in after Close or a failed deferred open.
func (db *Database) driver() Driver {
	if db.closed.Load() {
		return closedDriver{}
	}
	drv, err := db.opened()
	if err != nil {
		return closedDriver{err: err}
	}
	return drv
}

func (db *Database) batch(ctx context.Context, sess *Session, stmts []*Statement) ([]*Result, error) {
	if err := worker.Subrequest(ctx); err != nil {
		return nil, err
	}
	if sess != nil {
		if err := sess.check(); err != nil {
			return nil, err
		}
	}
	qs := make([]Query, len(stmts))
	for i, s := range stmts {
		if s.err != nil {
			return nil, s.err
		}
		qs[i] = Query{SQL: s.sql, Args: s.args}
	}
	if len(qs) == 0 {
		return nil, d1Error(ErrNoStatements)
	}
	rows, err := db.driver().Batch(ctx, qs)
	if err != nil {
		return nil, d1Error(err)
	}
	if sess != nil {
		if err := sess.observe(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]*Result, len(rows))
	for i, r := range rows {
		finishMeta(&r.Meta)
		out[i] = newResult(r)
	}
	return out, nil
}

// finishMeta fills the meta fields that are the same for every local query.
func finishMeta(m *Meta) {
	m.ServedBy = ServedBy
	m.ServedByPrimary = true
	m.TotalAttempts = 1
	m.Timings.SQLDurationMs = m.Duration
}

type closedDriver struct {
	err error // the failed deferred open; nil after Close
}

func (c closedDriver) reason() error {
	if c.err != nil {
		return c.err
	}
	return ErrClosed
}

func (c closedDriver) Query(context.Context, Query) (*Rows, error)     { return nil, c.reason() }
func (c closedDriver) Batch(context.Context, []Query) ([]*Rows, error) { return nil, c.reason() }
func (c closedDriver) Bookmark(context.Context) (string, error)        { return "", c.reason() }
func (closedDriver) Close() error                                      { return nil }
