package d1sqlite_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	"github.com/stretchr/testify/require"
)

// openCached opens a database file with a table kv holding (1, 'a'). Nothing but the test
// writes to it or looks at its files: the history does not look for outside commits.
func openCached(t *testing.T, opts d1sqlite.Options) (*d1.Database, *d1sqlite.Driver, string) {
	t.Helper()
	d1sqlite.OnlyCheckFilesWhenTold(t)
	opts.CaptureInterval = time.Hour
	path := filepath.Join(t.TempDir(), "c.sqlite")
	drv, err := d1sqlite.Open(path, opts)
	require.NoError(t, err)
	db := d1.New(drv)
	t.Cleanup(func() { db.Close() })
	_, err = d1.Execute(ctx, db, "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT); INSERT INTO kv VALUES (1, 'a')")
	require.NoError(t, err)
	return db, drv, path
}

// readAll is what the tests read: every row of kv, in one value.
const readAll = "SELECT count(*) AS n, coalesce(group_concat(v, ''), '') AS vs FROM kv"

func vs(t *testing.T, db *d1.Database) string {
	t.Helper()
	v, err := db.Prepare(readAll).FirstColumn(ctx, "vs")
	require.NoError(t, err)
	return v.(string)
}

// A repeated pure read is served from the cache, equal to the first; arguments are keyed
// with their types.
func TestResultCacheServesRepeatedReads(t *testing.T) {
	db, drv, _ := openCached(t, d1sqlite.Options{})
	_, err := db.Prepare("INSERT INTO kv VALUES (2, NULL)").Run(ctx)
	require.NoError(t, err)
	_, err = db.Prepare("CREATE TABLE b (id INTEGER PRIMARY KEY, data BLOB)").Run(ctx)
	require.NoError(t, err)
	_, err = db.Prepare("INSERT INTO b VALUES (1, x'0102'), (2, x'')").Run(ctx)
	require.NoError(t, err)

	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT k, v FROM kv WHERE k = ?", []any{int64(1)}},
		{"SELECT k, v FROM kv WHERE k = ?", []any{int64(2)}},
		{"SELECT k, v FROM kv WHERE k = ?", []any{int64(3)}}, // no rows
		{"SELECT id, data FROM b ORDER BY id", nil},
		{readAll, nil},
	} {
		first, err := db.Prepare(q.sql).Bind(q.args...).All(ctx)
		require.NoError(t, err)
		require.True(t, d1sqlite.Cached(drv, q.sql, q.args...), "%s %v", q.sql, q.args)
		second, err := db.Prepare(q.sql).Bind(q.args...).All(ctx)
		require.NoError(t, err)
		require.Equal(t, first.Results, second.Results)
		require.Equal(t, first.Meta.RowsRead, second.Meta.RowsRead)
		require.Equal(t, first.Meta.SizeAfter, second.Meta.SizeAfter)
		require.Equal(t, first.Meta.LastRowID, second.Meta.LastRowID)
	}

	// 1, "1", 1.0, a BLOB "1" and NULL are five keys.
	const q = "SELECT typeof(?) AS t"
	cases := []struct {
		arg  any
		want string
	}{{int64(1), "integer"}, {"1", "text"}, {1.0, "real"}, {[]byte("1"), "blob"}, {nil, "null"}}
	for range 2 {
		for _, c := range cases {
			v, err := db.Prepare(q).Bind(c.arg).FirstColumn(ctx, "t")
			require.NoError(t, err)
			require.Equal(t, c.want, v, "%#v", c.arg)
		}
	}
	for _, c := range cases {
		require.True(t, d1sqlite.Cached(drv, q, c.arg), "%#v", c.arg)
	}
}

// Every write through the binding, however it is made, is seen by the very next read.
func TestResultCacheSeesWritesAtOnce(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(t *testing.T, db *d1.Database, path string)
		want  string
	}{
		{"update", func(t *testing.T, db *d1.Database, _ string) {
			_, err := db.Prepare("UPDATE kv SET v = 'b' WHERE k = ?").Bind(1).Run(ctx)
			require.NoError(t, err)
		}, "b"},
		{"insert returning", func(t *testing.T, db *d1.Database, _ string) {
			_, err := db.Prepare("INSERT INTO kv (v) VALUES ('b') RETURNING k").First(ctx)
			require.NoError(t, err)
		}, "ab"},
		{"delete", func(t *testing.T, db *d1.Database, _ string) {
			_, err := db.Prepare("DELETE FROM kv").Run(ctx)
			require.NoError(t, err)
		}, ""},
		{"batch", func(t *testing.T, db *d1.Database, _ string) {
			_, err := db.Batch(ctx, db.Prepare("INSERT INTO kv (v) VALUES ('x')"), db.Prepare("UPDATE kv SET v = 'b' WHERE v = 'x'"))
			require.NoError(t, err)
		}, "ab"},
		{"exec", func(t *testing.T, db *d1.Database, _ string) {
			_, err := db.Exec(ctx, "UPDATE kv SET v = 'x'\nUPDATE kv SET v = 'b'")
			require.NoError(t, err)
		}, "b"},
		{"several statements", func(t *testing.T, db *d1.Database, _ string) {
			_, err := db.Prepare("UPDATE kv SET v = 'x'; UPDATE kv SET v = 'b'").Run(ctx)
			require.NoError(t, err)
		}, "b"},
		{"schema", func(t *testing.T, db *d1.Database, _ string) {
			_, err := db.Prepare("DROP TABLE kv; CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT); INSERT INTO kv VALUES (7, 'b')").Run(ctx)
			require.NoError(t, err)
		}, "b"},
		{"migration", func(t *testing.T, db *d1.Database, _ string) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "0000_b.sql"), []byte("UPDATE kv SET v = 'b';"), 0o644))
			applied, err := d1.ApplyMigrations(ctx, db, dir, "")
			require.NoError(t, err)
			require.Len(t, applied, 1)
		}, "b"},
		{"import", func(t *testing.T, db *d1.Database, _ string) {
			require.NoError(t, d1.Import(ctx, db, strings.NewReader("INSERT INTO kv VALUES (2, 'b');\n")))
		}, "ab"},
		{"restore", func(t *testing.T, db *d1.Database, _ string) {
			mark, err := db.CurrentBookmark(ctx)
			require.NoError(t, err)
			_, err = db.Prepare("UPDATE kv SET v = 'b'").Run(ctx)
			require.NoError(t, err)
			require.Equal(t, "b", vs(t, db))
			require.Equal(t, "b", vs(t, db)) // cached
			_, err = db.Restore(ctx, mark)
			require.NoError(t, err)
		}, "a"},
		{"another handle", func(t *testing.T, _ *d1.Database, path string) {
			other := openFile(t, path, d1sqlite.Options{NoResultCache: true})
			_, err := other.Prepare("UPDATE kv SET v = 'b'").Run(ctx)
			require.NoError(t, err)
		}, "b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, drv, path := openCached(t, d1sqlite.Options{})
			require.Equal(t, "a", vs(t, db))
			require.Equal(t, "a", vs(t, db))
			require.True(t, d1sqlite.Cached(drv, readAll))
			c.write(t, db, path)
			require.Equal(t, c.want, vs(t, db))
			require.Equal(t, c.want, vs(t, db))
		})
	}
}

// Only statements whose result is a function of the database contents are cached.
func TestResultCacheOnlyKeepsPureReads(t *testing.T) {
	db, drv, _ := openCached(t, d1sqlite.Options{})
	_, err := d1.Execute(ctx, db, "CREATE VIEW vw AS SELECT v FROM kv; CREATE VIRTUAL TABLE f USING fts5(a); INSERT INTO f VALUES ('x')")
	require.NoError(t, err)
	run := func(q string) {
		t.Helper()
		for range 2 {
			_, err := db.Prepare(q).All(ctx)
			require.NoError(t, err, q)
		}
	}
	for _, q := range []string{
		"SELECT random() AS r",
		"SELECT randomblob(4) AS r",
		"SELECT abs(random()) AS r FROM kv",
		"SELECT datetime('now') AS r",
		"SELECT date() AS r",
		"SELECT unixepoch() AS r",
		"SELECT strftime('%s', 'now') AS r",
		"SELECT julianday('now') AS r",
		"SELECT current_timestamp AS r",
		"SELECT changes() AS r",
		"SELECT total_changes() AS r",
		"SELECT last_insert_rowid() AS r",
		"SELECT sqlite_version() AS r",
		"SELECT k FROM kv ORDER BY random()",
		"SELECT value FROM json_each('[1, 2]')",
		"SELECT count(*) AS n FROM json_each('[1, 2]')",
		"SELECT name FROM pragma_table_info('kv')",
		"SELECT a FROM f",
		"SELECT count(*) AS n FROM f",
		"SELECT count(*) AS n FROM sqlite_temp_master",
		"PRAGMA table_info(kv)",
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c",
	} {
		run(q)
		require.False(t, d1sqlite.Cached(drv, q), q)
	}
	for _, q := range []string{
		readAll,
		"SELECT lower(v) AS l, upper(v) AS u, abs(-k) AS a, v LIKE 'A%' AS lk, v GLOB 'a*' AS g, printf('%d', k) AS p FROM kv WHERE k = 1",
		`SELECT json_extract('{"a":1}', '$.a') AS j, '{"x":2}' ->> 'x' AS x, round(1.5) AS r, CAST(k AS TEXT) AS c FROM kv`,
		"SELECT v FROM vw",
		"SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
		"SELECT k, row_number() OVER (ORDER BY k) AS n FROM kv",
	} {
		run(q)
		require.True(t, d1sqlite.Cached(drv, q), q)
	}

	// A view redefined to call random(): the statement compiled before is compiled again
	// as it runs, and stops being cached.
	_, err = d1.Execute(ctx, db, "DROP VIEW vw; CREATE VIEW vw AS SELECT random() AS v")
	require.NoError(t, err)
	run("SELECT v FROM vw")
	require.False(t, d1sqlite.Cached(drv, "SELECT v FROM vw"))
	// And a table replaced by a virtual table of the same name.
	_, err = d1.Execute(ctx, db, "CREATE TABLE g (a); INSERT INTO g VALUES (1)")
	require.NoError(t, err)
	run("SELECT a FROM g")
	require.True(t, d1sqlite.Cached(drv, "SELECT a FROM g"))
	_, err = d1.Execute(ctx, db, "DROP TABLE g; CREATE VIRTUAL TABLE g USING fts5(a); INSERT INTO g VALUES ('y')")
	require.NoError(t, err)
	run("SELECT a FROM g")
	require.False(t, d1sqlite.Cached(drv, "SELECT a FROM g"))
}

// Between a commit becoming visible and the writer answering, the cache is bypassed: a
// reader that has seen the write cannot be served the state before it.
func TestResultCacheBypassedWhileACommitBecomesVisible(t *testing.T) {
	db, drv, _ := openCached(t, d1sqlite.Options{})
	require.Equal(t, "a", vs(t, db))
	require.True(t, d1sqlite.Cached(drv, readAll))
	entered, release := make(chan struct{}), make(chan struct{})
	var once, released sync.Once
	d1sqlite.PauseWrites(drv, func() {
		once.Do(func() {
			close(entered)
			<-release
		})
	})
	defer released.Do(func() { close(release) })
	done := make(chan error, 1)
	go func() {
		_, err := db.Prepare("UPDATE kv SET v = 'b'").Run(ctx)
		done <- err
	}()
	<-entered
	require.False(t, d1sqlite.Cached(drv, readAll))
	require.Equal(t, "b", vs(t, db), "committed, so visible to a read")
	require.Equal(t, "b", vs(t, db), "and not the state cached before it")
	released.Do(func() { close(release) })
	require.NoError(t, <-done)
	require.Equal(t, "b", vs(t, db))
	require.True(t, d1sqlite.Cached(drv, readAll))
}

// Callers own what they are handed: changing it changes nothing cached.
func TestResultCacheResultsAreCopies(t *testing.T) {
	db, _, _ := openCached(t, d1sqlite.Options{})
	_, err := db.Prepare("CREATE TABLE b (id INTEGER PRIMARY KEY, name TEXT, data BLOB)").Run(ctx)
	require.NoError(t, err)
	_, err = db.Prepare("INSERT INTO b VALUES (1, 'one', x'0102')").Run(ctx)
	require.NoError(t, err)
	const q = "SELECT id, name, data FROM b WHERE id = ?"
	want := [][]any{{int64(1), "one", []byte{1, 2}}}
	for range 3 { // the read that stores, then two served from the cache
		rows, err := db.Prepare(q).Bind(1).Raw(ctx)
		require.NoError(t, err)
		require.Equal(t, want, rows)
		rows[0][0] = "changed"
		rows[0][2].([]byte)[0] = 9
		rows[0] = append(rows[0], "more")
	}
	res, err := db.Prepare(q).Bind(1).All(ctx)
	require.NoError(t, err)
	res.Columns()[0] = "changed"
	res, err = db.Prepare(q).Bind(1).All(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"id", "name", "data"}, res.Columns())
}

// Another process's write (a plain connection on the file) is seen once the files are looked
// at, which every read does when cacheCheckEvery has passed since the last look.
func TestResultCacheSeesOtherProcesses(t *testing.T) {
	db, drv, path := openCached(t, d1sqlite.Options{})
	plain, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer plain.Close()
	for i, v := range []string{"b", "c", "d"} {
		require.Equal(t, vs(t, db), vs(t, db))
		require.True(t, d1sqlite.Cached(drv, readAll))
		if i == 2 {
			// Once the log has been checkpointed and starts over, a commit may leave it the
			// same size.
			_, err := plain.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
			require.NoError(t, err)
			d1sqlite.CheckFiles(drv)
			require.Equal(t, "c", vs(t, db))
		}
		_, err := plain.Exec("UPDATE kv SET v = ?", v)
		require.NoError(t, err)
		d1sqlite.CheckFiles(drv)
		require.Equal(t, v, vs(t, db))
	}
}

// Commits through SQL() cannot be noticed before they are visible: opening it turns the
// cache off, for every handle on the file.
func TestResultCacheOffOnceSQLOpened(t *testing.T) {
	db, drv, path := openCached(t, d1sqlite.Options{})
	drv2, err := d1sqlite.Open(path, d1sqlite.Options{CaptureInterval: time.Hour})
	require.NoError(t, err)
	db2 := d1.New(drv2)
	defer db2.Close()
	require.Equal(t, "a", vs(t, db))
	require.Equal(t, "a", vs(t, db2))
	require.True(t, d1sqlite.Cached(drv, readAll))
	require.True(t, d1sqlite.Cached(drv2, readAll))

	s, err := db.SQL()
	require.NoError(t, err)
	require.False(t, d1sqlite.Cached(drv, readAll))
	require.False(t, d1sqlite.Cached(drv2, readAll))
	for _, v := range []string{"b", "c"} {
		_, err = s.Exec("UPDATE kv SET v = ?", v)
		require.NoError(t, err)
		require.Equal(t, v, vs(t, db))
		require.Equal(t, v, vs(t, db2))
	}
	require.Zero(t, d1sqlite.CacheLen(drv))
	require.Zero(t, d1sqlite.CacheLen(drv2))
}

// Options.NoResultCache turns the cache off; memory databases have none.
func TestResultCacheOffByOptionAndInMemory(t *testing.T) {
	db, drv, _ := openCached(t, d1sqlite.Options{NoResultCache: true})
	vs(t, db)
	vs(t, db)
	require.False(t, d1sqlite.Cached(drv, readAll))

	mem, err := d1sqlite.OpenMemory(d1sqlite.Options{})
	require.NoError(t, err)
	mdb := d1.New(mem)
	defer mdb.Close()
	for range 2 {
		_, err := mdb.Prepare("SELECT 1 AS x").All(ctx)
		require.NoError(t, err)
	}
	require.False(t, d1sqlite.Cached(mem, "SELECT 1 AS x"))
}

// Results of more than 64 rows or 64 KiB are not kept; the number kept is bounded.
func TestResultCacheBounds(t *testing.T) {
	db, drv, _ := openCached(t, d1sqlite.Options{})
	const series = "SELECT k FROM kv WHERE k <= ?"
	_, err := d1.Execute(ctx, db, "DELETE FROM kv; INSERT INTO kv (k, v) SELECT value, 'x' FROM json_each('["+seq(100)+"]')")
	require.NoError(t, err)
	for _, c := range []struct {
		n    int64
		kept bool
	}{{64, true}, {65, false}} {
		for range 2 {
			_, err := db.Prepare(series).Bind(c.n).All(ctx)
			require.NoError(t, err)
		}
		require.Equal(t, c.kept, d1sqlite.Cached(drv, series, c.n), "%d rows", c.n)
	}
	const big = "SELECT zeroblob(?) AS b"
	for _, c := range []struct {
		n    int64
		kept bool
	}{{60 << 10, true}, {70 << 10, false}} {
		for range 2 {
			_, err := db.Prepare(big).Bind(c.n).All(ctx)
			require.NoError(t, err)
		}
		require.Equal(t, c.kept, d1sqlite.Cached(drv, big, c.n), "%d bytes", c.n)
	}
	const one = "SELECT ? AS x"
	for i := range d1sqlite.CacheMaxEntries + 10 {
		_, err := db.Prepare(one).Bind(i).All(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, d1sqlite.CacheLen(drv), d1sqlite.CacheMaxEntries)
	}
	require.Positive(t, d1sqlite.CacheLen(drv))
}

func seq(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(s, ",")
}

// Under concurrent reads and writes (through two handles on the file), no read returns a
// value older than a write that completed before it began, and no reader sees the counter
// go back.
func TestResultCacheConcurrentReadsAndWrites(t *testing.T) {
	db, _, path := openCached(t, d1sqlite.Options{})
	db2 := openFile(t, path, d1sqlite.Options{})
	_, err := db.Prepare("CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").Run(ctx)
	require.NoError(t, err)
	_, err = db.Prepare("INSERT INTO c VALUES (1, 0)").Run(ctx)
	require.NoError(t, err)
	const writes = 200
	var done atomic.Int64 // the last value a completed write set
	var reads atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		defer stop.Store(true)
		for i := 1; i <= writes; i++ {
			w := db
			if i%2 == 0 {
				w = db2
			}
			if _, err := w.Prepare("UPDATE c SET n = n + 1 WHERE id = 1").Run(ctx); err != nil {
				t.Error(err)
				return
			}
			done.Store(int64(i))
			// Let the readers read a while between writes, from the cache mostly.
			for r := reads.Load(); reads.Load() < r+40 && !t.Failed(); {
				runtime.Gosched()
			}
		}
	})
	for r := range 4 {
		wg.Go(func() {
			read := db
			if r%2 == 1 {
				read = db2
			}
			var last int64
			for !stop.Load() {
				before := done.Load()
				var v any
				var err error
				if r < 2 {
					v, err = read.Prepare("SELECT n FROM c WHERE id = ?").Bind(1).FirstColumn(ctx, "n")
				} else {
					v, err = read.Prepare("SELECT n FROM c").FirstColumn(ctx, "n")
				}
				if err != nil {
					t.Error(err)
					return
				}
				n := v.(int64)
				if n < before || n < last {
					t.Errorf("read %d after a write of %d completed and a read of %d", n, before, last)
					return
				}
				last = n
				reads.Add(1)
			}
		})
	}
	wg.Wait()
	v, err := db.Prepare("SELECT n FROM c").FirstColumn(ctx, "n")
	require.NoError(t, err)
	require.Equal(t, int64(writes), v)
}
