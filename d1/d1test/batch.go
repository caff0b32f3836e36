package d1test

import (
	"errors"
	"strings"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/stretchr/testify/require"
)

func names(t *testing.T, db *d1.Database) []any {
	t.Helper()
	rows, err := db.Prepare("SELECT name FROM colours ORDER BY id").Raw(ctx)
	require.NoError(t, err)
	var out []any
	for _, r := range rows {
		out = append(out, r[0])
	}
	return out
}

func init() {
	add("D1-019/SeveralStatementsReturnTheLast", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		r, err := db.Prepare("SELECT * FROM colours WHERE id = 1; SELECT * FROM colours WHERE id = ?").Bind(3).All(ctx)
		require.NoError(t, err)
		require.Equal(t, []map[string]any{{"id": int64(3), "name": "blue", "rgb": int64(255)}}, r.Results)
		r, err = db.Prepare("INSERT INTO kitchen_sink (id) VALUES (1); INSERT INTO kitchen_sink (id) VALUES (2);").Run(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(2), r.Meta.Changes)
		n, err := db.Prepare("SELECT count(*) AS n FROM kitchen_sink").FirstColumn(ctx, "n")
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
		_, err = db.Prepare("SELECT * FROM colours WHERE name = ?; SELECT * FROM colours WHERE id = ?;").Bind("green").All(ctx)
		errText(t, err, "D1_ERROR: When executing multiple SQL statements in a single call, only the last statement can have parameters.")
		// A failing later statement undoes the earlier ones: the text is one transaction.
		_, err = db.Prepare("INSERT INTO kitchen_sink (id) VALUES (3); INSERT INTO kitchen_sink (id) VALUES (1)").Run(ctx)
		require.Error(t, err)
		n, err = db.Prepare("SELECT count(*) AS n FROM kitchen_sink").FirstColumn(ctx, "n")
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
	})

	add("D1-020/SQLiteErrors", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		_, err := db.Prepare("SELECT * FROM x").All(ctx)
		errText(t, err, "D1_ERROR: no such table: x: SQLITE_ERROR")
		var de *d1.Error
		require.True(t, errors.As(err, &de))
		require.Equal(t, "D1_ERROR", de.Code)
		require.Equal(t, "no such table: x: SQLITE_ERROR", de.Message)
		var se *d1.SQLiteError
		require.True(t, errors.As(err, &se))
		require.Equal(t, "no such table: x", se.Message)
		require.Equal(t, 1, se.Code)
		_, err = db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (1, 'dup', 0)").Run(ctx)
		errText(t, err, "D1_ERROR: UNIQUE constraint failed: colours.id: SQLITE_CONSTRAINT")
		require.True(t, errors.As(err, &se))
		require.Equal(t, 19, se.Code&0xff)
		_, err = db.Prepare("PUT IN colours VALUES (1)").Run(ctx)
		require.ErrorContains(t, err, "syntax error")
	})

	add("D1-021/BatchInOrder", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		ins := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?)")
		res, err := db.Batch(ctx, ins.Bind(4, "yellow", 0xffff00), db.Prepare("SELECT name FROM colours ORDER BY id"))
		require.NoError(t, err)
		require.Len(t, res, 2)
		require.True(t, res[0].Success)
		require.Equal(t, []map[string]any{}, res[0].Results)
		require.Equal(t, int64(1), res[0].Meta.Changes)
		require.Equal(t, []map[string]any{{"name": "red"}, {"name": "green"}, {"name": "blue"}, {"name": "yellow"}}, res[1].Results)
		_, err = db.Batch(ctx)
		errText(t, err, "D1_ERROR: No SQL statements detected.")
	})

	add("D1-022/BatchRollsBackOnError", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		ins := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?)")
		bad := db.Prepare("PUT IN colours (id, name, rgb) VALUES (?, ?, ?)")
		_, err := db.Batch(ctx, ins.Bind(5, "purple", 0xff00ff), bad.Bind(6, "blurple", 0x5865f2), ins.Bind(7, "cyan", 0x00ffff))
		require.ErrorContains(t, err, "syntax error")
		require.True(t, strings.HasPrefix(err.Error(), "D1_ERROR: "), err.Error())
		require.Equal(t, []any{"red", "green", "blue"}, names(t, db))
		_, err = db.Batch(ctx, ins.Bind(5, "purple", 0), ins.Bind(1, "dup", 0))
		errText(t, err, "D1_ERROR: UNIQUE constraint failed: colours.id: SQLITE_CONSTRAINT")
		require.Equal(t, []any{"red", "green", "blue"}, names(t, db))
	})

	add("D1-023/ExecLines", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		r, err := db.Exec(ctx, "UPDATE colours SET name = 'Red' WHERE name = 'red'")
		require.NoError(t, err)
		require.Equal(t, 1, r.Count)
		require.GreaterOrEqual(t, r.Duration, 0.0)
		r, err = db.Exec(ctx, "UPDATE colours SET name = 'Green' WHERE name = 'green'\n\n-- a comment\nUPDATE colours SET name = 'Blue' WHERE name = 'blue'\n")
		require.NoError(t, err)
		require.Equal(t, 2, r.Count)
		require.Equal(t, []any{"Red", "Green", "Blue"}, names(t, db))
	})

	add("D1-024/ExecErrorNamesTheLine", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		_, err := db.Exec(ctx, "UPDATE colours SET name = 'Red' WHERE id = 1\nNOT SQL\nUPDATE colours SET name = 'Blue' WHERE id = 3")
		errText(t, err, `D1_EXEC_ERROR: Error in line 2: NOT SQL: near "NOT": syntax error: SQLITE_ERROR`)
		require.ErrorIs(t, err, d1.ErrExec)
		require.Equal(t, []any{"red", "green", "blue"}, names(t, db))
		// A statement split over lines is not one statement to exec.
		_, err = db.Exec(ctx, "CREATE TABLE t (\n a INTEGER\n)")
		require.ErrorIs(t, err, d1.ErrExec)
		require.True(t, strings.HasPrefix(err.Error(), "D1_EXEC_ERROR: Error in line 1: CREATE TABLE t (: "), err.Error())
	})

	add("D1-025/OnlyComments", func(t *testing.T, db *d1.Database) {
		for _, q := range []string{"", "   ", "-- just a comment", "/* block */ ;"} {
			_, err := db.Prepare(q).All(ctx)
			errText(t, err, "D1_ERROR: No SQL statements detected.")
			require.ErrorIs(t, err, d1.ErrNoStatements)
		}
		_, err := db.Exec(ctx, "-- nothing")
		errText(t, err, "D1_EXEC_ERROR: Error in line 1: -- nothing: No SQL statements detected.")
	})
}
