package durableobject

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"
)

// SQL is the SQL API of a SQLite-backed object (DO-040…DO-052): statements run on the
// object's own SQLite database, inside the same transaction as its KV writes, and are as
// atomic as the rest of the turn. Tables named _cf_* are the engine's and off-limits, as are
// transactions (use Storage.Transaction), ATTACH, TEMP objects and most PRAGMAs (DO-047,
// DO-048). The platform's SQL limits apply (DO-049, DO-052).
type SQL struct{ s *Storage }

// SQL returns the object's SQL API. For a class with key-value storage (LegacyKV) every call
// returns ErrSQLNotEnabled (DO-039).
func (s *Storage) SQL() *SQL { return &SQL{s: s} }

// Cursor is the result of Exec (DO-040…DO-043). Rows are read when Exec runs, so a cursor is
// a snapshot: it never shows later writes (DO-051 describes the platform's lazier cursor) and
// can be kept as long as needed. Next, ToArray, One and Raw all consume the same rows.
type Cursor struct {
	columns []string
	rows    [][]any
	pos     int
	written int
}

// Exec runs query with args bound to its parameters and returns a cursor over the last
// statement's rows. Several statements separated by semicolons run in order; only the last
// may have parameters (DO-040). Arguments may be nil, bool, integers, floats, string, []byte
// or json.RawMessage. Errors are the platform's: ErrNoStatement (DO-044), ErrBindings and
// "… syntax error at offset N: SQLITE_ERROR" (DO-045), "<message>: SQLITE_<CODE>" as
// *SQLError (DO-046), ErrTransactionSQL (DO-047), "not authorized: SQLITE_AUTH" (DO-048).
//
// Exec has no context: like the platform's exec it is synchronous and belongs to the event
// that calls it.
func (q *SQL) Exec(query string, args ...any) (*Cursor, error) {
	if q.s.o.ns.legacyKV {
		return nil, ErrSQLNotEnabled
	}
	stmts, err := q.s.o.ns.splits.split(query)
	if err != nil {
		return nil, err
	}
	for _, st := range stmts[:len(stmts)-1] {
		if st.paramCount() > 0 {
			return nil, ErrMultiStatementParams
		}
	}
	last := stmts[len(stmts)-1]
	if last.paramCount() != len(args) {
		return nil, ErrBindings
	}
	bound := make([]any, len(args))
	names := last.params()
	for i, a := range args {
		if bound[i], err = sqlArg(a); err != nil {
			return nil, err
		}
		// The driver binds named parameters by name: give it the name that has this position.
		if n := names[i]; n != "" && n[0] != '?' && len(n) > 1 && isLetter(n[1]) {
			bound[i] = sql.Named(n[1:], bound[i])
		}
	}
	var cur *Cursor
	err = q.s.st.do(func() error {
		st := q.s.st
		if err := st.materialize(); err != nil {
			return err
		}
		for i, stmt := range stmts {
			var a []any
			if i == len(stmts)-1 {
				a = bound
			}
			c, err := st.execUser(stmt, a, i == len(stmts)-1)
			if err != nil {
				return err
			}
			cur = c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cur, nil
}

// DatabaseSize is the size of the object's database in bytes: used pages times the page size
// (DO-050). A new object reports one page, 4096 bytes.
func (q *SQL) DatabaseSize() (int64, error) {
	if q.s.o.ns.legacyKV {
		return 0, ErrSQLNotEnabled
	}
	var size int64
	err := q.s.st.do(func() error {
		st := q.s.st
		open, err := st.open(false)
		if err != nil {
			return err
		}
		if !open {
			size = 4096
			return nil
		}
		var pages, free, pageSize int64
		if err := st.conn.QueryRowContext(st.ctx(), "SELECT (SELECT page_count FROM pragma_page_count), (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)").Scan(&pages, &free, &pageSize); err != nil {
			return err
		}
		size = max(pages-free, 1) * pageSize
		return nil
	})
	return size, err
}

// execUser runs one user statement under the SQL guard. st.mu is held.
func (st *store) execUser(stmt sqlStatement, args []any, keep bool) (*Cursor, error) {
	ctx := st.ctx()
	st.guard.user, st.guard.wrote, st.guard.dml, st.guard.deniedTx = true, false, false, false
	us, err := st.userStmt(stmt.text)
	var cur *Cursor
	if err == nil {
		var rows *sql.Rows
		if rows, err = us.s.QueryContext(ctx, args...); err == nil {
			cur, err = readCursor(rows, keep)
		}
	}
	// The guard speaks when SQLite prepares: now, or for a statement prepared before, then
	// (or again now, after a schema change).
	wrote, dml := st.guard.wrote || us.wrote, st.guard.dml || us.dml
	st.guard.user = false
	if wrote {
		st.markWrite(false)
	}
	if err != nil {
		return nil, st.userError(stmt, err)
	}
	if dml {
		if s, err := st.stmt("SELECT changes()"); err == nil {
			var n int
			if s.QueryRowContext(ctx).Scan(&n) == nil {
				cur.written = n
			}
		}
	}
	return cur, nil
}

// userError turns a driver error into the platform's.
func (st *store) userError(stmt sqlStatement, err error) error {
	if st.guard.deniedTx {
		st.guard.deniedTx = false
		return ErrTransactionSQL
	}
	if strings.HasPrefix(err.Error(), "missing argument") {
		return ErrBindings
	}
	offset := -1
	if isSyntaxError(err) {
		st.guard.user = true
		offset = syntaxErrorOffset(stmt, func(prefix string) error {
			s, err := st.conn.PrepareContext(st.ctx(), prefix)
			if err == nil {
				s.Close()
			}
			return err
		})
		st.guard.user = false
	}
	return platformSQLError(err, offset)
}

func readCursor(rows *sql.Rows, keep bool) (*Cursor, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	cur := &Cursor{columns: cols}
	var types []*sql.ColumnType
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if t, ok := v.(time.Time); ok {
				if types == nil {
					types, _ = rows.ColumnTypes()
				}
				decl := ""
				if i < len(types) {
					decl = types[i].DatabaseTypeName()
				}
				vals[i] = sqliteTimeText(t, decl)
			}
		}
		if keep {
			cur.rows = append(cur.rows, vals)
		}
	}
	return cur, rows.Err()
}

// sqliteTimeText turns a time the driver parsed out of a DATE/DATETIME/TIMESTAMP column back
// into SQLite's text form: the API returns what is stored, as the platform does. A value in
// another text format comes back in SQLite's format.
func sqliteTimeText(t time.Time, decl string) string {
	t = t.UTC()
	if decl == "DATE" && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02 15:04:05.999999999")
	}
	return t.Format(time.DateTime)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func sqlArg(a any) (any, error) {
	switch v := a.(type) {
	case nil, string, []byte, int64, float64:
		return v, nil
	case json.RawMessage:
		return string(v), nil
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case int:
		return int64(v), nil
	case int8:
		return int64(v), nil
	case int16:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case uint:
		return int64(v), nil
	case uint8:
		return int64(v), nil
	case uint16:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	case uint64:
		return int64(v), nil
	case float32:
		return float64(v), nil
	}
	return nil, fmt.Errorf("durableobject: SQL argument of type %T: want nil, bool, a number, string or []byte", a)
}

// ColumnNames are the columns of the result, in order, duplicates included (DO-041). They stay
// readable after the rows are consumed.
func (c *Cursor) ColumnNames() []string { return c.columns }

// RowsRead counts the rows the cursor has read so far: like the platform's cursor it is one
// row ahead of what it handed out, and reaches the total once consumed (DO-043).
func (c *Cursor) RowsRead() int { return min(c.pos+1, len(c.rows)) }

// RowsWritten counts the rows the statement inserted, updated or deleted (DO-043).
func (c *Cursor) RowsWritten() int { return c.written }

// Next returns the next row as a map from column name to value (a later duplicate name wins)
// and false once the rows are consumed.
func (c *Cursor) Next() (map[string]any, bool) {
	if c.pos >= len(c.rows) {
		return nil, false
	}
	row := c.rows[c.pos]
	c.pos++
	m := make(map[string]any, len(c.columns))
	for i, name := range c.columns {
		m[name] = row[i]
	}
	return m, true
}

// Rows iterates the remaining rows as maps.
func (c *Cursor) Rows() iter.Seq[map[string]any] {
	return func(yield func(map[string]any) bool) {
		for {
			m, ok := c.Next()
			if !ok || !yield(m) {
				return
			}
		}
	}
}

// Raw iterates the remaining rows as value slices, in column order; it shares its rows with
// Next (DO-041).
func (c *Cursor) Raw() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for c.pos < len(c.rows) {
			row := c.rows[c.pos]
			c.pos++
			if !yield(row) {
				return
			}
		}
	}
}

// ToArray returns the remaining rows as maps (DO-041).
func (c *Cursor) ToArray() []map[string]any {
	out := []map[string]any{}
	for m := range c.Rows() {
		out = append(out, m)
	}
	return out
}

// One returns the only remaining row: ErrOneNone when there is none, ErrOneMultiple when there
// are more (DO-042). The cursor is consumed either way.
func (c *Cursor) One() (map[string]any, error) {
	rest := len(c.rows) - c.pos
	switch {
	case rest == 0:
		return nil, ErrOneNone
	case rest > 1:
		c.pos = len(c.rows)
		return nil, ErrOneMultiple
	}
	m, _ := c.Next()
	return m, nil
}
