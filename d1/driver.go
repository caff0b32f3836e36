package d1

import (
	"context"
	"database/sql"
	"time"
)

// Driver is the storage under a Database: a SQLite database that runs queries. Package
// d1sqlite is the embedded driver (one SQLite file per database, or memory).
//
// Values in Query.Args and Rows.Values are nil, int64, float64, string or []byte: the binding
// converts arguments before a driver sees them and hands results to users as they come.
// A driver reports a failing statement as an error whose text is the platform's message
// (for SQLite errors, a *SQLiteError); Database adds the "D1_ERROR: " prefix.
type Driver interface {
	// Query runs q as one transaction of its own. A text of several statements runs them
	// all and returns the last one's rows; only the last may have parameters.
	Query(ctx context.Context, q Query) (*Rows, error)
	// Batch runs qs in order in one transaction: all of them commit, or, on the first
	// failure, none do and the error is a *StatementError naming the failing query.
	Batch(ctx context.Context, qs []Query) ([]*Rows, error)
	// Bookmark returns the bookmark of the newest committed state, in the platform's format
	// (D1-036). It covers every write that returned before the call.
	Bookmark(ctx context.Context) (string, error)
	// Close releases the database. Calls after Close fail with ErrClosed.
	Close() error
}

// TimeTraveler is a Driver that keeps its history and can bring the database back to an
// earlier state (the platform's Time Travel, D1-039).
type TimeTraveler interface {
	// BookmarkAt returns the bookmark of the state the database was in at t: that of the
	// last commit at or before t. ErrOutsideRetention when t is older than the history kept.
	BookmarkAt(ctx context.Context, t time.Time) (string, error)
	// Restore brings the database back to exactly the state of bookmark and returns the
	// bookmark of the state just before the restore (to undo it).
	Restore(ctx context.Context, bookmark string) (undo string, err error)
}

// SQLOpener is a Driver that can hand out a *sql.DB over the same data (Database.SQL).
type SQLOpener interface {
	// SQL returns a *sql.DB over the database. The driver owns and closes it.
	SQL() (*sql.DB, error)
}

// Query is one query sent to a Driver: SQL text and its arguments, already converted.
type Query struct {
	SQL  string
	Args []any
}

// Rows is what a query returned: column names (duplicates kept, in order), the rows as
// values in column order, and the platform's meta.
type Rows struct {
	Columns []string
	Values  [][]any
	Meta    Meta
}

// StatementError reports which query of a Batch failed; Err is that query's error.
type StatementError struct {
	// Index is the position of the failing query in the batch, from 0.
	Index int
	Err   error
}

// Error is the failing query's error text.
func (e *StatementError) Error() string { return e.Err.Error() }

// Unwrap returns the failing query's error.
func (e *StatementError) Unwrap() error { return e.Err }
