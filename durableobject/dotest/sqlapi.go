package dotest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flarego/flarego/durableobject"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inSQL runs fn in an event of a fresh SQLite-backed object.
func inSQL(t *testing.T, h *harness, fn func(ctx context.Context, q *durableobject.SQL, s *durableobject.Storage)) {
	t.Helper()
	in(t, h, func(ctx context.Context, s *durableobject.Storage) { fn(ctx, s.SQL(), s) })
}

func execErr(q *durableobject.SQL, query string, args ...any) error {
	_, err := q.Exec(query, args...)
	return err
}

func testSQL(t *testing.T, newDriver func(*testing.T) durableobject.Driver) {
	run(t, newDriver, "DO-039 no SQL on key-value backed classes", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		_, err := Do(context.Background(), h.env.KV.GetByName("kv"), func(ctx context.Context, o *Obj) (any, error) {
			_, err := o.State.Storage().SQL().Exec("SELECT 1")
			return nil, err
		})
		require.ErrorIs(t, err, durableobject.ErrSQLNotEnabled)
		require.True(t, strings.HasPrefix(err.Error(), "SQL is not enabled for this Durable Object class."))
	})

	run(t, newDriver, "DO-040 several statements: bindings and cursor belong to the last", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			c, err := q.Exec(`
				CREATE TABLE items (i INTEGER, s TEXT);
				CREATE INDEX items_s ON items (s);
				INSERT INTO items VALUES (123, 'abc');
				INSERT INTO items VALUES (456, 'def');
				SELECT i FROM items WHERE s = ?`, "abc")
			require.NoError(t, err)
			require.Equal(t, []map[string]any{{"i": int64(123)}}, c.ToArray())
			err = execErr(q, "SELECT ?; SELECT 1", 1)
			require.ErrorIs(t, err, durableobject.ErrMultiStatementParams)
			c, err = q.Exec(`CREATE TABLE log (v); CREATE TRIGGER t AFTER INSERT ON items BEGIN INSERT INTO log VALUES (new.i); INSERT INTO log VALUES (-new.i); END; INSERT INTO items VALUES (7, 'x'); SELECT v FROM log ORDER BY v`)
			require.NoError(t, err)
			var vs []any
			for r := range c.Raw() {
				vs = append(vs, r[0])
			}
			require.Equal(t, []any{int64(-7), int64(7)}, vs, "a trigger body's semicolons do not split it")
		})
	})

	run(t, newDriver, "DO-041 ToArray, Raw and ColumnNames share one result", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			_, err := q.Exec(`CREATE TABLE abc (a INT, b INT, c INT); CREATE TABLE cde (c INT, d INT, e INT);
				INSERT INTO abc VALUES (1,2,3),(4,5,6); INSERT INTO cde VALUES (7,8,9),(1,2,3)`)
			require.NoError(t, err)
			c, err := q.Exec("SELECT * FROM abc, cde")
			require.NoError(t, err)
			require.Equal(t, []string{"a", "b", "c", "c", "d", "e"}, c.ColumnNames())
			first, ok := c.Next()
			require.True(t, ok)
			require.Len(t, first, 5, "a duplicate column name keeps one entry")
			require.Equal(t, int64(7), first["c"], "the later column wins")
			var raw [][]any
			for r := range c.Raw() {
				raw = append(raw, slices.Clone(r))
			}
			require.Equal(t, [][]any{{int64(1), int64(2), int64(3), int64(1), int64(2), int64(3)}, {int64(4), int64(5), int64(6), int64(7), int64(8), int64(9)}, {int64(4), int64(5), int64(6), int64(1), int64(2), int64(3)}}, raw)
			require.Empty(t, c.ToArray(), "Raw consumed the rows")
			require.Equal(t, []string{"a", "b", "c", "c", "d", "e"}, c.ColumnNames(), "still readable")
			c, err = q.Exec("UPDATE abc SET a = 1 WHERE b = 123542")
			require.NoError(t, err)
			require.Empty(t, c.ColumnNames())
			c, err = q.Exec("SELECT x'ff' AS blob, 'hello' AS s, 1.5 AS f, NULL AS n, 123 AS i")
			require.NoError(t, err)
			require.Equal(t, []map[string]any{{"blob": []byte{0xff}, "s": "hello", "f": 1.5, "n": nil, "i": int64(123)}}, c.ToArray())
		})
	})

	run(t, newDriver, "DO-042 One", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			c, err := q.Exec(`SELECT 123 AS foo, "abc" AS bar`)
			require.NoError(t, err)
			r, err := c.One()
			require.NoError(t, err)
			require.Equal(t, map[string]any{"foo": int64(123), "bar": "abc"}, r)
			require.Empty(t, c.ToArray(), "consumed")
			c, err = q.Exec("SELECT 1 AS value UNION ALL SELECT 2")
			require.NoError(t, err)
			_, err = c.One()
			require.EqualError(t, err, "Expected exactly one result from SQL query, but got multiple results.")
			c, err = q.Exec("SELECT 1 WHERE 0")
			require.NoError(t, err)
			_, err = c.One()
			require.EqualError(t, err, "Expected exactly one result from SQL query, but got no results.")
		})
	})

	run(t, newDriver, "DO-043 RowsRead and RowsWritten", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			_, err := q.Exec("CREATE TABLE tbl (id INTEGER PRIMARY KEY, value TEXT)")
			require.NoError(t, err)
			c, err := q.Exec("INSERT INTO tbl (id, value) VALUES (?, ?)", 1, "a")
			require.NoError(t, err)
			require.Equal(t, 1, c.RowsWritten())
			for i := 2; i <= 10; i++ {
				_, err := q.Exec("INSERT INTO tbl (id, value) VALUES (?, ?)", i, fmt.Sprint("v", i))
				require.NoError(t, err)
			}
			c, err = q.Exec("SELECT * FROM tbl")
			require.NoError(t, err)
			seen := 0
			for {
				_, ok := c.Next()
				if !ok {
					require.Equal(t, 10, c.RowsRead())
					break
				}
				seen++
				require.Equal(t, min(seen+1, 10), c.RowsRead(), "one row ahead, growing as consumed")
			}
			require.Zero(t, c.RowsWritten())
			c, err = q.Exec("UPDATE tbl SET value = 'x' WHERE id <= 3")
			require.NoError(t, err)
			require.Equal(t, 3, c.RowsWritten())
			c, err = q.Exec("SELECT * FROM tbl WHERE id IN (1,2,3,4,5,6)")
			require.NoError(t, err)
			require.Len(t, c.ToArray(), 6)
			require.Zero(t, c.RowsWritten(), "the IN-list's temporary table does not count")
			c1, _ := q.Exec("INSERT INTO tbl (id, value) VALUES (101, 'x')")
			c2, _ := q.Exec("INSERT INTO tbl (id, value) VALUES (102, 'x'), (103, 'y')")
			require.Equal(t, 1, c1.RowsWritten(), "each cursor keeps its own counters")
			require.Equal(t, 2, c2.RowsWritten())
		})
	})

	run(t, newDriver, "DO-043 DO-048 a repeated statement is prepared once and still counted and judged", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		errText := func(err error) string {
			if err == nil {
				return "<nil>"
			}
			return err.Error()
		}
		const insert = "INSERT INTO t (v) VALUES (?)"
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, s *durableobject.Storage) {
			_, err := q.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
			require.NoError(t, err)
			for i := range 3 {
				c, err := q.Exec(insert, fmt.Sprint(i))
				require.NoError(t, err)
				require.Equal(t, 1, c.RowsWritten(), "run %d", i)
			}
			// A schema change: the remembered statement meets the new schema, and fails
			// or works exactly as a statement never seen before does.
			_, err = q.Exec("DROP TABLE t")
			require.NoError(t, err)
			require.Equal(t, errText(execErr(q, insert+" ", "x")), errText(execErr(q, insert, "x")))
			require.Error(t, execErr(q, insert, "x"))
			_, err = q.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w INTEGER DEFAULT 7)")
			require.NoError(t, err)
			c, err := q.Exec(insert, "again")
			require.NoError(t, err)
			require.Equal(t, 1, c.RowsWritten())
			row, err := q.Exec("SELECT v, w FROM t")
			require.NoError(t, err)
			require.Equal(t, []map[string]any{{"v": "again", "w": int64(7)}}, row.ToArray())

			// A view redefined to read the engine's table is judged again when used.
			require.NoError(t, s.Put(ctx, "k", 1))
			_, err = q.Exec("CREATE VIEW vw AS SELECT 1 AS one")
			require.NoError(t, err)
			const readView = "SELECT * FROM vw"
			_, err = q.Exec(readView)
			require.NoError(t, err)
			_, err = q.Exec("DROP VIEW vw; CREATE VIEW vw AS SELECT key FROM _cf_KV")
			if err == nil {
				require.Equal(t, errText(execErr(q, readView+" ")), errText(execErr(q, readView)))
				require.Error(t, execErr(q, readView))
			}

			// More distinct statements than an object keeps prepared.
			for i := range 100 {
				c, err := q.Exec(fmt.Sprintf("SELECT %d AS n", i))
				require.NoError(t, err)
				require.Equal(t, []map[string]any{{"n": int64(i)}}, c.ToArray())
			}
			_, err = q.Exec(insert, "last")
			require.NoError(t, err)
		})
		// The writes of remembered statements were committed like any other.
		name := t.Name()
		h.close()
		h2 := start(t, d, durableobject.Options{}, nil)
		_, err := Do(context.Background(), h2.env.Obj.GetByName(name), func(ctx context.Context, o *Obj) (any, error) {
			c, err := o.State.Storage().SQL().Exec("SELECT v FROM t ORDER BY id")
			require.NoError(t, err)
			require.Equal(t, []map[string]any{{"v": "again"}, {"v": "last"}}, c.ToArray())
			return nil, nil
		})
		require.NoError(t, err)
	})

	run(t, newDriver, "DO-044 SQL without a statement", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			for _, s := range []string{"", ";", "  ", "-- only a comment", "SELECT 123; SELECT 456; -- trailing comment", "SELECT 1;;"} {
				err := execErr(q, s)
				require.ErrorIs(t, err, durableobject.ErrNoStatement, "%q", s)
				require.EqualError(t, err, "SQL code did not contain a statement.")
			}
			for _, s := range []string{"SELECT 1;", "SELECT 1;\t", "SELECT 1;\r\n", "SELECT 1"} {
				require.NoError(t, execErr(q, s), "%q", s)
			}
		})
	})

	run(t, newDriver, "DO-045 wrong bindings and syntax error offsets", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			require.EqualError(t, execErr(q, "SELECT ?"), "Wrong number of parameter bindings for SQL query.")
			require.EqualError(t, execErr(q, "SELECT ?", 1, 2), "Wrong number of parameter bindings for SQL query.")
			c, err := q.Exec("SELECT :a + :a + ?3 AS v", 1, 2, 3)
			require.NoError(t, err, "a repeated name is one parameter; ?3 makes three")
			r, _ := c.One()
			require.Equal(t, int64(5), r["v"])
			err = execErr(q, "SELECT ;")
			require.ErrorContains(t, err, "syntax error at offset 7")
			require.EqualError(t, err, `near ";": syntax error at offset 7: SQLITE_ERROR`)
			require.ErrorContains(t, execErr(q, "SELECT -;"), "syntax error at offset 8")
			require.ErrorContains(t, execErr(q, "SELECT * bunk;"), `near "bunk": syntax error at offset 9`)
			require.ErrorContains(t, execErr(q, "SELECT 1; INSER INTO x VALUES (1)"), `near "INSER": syntax error at offset 1`, "offsets count from the failing statement")
			var se *durableobject.SQLError
			require.ErrorAs(t, execErr(q, "SELECT ;"), &se)
			require.Equal(t, 7, se.Offset)
		})
	})

	run(t, newDriver, "DO-046 SQLite errors end with their code", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			_, err := q.Exec("CREATE TABLE test_error_codes (name TEXT)")
			require.NoError(t, err)
			require.EqualError(t, execErr(q, "INSERT INTO test_error_codes(rowid, name) VALUES ('yeah','nah')"), "datatype mismatch: SQLITE_MISMATCH")
			_, err = q.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id))")
			require.NoError(t, err)
			require.EqualError(t, execErr(q, "INSERT INTO posts (user_id) VALUES (1)"), "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT")
			require.EqualError(t, execErr(q, "SELECT * FROM nope"), "no such table: nope: SQLITE_ERROR")
			require.EqualError(t, execErr(q, "CREATE TABLE _cf_invalid (name TEXT)"), "not authorized: SQLITE_AUTH")
			_, err = q.Exec("CREATE TABLE chk (v TEXT CHECK (v IN ('A','B')))")
			require.NoError(t, err)
			require.ErrorContains(t, execErr(q, "INSERT INTO chk VALUES ('C')"), "CHECK constraint failed: v IN ('A','B')")
		})
	})

	run(t, newDriver, "DO-047 transactions in SQL are refused", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			for _, s := range []string{"BEGIN TRANSACTION", "BEGIN", "SAVEPOINT foo", "COMMIT", "ROLLBACK", "RELEASE foo"} {
				err := execErr(q, s)
				require.ErrorIs(t, err, durableobject.ErrTransactionSQL, s)
				require.ErrorContains(t, err, "please use the state.storage.transaction() or state.storage.transactionSync() APIs")
			}
			require.NoError(t, execErr(q, "SELECT 1"), "the connection is unharmed")
		})
	})

	run(t, newDriver, "DO-048 _cf_ tables, TEMP, PRAGMAs and virtual tables", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, s *durableobject.Storage) {
			require.ErrorContains(t, execErr(q, "CREATE TABLE _cf_invalid (name TEXT)"), "not authorized")
			require.NoError(t, s.Put(ctx, "blah", 123)) // makes the _cf_KV table
			require.EqualError(t, execErr(q, "SELECT * FROM _cf_KV"), "access to _cf_KV.key is prohibited: SQLITE_AUTH")
			require.ErrorContains(t, execErr(q, "DELETE FROM _cf_KV"), "not authorized")
			require.ErrorContains(t, execErr(q, "PRAGMA table_info(_cf_KV)"), "not authorized")
			require.ErrorContains(t, execErr(q, "PRAGMA quick_check(_cf_KV)"), "not authorized")
			require.ErrorContains(t, execErr(q, "CREATE TEMP TABLE tempy AS SELECT 1"), "not authorized")
			require.ErrorContains(t, execErr(q, "ATTACH DATABASE ':memory:' AS other"), "not authorized")
			for _, p := range []string{"PRAGMA hard_heap_limit = 1024", "PRAGMA data_version = 5", "PRAGMA max_page_count = 65536", "PRAGMA page_size = 8192", "PRAGMA journal_mode = DELETE", "PRAGMA defer_foreign_keys = abcd"} {
				require.EqualError(t, execErr(q, p), "not authorized: SQLITE_AUTH", p)
			}
			require.ErrorContains(t, execErr(q, "SELECT sqlite_version()"), "not authorized to use function: sqlite_version")
			_, err := q.Exec("CREATE TABLE myTable (foo TEXT, bar INTEGER)")
			require.NoError(t, err)
			c, err := q.Exec("PRAGMA table_info(myTable)")
			require.NoError(t, err)
			require.Len(t, c.ToArray(), 2)
			for _, p := range []string{"pragma data_version", "pragma quick_check", "PRAGMA defer_foreign_keys = on", "PRAGMA defer_foreign_keys = 'false'", "PRAGMA optimize"} {
				require.NoError(t, execErr(q, p), p)
			}
			require.ErrorContains(t, execErr(q, "CREATE VIRTUAL TABLE nope USING fts5abcd(id)"), "not authorized")
			_, err = q.Exec(`CREATE TABLE documents (id INTEGER PRIMARY KEY, body TEXT);
				CREATE VIRTUAL TABLE documents_fts USING FtS5(id, body, tokenize = porter);
				INSERT INTO documents_fts (id, body) VALUES (1, 'the contents of one'), (2, 'the content of two')`)
			require.NoError(t, err)
			c, err = q.Exec("SELECT id FROM documents_fts WHERE documents_fts MATCH 'content' ORDER BY id")
			require.NoError(t, err)
			require.Len(t, c.ToArray(), 2, "fts5 works, with porter stemming")
		})
	})

	run(t, newDriver, "DO-048 table-valued pragmas are judged as PRAGMAs", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, s *durableobject.Storage) {
			require.NoError(t, s.Put(ctx, "blah", 123)) // makes the _cf_KV table
			_, err := q.Exec("CREATE TABLE myTable (foo TEXT, bar INTEGER); CREATE INDEX myIndex ON myTable (foo); INSERT INTO myTable VALUES ('a', 1)")
			require.NoError(t, err)
			for _, p := range []string{
				"SELECT * FROM pragma_database_list",
				"SELECT * FROM Pragma_Compile_Options",
				"SELECT count(*) FROM pragma_function_list",
				"SELECT * FROM pragma_page_size",
				"SELECT * FROM main.pragma_journal_mode",
				"SELECT * FROM myTable, pragma_database_list",
				"SELECT (SELECT group_concat(name) FROM pragma_module_list)",
				"SELECT * FROM pragma_table_info('_cf_KV')",
				"SELECT * FROM PRAGMA_TABLE_INFO('_CF_kv')",
				"SELECT * FROM pragma_quick_check('_cf_KV')",
				"SELECT * FROM sqlite_master AS m, pragma_index_list(m.name)",
			} {
				require.EqualError(t, execErr(q, p), "not authorized: SQLITE_AUTH", p)
			}
			require.EqualError(t, execErr(q, "SELECT * FROM pragma_table_info(?)", "_cf_KV"), "not authorized: SQLITE_AUTH")
			c, err := q.Exec("SELECT name FROM PRAGMA_Table_Info('myTable') ORDER BY cid")
			require.NoError(t, err)
			require.Equal(t, []map[string]any{{"name": "foo"}, {"name": "bar"}}, c.ToArray())
			for _, p := range []string{
				"SELECT * FROM pragma_table_xinfo('myTable')",
				"SELECT * FROM pragma_data_version",
				"SELECT * FROM Pragma_Quick_Check",
				"SELECT * FROM pragma_foreign_keys",
				"SELECT * FROM pragma_table_list WHERE name = 'myTable'",
				"SELECT m.name, l.name FROM sqlite_master AS m, pragma_index_list(m.name) AS l WHERE m.type = 'table' AND substr(m.name, 1, 4) <> '_cf_'",
			} {
				c, err := q.Exec(p)
				require.NoError(t, err, p)
				require.NotEmpty(t, c.ToArray(), p)
			}
		})
	})

	run(t, newDriver, "DO-049 at most 5 terms in a compound SELECT", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			require.NoError(t, execErr(q, "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5"))
			require.ErrorContains(t, execErr(q, "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6"), "too many terms in compound SELECT")
		})
	})

	run(t, newDriver, "DO-050 DatabaseSize", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			size, err := q.DatabaseSize()
			require.NoError(t, err)
			require.EqualValues(t, 4096, size, "a fresh object")
			_, err = q.Exec("CREATE TABLE one (v)")
			require.NoError(t, err)
			base, err := q.DatabaseSize()
			require.NoError(t, err)
			_, err = q.Exec("CREATE TABLE should_make_one_more_page (v)")
			require.NoError(t, err)
			size, err = q.DatabaseSize()
			require.NoError(t, err)
			require.Equal(t, base+4096, size)
			_, err = q.Exec("DROP TABLE should_make_one_more_page")
			require.NoError(t, err)
			size, err = q.DatabaseSize()
			require.NoError(t, err)
			require.Equal(t, base, size)
		})
	})

	run(t, newDriver, "DO-052 SQL limits", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		inSQL(t, h, func(ctx context.Context, q *durableobject.SQL, _ *durableobject.Storage) {
			cols := func(n int) string {
				var b []string
				for i := range n {
					b = append(b, fmt.Sprintf("c%d", i))
				}
				return strings.Join(b, ", ")
			}
			require.NoError(t, execErr(q, "CREATE TABLE w100 ("+cols(100)+")"))
			require.ErrorContains(t, execErr(q, "CREATE TABLE w101 ("+cols(101)+")"), "too many columns")
			args := make([]any, 101)
			marks := strings.TrimSuffix(strings.Repeat("?,", 101), ",")
			require.ErrorContains(t, execErr(q, "SELECT "+marks, args...), "too many SQL variables")
			require.NoError(t, execErr(q, "SELECT "+strings.TrimSuffix(strings.Repeat("?,", 100), ","), args[:100]...))
			fargs := strings.TrimSuffix(strings.Repeat("1,", 33), ",")
			require.ErrorContains(t, execErr(q, "SELECT coalesce("+fargs+")"), "too many arguments on function")
			require.ErrorContains(t, execErr(q, "SELECT 'a' LIKE ?", strings.Repeat("a", 51)), "LIKE or GLOB pattern too complex")
			require.ErrorContains(t, execErr(q, "SELECT 1 -- "+strings.Repeat("x", 100_001)), "SQLITE_TOOBIG")
			require.ErrorContains(t, execErr(q, "SELECT ?", strings.Repeat("x", 2_000_001)), "SQLITE_TOOBIG")
		})
	})

	run(t, newDriver, "SQL and KV share the object's transaction", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("mix")
		_, err := Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			if _, err := s.SQL().Exec("CREATE TABLE t (x)"); err != nil {
				return nil, err
			}
			return nil, s.Put(ctx, "k", 1)
		})
		require.NoError(t, err)
		_, err = Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			assert.NoError(t, execErr(s.SQL(), "INSERT INTO t VALUES (1)"))
			assert.NoError(t, s.Put(ctx, "k", 2))
			return nil, errors.New("handler error: writes are kept, as when JavaScript throws")
		})
		require.Error(t, err)
		require.Equal(t, int64(1), sqlScalar(t, stub, "SELECT count(*) FROM t"))
		require.Equal(t, 2, mustGet[int](t, stub, "k"))
	})
}
