package d1

import (
	"context"
	"fmt"
	"slices"

	"github.com/flarego/flarego/worker"
)

// Statement is a prepared statement: the platform's D1PreparedStatement. It is immutable:
// Bind returns a new one, so one statement can be bound many times, even concurrently
// (D1-002). The zero value is not usable; Database.Prepare and Session.Prepare make one.
type Statement struct {
	db   *Database
	sess *Session
	sql  string
	args []any
	err  error
}

// SQL returns the statement's text.
func (s *Statement) SQL() string { return s.sql }

// Bind returns a copy of s with values as its parameters, in order: the first value is ?1
// (or the first ?). Values are converted as the platform converts them (D1-003): strings
// and numbers pass through (Go keeps integers and floats apart), bools become 1 and 0, nil
// is NULL, []byte (and arrays of integers 0–255) are BLOBs; pointers are followed and
// driver.Valuer values (sql.NullString…) are asked for theirs. Other values (maps, structs,
// functions, integers beyond int64, time.Time) make every later call on the statement fail
// with D1_TYPE_ERROR (D1-004): Bind itself does not fail, so calls chain.
func (s *Statement) Bind(values ...any) *Statement {
	n := &Statement{db: s.db, sess: s.sess, sql: s.sql, args: make([]any, len(values))}
	for i, v := range values {
		dv, err := bindValue(v)
		if err != nil {
			n.err = err
			n.args = nil
			break
		}
		n.args[i] = dv
	}
	return n
}

// First runs the statement and returns its first row as a map of column name to value, or
// nil when it returns no rows (D1-006). The SQL is run as written, with no LIMIT added; a
// write runs and returns nil (D1-008).
func (s *Statement) First(ctx context.Context) (map[string]any, error) {
	r, err := s.query(ctx)
	if err != nil || len(r.Values) == 0 {
		return nil, err
	}
	m := make(map[string]any, len(r.Columns))
	for j, c := range r.Columns {
		m[c] = r.Values[0][j]
	}
	return m, nil
}

// FirstColumn runs the statement and returns column's value in the first row, or nil when
// there are no rows; when there are rows but no such column it fails with
// "D1_COLUMN_NOTFOUND: Column not found (<column>)" (D1-007).
func (s *Statement) FirstColumn(ctx context.Context, column string) (any, error) {
	r, err := s.query(ctx)
	if err != nil || len(r.Values) == 0 {
		return nil, err
	}
	// The last column of that name wins, as in the row objects.
	for j := len(r.Columns) - 1; j >= 0; j-- {
		if r.Columns[j] == column {
			return r.Values[0][j], nil
		}
	}
	return nil, &Error{Code: CodeColumnNotFound, Message: fmt.Sprintf("Column not found (%s)", column)}
}

// All runs the statement and returns every row and the meta (D1-009). A write without
// RETURNING has no rows; with RETURNING its rows are the results (D1-010).
func (s *Statement) All(ctx context.Context) (*Result, error) {
	r, err := s.query(ctx)
	if err != nil {
		return nil, err
	}
	return newResult(r), nil
}

// Run is All: the platform made run an alias of all (D1-009).
func (s *Statement) Run(ctx context.Context) (*Result, error) { return s.All(ctx) }

// Raw runs the statement and returns its rows as arrays of values in column order, keeping
// columns of the same name (D1-012). With ColumnNames the first row holds the column names
// (as strings), even when no rows follow. A write without RETURNING returns no rows
// (D1-013).
func (s *Statement) Raw(ctx context.Context, opts ...RawOptions) ([][]any, error) {
	r, err := s.query(ctx)
	if err != nil {
		return nil, err
	}
	var o RawOptions
	for _, x := range opts {
		o.ColumnNames = o.ColumnNames || x.ColumnNames
	}
	if !o.ColumnNames {
		if r.Values == nil {
			return [][]any{}, nil
		}
		return r.Values, nil
	}
	head := make([]any, len(r.Columns))
	for i, c := range r.Columns {
		head[i] = c
	}
	return slices.Insert(r.Values, 0, head), nil
}

// query runs the statement through the driver: one subrequest, the bind error if any, and
// the session's bookmark bookkeeping.
func (s *Statement) query(ctx context.Context) (*Rows, error) {
	if err := worker.Subrequest(ctx); err != nil {
		return nil, err
	}
	if s.err != nil {
		return nil, s.err
	}
	if s.sess != nil {
		if err := s.sess.check(); err != nil {
			return nil, err
		}
	}
	r, err := s.db.driver().Query(ctx, Query{SQL: s.sql, Args: s.args})
	if err != nil {
		return nil, d1Error(err)
	}
	if s.sess != nil {
		if err := s.sess.observe(ctx); err != nil {
			return nil, err
		}
	}
	finishMeta(&r.Meta)
	return r, nil
}
