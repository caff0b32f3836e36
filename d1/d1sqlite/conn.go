package d1sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/flarego/flarego/d1"
	msqlite "modernc.org/sqlite"
)

// limits are the platform's SQL limits (D1-027) as sqlite3_limit settings, so that SQLite
// itself refuses what D1 refuses, with its own messages.
var limits = []struct{ id, value int }{
	{0, 2_000_000}, // SQLITE_LIMIT_LENGTH: strings, BLOBs and rows
	{1, 100_000},   // SQLITE_LIMIT_SQL_LENGTH: statement text
	{2, 100},       // SQLITE_LIMIT_COLUMN: columns per table, result columns
	{6, 32},        // SQLITE_LIMIT_FUNCTION_ARG
	{8, 50},        // SQLITE_LIMIT_LIKE_PATTERN_LENGTH
	{9, 100},       // SQLITE_LIMIT_VARIABLE_NUMBER: bound parameters
}

// maxStatement is SQLITE_LIMIT_SQL_LENGTH, checked before SQLite sees a statement.
const maxStatement = 100_000

// sqliteTooBig is SQLITE_TOOBIG.
const sqliteTooBig = 18

// maxCachedStmts bounds each connection's statement cache; past it the cache starts over.
const maxCachedStmts = 256

// conn is a connection the driver holds for its whole life: a *sql.Conn out of a pool, with
// its authorizer, limits and compiled statements. One goroutine uses it at a time.
type conn struct {
	sc   *sql.Conn
	auth *authState
	// handle is the connection's sqlite3*, for interrupt.
	handle uintptr
	run    running
	// user holds statements compiled under the user policy, keyed by text; sys holds the
	// driver's own.
	user map[string]*cachedStmt
	sys  map[string]driver.Stmt
}

type cachedStmt struct {
	ds driver.Stmt
	// write: compiling it met a write (or a transaction statement), so it runs on the writer.
	write bool
	// impure, tables and purity tell whether its results may be cached (purity.go): what
	// the authorizer saw, and the verdict once checked against the schema.
	impure bool
	tables []string
	purity purity
}

// hold takes a connection out of pool for good and sets it up.
func hold(ctx context.Context, pool *sql.DB, pragmas ...string) (*conn, error) {
	sc, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	c := &conn{sc: sc, auth: &authState{}, user: map[string]*cachedStmt{}, sys: map[string]driver.Stmt{}}
	for _, l := range limits {
		if _, err := msqlite.Limit(sc, l.id, l.value); err != nil {
			sc.Close()
			return nil, fmt.Errorf("d1sqlite: set limit %d: %w", l.id, err)
		}
	}
	err = c.raw(func(dc driver.Conn) error {
		c.handle = handleOf(dc)
		ar, ok := dc.(msqlite.AuthorizerRegisterer)
		if !ok {
			return fmt.Errorf("d1sqlite: connection %T has no authorizer", dc)
		}
		if err := ar.RegisterAuthorizer(c.auth.authorize); err != nil {
			return err
		}
		for _, p := range pragmas {
			if err := c.exec(ctx, dc, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		sc.Close()
		return nil, err
	}
	return c, nil
}

// raw runs fn with the driver connection.
func (c *conn) raw(fn func(dc driver.Conn) error) error {
	return c.sc.Raw(func(x any) error { return fn(x.(driver.Conn)) })
}

// close finalizes the cached statements and returns the connection to its pool.
func (c *conn) close() error {
	c.raw(func(driver.Conn) error {
		for _, s := range c.user {
			s.ds.Close()
		}
		for _, s := range c.sys {
			s.Close()
		}
		return nil
	})
	return c.sc.Close()
}

// prepare returns text compiled under the user policy, from the cache when it can.
func (c *conn) prepare(dc driver.Conn, text string) (*cachedStmt, error) {
	if cs, ok := c.user[text]; ok {
		return cs, nil
	}
	if len(text) > maxStatement {
		// SQLite says "string or blob too big" when it is handed a NUL-terminated text;
		// the platform passes the length and SQLite says this.
		return nil, &d1.SQLiteError{Code: sqliteTooBig, Message: "statement too long"}
	}
	c.auth.reset()
	c.auth.user = true
	ds, err := dc.(driver.ConnPrepareContext).PrepareContext(bg, text)
	c.auth.user = false
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{ds: ds, write: c.auth.wrote}
	cs.compiledAs(c.auth)
	if len(c.user) >= maxCachedStmts {
		for k, s := range c.user {
			s.ds.Close()
			delete(c.user, k)
		}
	}
	c.user[text] = cs
	return cs, nil
}

// forget drops text from the cache, after an error that may have left its statement
// unusable.
func (c *conn) forget(text string) {
	if cs, ok := c.user[text]; ok {
		cs.ds.Close()
		delete(c.user, text)
	}
}

// query runs cs and reads all its rows. Statements SQLite compiles again after a schema
// change are compiled under the user policy too, and what the authorizer saw then replaces
// what it saw before (its purity is to be checked again). When ctx ends, or the statement
// runs past the query timeout, the watchdog interrupts it and the error says why.
func (c *conn) query(ctx context.Context, cs *cachedStmt, args []driver.NamedValue) ([]string, [][]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	c.auth.reset()
	c.auth.user = true
	c.begin(ctx)
	cols, vals, err := c.read(cs, args)
	cause := c.end()
	c.auth.user = false
	if c.auth.compiled {
		cs.compiledAs(c.auth)
	}
	if cause != nil {
		return nil, nil, cause
	}
	return cols, vals, err
}

func (c *conn) read(cs *cachedStmt, args []driver.NamedValue) ([]string, [][]any, error) {
	rs, err := cs.ds.(driver.StmtQueryContext).QueryContext(bg, args)
	if err != nil {
		return nil, nil, err
	}
	clearDecltypes(rs)
	cols := rs.Columns()
	var vals [][]any
	for {
		row := make([]driver.Value, len(cols))
		if err := rs.Next(row); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			rs.Close()
			return nil, nil, err
		}
		for i, v := range row {
			if b, ok := v.([]byte); ok && b == nil {
				row[i] = []byte{} // an empty BLOB, not NULL
			}
		}
		vals = append(vals, values(row))
	}
	if err := rs.Close(); err != nil {
		return nil, nil, err
	}
	return cols, vals, nil
}

// sysStmt returns one of the driver's own statements, compiled without the user policy.
func (c *conn) sysStmt(ctx context.Context, dc driver.Conn, text string) (driver.Stmt, error) {
	if s, ok := c.sys[text]; ok {
		return s, nil
	}
	s, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.sys[text] = s
	return s, nil
}

// exec runs one of the driver's own statements.
func (c *conn) exec(ctx context.Context, dc driver.Conn, text string) error {
	s, err := c.sysStmt(ctx, dc, text)
	if err != nil {
		return err
	}
	_, err = s.(driver.StmtExecContext).ExecContext(ctx, nil)
	return err
}

// ints runs one of the driver's own queries and returns its first row, read as integers.
func (c *conn) ints(ctx context.Context, dc driver.Conn, text string, dst ...*int64) error {
	s, err := c.sysStmt(ctx, dc, text)
	if err != nil {
		return err
	}
	rs, err := s.(driver.StmtQueryContext).QueryContext(ctx, nil)
	if err != nil {
		return err
	}
	defer rs.Close()
	row := make([]driver.Value, len(rs.Columns()))
	if err := rs.Next(row); err != nil {
		return fmt.Errorf("d1sqlite: %s: %w", text, err)
	}
	for i, d := range dst {
		n, _ := row[i].(int64)
		*d = n
	}
	return nil
}

// values views a row of driver values as plain values: driver.Value is an interface type
// with any's layout, so no copy is needed.
func values(row []driver.Value) []any {
	return unsafe.Slice((*any)(unsafe.Pointer(unsafe.SliceData(row))), len(row))
}

// namedArgs turns positional values into the driver's arguments.
func namedArgs(args []any) []driver.NamedValue {
	if len(args) == 0 {
		return nil
	}
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}
