package d1sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

func openFile(t *testing.T, path string, opts d1sqlite.Options) *d1.Database {
	t.Helper()
	drv, err := d1sqlite.Open(path, opts)
	require.NoError(t, err)
	db := d1.New(drv)
	t.Cleanup(func() { db.Close() })
	return db
}

// The driver reads TEXT in DATE/DATETIME/TIMESTAMP columns as text (see decltype.go).
func TestDatetimeTextStaysText(t *testing.T) {
	db := openFile(t, filepath.Join(t.TempDir(), "d.sqlite"), d1sqlite.Options{Retention: -1})
	_, err := d1.Execute(ctx, db, `CREATE TABLE t (a DATE, b DATETIME, c TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
INSERT INTO t (a, b) VALUES ('2024-01-02', '2024-01-02T03:04:05Z')`)
	require.NoError(t, err)
	for _, q := range []string{"SELECT a, b, c FROM t", "INSERT INTO t (a) VALUES ('2024-05-06') RETURNING a, b, c"} {
		row, err := db.Prepare(q).First(ctx)
		require.NoError(t, err)
		for k, v := range row {
			if v != nil {
				require.IsType(t, "", v, "%s in %q", k, q)
			}
		}
	}
	// In a batch too (the writer's path).
	res, err := db.Batch(ctx, db.Prepare("SELECT b FROM t WHERE b IS NOT NULL"))
	require.NoError(t, err)
	require.Equal(t, "2024-01-02T03:04:05Z", res[0].Results[0]["b"])
}

// D1-027: queries are stopped at the time limit.
func TestQueryTimeout_D1027(t *testing.T) {
	drv, err := d1sqlite.OpenMemory(d1sqlite.Options{QueryTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	db := d1.New(drv)
	defer db.Close()
	const forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
	_, err = db.Prepare(forever).All(ctx)
	require.ErrorIs(t, err, d1.ErrD1)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = db.Batch(ctx, db.Prepare("CREATE TABLE t (x)"), db.Prepare("INSERT INTO t "+forever))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// The database is fine afterwards, and the batch left nothing behind.
	_, err = db.Prepare("SELECT * FROM t").All(ctx)
	require.ErrorContains(t, err, "no such table: t")
}

// D1-049: any database id works: it is hashed into the file name.
func TestStrangeIDs_D1049(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"my/ Database", "../../etc/passwd", "ÿ\x00 x", "a:b\\c"} {
		db, err := d1sqlite.OpenDatabase(dir, id, d1sqlite.Options{})
		require.NoError(t, err, id)
		_, err = d1.Execute(ctx, db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)")
		require.NoError(t, err)
		require.NoError(t, db.Close())
		_, err = os.Stat(filepath.Join(dir, d1sqlite.FileName(id)))
		require.NoError(t, err, id)
	}
	require.Equal(t, d1sqlite.FileName("x"), d1sqlite.FileName("x"))
	require.Regexp(t, `^[0-9a-f]{64}\.sqlite$`, d1sqlite.FileName("my/ Database"))
	// A file belongs to its id.
	require.NoError(t, os.Rename(filepath.Join(dir, d1sqlite.FileName("a:b\\c")), filepath.Join(dir, d1sqlite.FileName("other"))))
	_, err := d1sqlite.OpenDir(dir, "other", d1sqlite.Options{Retention: -1})
	require.ErrorContains(t, err, `holds database "a:b\\c"`)
	_, err = d1sqlite.OpenDir(dir, "", d1sqlite.Options{})
	require.Error(t, err)
}

// data survives a restart with the same directory.
func TestPersistence_X001(t *testing.T) {
	dir := t.TempDir()
	db, err := d1sqlite.OpenDatabase(dir, "DB", d1sqlite.Options{})
	require.NoError(t, err)
	_, err = d1.Execute(ctx, db, "CREATE TABLE t (x); INSERT INTO t VALUES ('kept')")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = db.Prepare("SELECT 1").All(ctx)
	require.ErrorIs(t, err, d1.ErrClosed)

	db, err = d1sqlite.OpenDatabase(dir, "DB", d1sqlite.Options{})
	require.NoError(t, err)
	defer db.Close()
	v, err := db.Prepare("SELECT x FROM t").FirstColumn(ctx, "x")
	require.NoError(t, err)
	require.Equal(t, "kept", v)
}

// D1-048, X-002: two handles on the same database (the runner and the CLI) see one store,
// and the history numbers their commits as one.
func TestSharedStore_D1048(t *testing.T) {
	dir := t.TempDir()
	a, err := d1sqlite.OpenDatabase(dir, "DB", d1sqlite.Options{})
	require.NoError(t, err)
	defer a.Close()
	b, err := d1sqlite.OpenDatabase(dir, "DB", d1sqlite.Options{})
	require.NoError(t, err)
	defer b.Close()
	_, err = d1.Execute(ctx, a, "CREATE TABLE t (x INTEGER PRIMARY KEY, who TEXT)")
	require.NoError(t, err)
	_, err = b.Prepare("INSERT INTO t (x, who) VALUES (1, 'b')").Run(ctx)
	require.NoError(t, err)
	mark, err := b.CurrentBookmark(ctx)
	require.NoError(t, err)
	_, err = a.Prepare("INSERT INTO t (x, who) VALUES (2, 'a')").Run(ctx)
	require.NoError(t, err)
	rows, err := b.Prepare("SELECT who FROM t ORDER BY x").Raw(ctx)
	require.NoError(t, err)
	require.Equal(t, [][]any{{"b"}, {"a"}}, rows)

	// A restore through one handle is seen through the other.
	_, err = a.Restore(ctx, mark)
	require.NoError(t, err)
	rows, err = b.Prepare("SELECT who FROM t ORDER BY x").Raw(ctx)
	require.NoError(t, err)
	require.Equal(t, [][]any{{"b"}}, rows)
}

// Concurrent single writes share commits; a failing one is undone alone.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := openFile(t, filepath.Join(t.TempDir(), "g.sqlite"), d1sqlite.Options{})
	_, err := db.Prepare("CREATE TABLE t (k INTEGER PRIMARY KEY)").Run(ctx)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Go(func() {
			k := i
			if i%10 == 0 {
				k = 0 // every tenth collides with the first of them
			}
			_, errs[i] = db.Prepare("INSERT INTO t (k) VALUES (?)").Bind(k).Run(ctx)
		})
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			require.ErrorContains(t, err, "UNIQUE constraint failed")
			failed++
		}
	}
	require.Equal(t, 19, failed)
	n, err := db.Prepare("SELECT count(*) AS n FROM t").FirstColumn(ctx, "n")
	require.NoError(t, err)
	require.Equal(t, int64(181), n)
}

// SQL() serves database/sql code over the same data, with the reserved tables kept out.
func TestSQL(t *testing.T) {
	for _, mem := range []bool{false, true} {
		t.Run(fmt.Sprint("memory=", mem), func(t *testing.T) {
			var db *d1.Database
			if mem {
				drv, err := d1sqlite.OpenMemory(d1sqlite.Options{})
				require.NoError(t, err)
				db = d1.New(drv)
				defer db.Close()
			} else {
				db = openFile(t, filepath.Join(t.TempDir(), "s.sqlite"), d1sqlite.Options{})
			}
			_, err := d1.Execute(ctx, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t VALUES (1, 'one')")
			require.NoError(t, err)
			s, err := db.SQL()
			require.NoError(t, err)
			var name string
			require.NoError(t, s.QueryRowContext(ctx, "SELECT name FROM t WHERE id = ?", 1).Scan(&name))
			require.Equal(t, "one", name)
			tx, err := s.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.Exec("INSERT INTO t VALUES (2, 'two')")
			require.NoError(t, err)
			require.NoError(t, tx.Commit())
			v, err := db.Prepare("SELECT name FROM t WHERE id = 2").FirstColumn(ctx, "name")
			require.NoError(t, err)
			require.Equal(t, "two", v)
			_, err = s.Exec("SELECT * FROM _cf_KV")
			require.ErrorContains(t, err, "prohibited")
			_, err = s.Exec("PRAGMA journal_mode = DELETE")
			require.ErrorContains(t, err, "not authorized")
			if !mem {
				// Its commits reach the history.
				mark, err := db.BookmarkAt(ctx, time.Now())
				require.NoError(t, err)
				_, err = s.Exec("DELETE FROM t")
				require.NoError(t, err)
				_, err = db.Restore(ctx, mark)
				require.NoError(t, err)
				n, err := db.Prepare("SELECT count(*) AS n FROM t").FirstColumn(ctx, "n")
				require.NoError(t, err)
				require.Equal(t, int64(2), n)
			}
		})
	}
}

// D1-039: an in-memory database keeps no history.
func TestInMemoryHasNoTimeTravel(t *testing.T) {
	drv, err := d1sqlite.OpenMemory(d1sqlite.Options{})
	require.NoError(t, err)
	db := d1.New(drv)
	defer db.Close()
	_, err = db.BookmarkAt(ctx, time.Now())
	require.ErrorIs(t, err, d1.ErrTimeTravelUnsupported)
	b, err := db.CurrentBookmark(ctx)
	require.NoError(t, err)
	_, err = db.Restore(ctx, b)
	require.ErrorIs(t, err, d1.ErrTimeTravelUnsupported)
	require.True(t, errors.Is(err, d1.ErrD1))
}
