package d1sqlite_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	"github.com/stretchr/testify/require"
)

// snapshot reads every user table, with the types of the values.
func snapshot(t *testing.T, db *d1.Database) map[string][][]any {
	t.Helper()
	tables, err := db.Prepare(`SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE '\_cf\_%' ESCAPE '\' ORDER BY name`).Raw(ctx)
	require.NoError(t, err)
	out := map[string][][]any{"": tables}
	for _, r := range tables {
		name := r[0].(string)
		if strings.HasPrefix(r[1].(string), "CREATE TABLE") {
			rows, err := db.Prepare(`SELECT *, typeof(rowid) FROM "` + name + `" ORDER BY rowid`).Raw(ctx)
			require.NoError(t, err)
			out[name] = rows
		}
	}
	return out
}

// D1-039: restores are exact across checkpoints, when the log starts over.
func TestRestoreAcrossCheckpoints_D1039(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sqlite")
	db := openFile(t, path, d1sqlite.Options{})
	_, err := db.Prepare("CREATE TABLE big (id INTEGER PRIMARY KEY, data BLOB)").Run(ctx)
	require.NoError(t, err)
	type point struct {
		mark  string
		state map[string][][]any
	}
	var points []point
	ins := db.Prepare("INSERT INTO big (data) VALUES (randomblob(3000))")
	// Each insert writes a page or two: 1,500 of them go past a checkpoint or two.
	for i := range 1500 {
		_, err := ins.Run(ctx)
		require.NoError(t, err)
		if i%300 == 0 {
			if i > 0 {
				_, err := db.Prepare("DELETE FROM big WHERE id % 7 = 0").Run(ctx)
				require.NoError(t, err)
			}
			mark, err := db.CurrentBookmark(ctx)
			require.NoError(t, err)
			points = append(points, point{mark, snapshot(t, db)})
		}
	}
	final := snapshot(t, db)
	for _, p := range points {
		_, err := db.Restore(ctx, p.mark)
		require.NoError(t, err)
		require.Equal(t, p.state, snapshot(t, db))
	}
	last, err := db.CurrentBookmark(ctx)
	require.NoError(t, err)
	for _, p := range points[:2] {
		_, err := db.Restore(ctx, p.mark)
		require.NoError(t, err)
	}
	_, err = db.Restore(ctx, last)
	require.NoError(t, err)
	require.Equal(t, points[len(points)-1].state, snapshot(t, db))
	_ = final
}

// D1-039: history carries over a close and reopen.
func TestRestoreAfterReopen_D1039(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.sqlite")
	drv, err := d1sqlite.Open(path, d1sqlite.Options{})
	require.NoError(t, err)
	db := d1.New(drv)
	_, err = d1.Execute(ctx, db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)")
	require.NoError(t, err)
	mark, err := db.CurrentBookmark(ctx)
	require.NoError(t, err)
	before := snapshot(t, db)
	_, err = db.Prepare("INSERT INTO t VALUES (2)").Run(ctx)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db = openFile(t, path, d1sqlite.Options{})
	_, err = db.Prepare("INSERT INTO t VALUES (3)").Run(ctx)
	require.NoError(t, err)
	later, err := db.CurrentBookmark(ctx)
	require.NoError(t, err)
	require.Greater(t, later, mark)
	_, err = db.Restore(ctx, mark)
	require.NoError(t, err)
	require.Equal(t, before, snapshot(t, db))
}

// D1-039: when another program checkpoints the log behind the driver's back, the history
// restarts from a snapshot; states before and after stay restorable.
func TestForeignCheckpoint_D1039(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.sqlite")
	db := openFile(t, path, d1sqlite.Options{})
	_, err := d1.Execute(ctx, db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)")
	require.NoError(t, err)
	early, err := db.BookmarkAt(ctx, time.Now()) // flushed
	require.NoError(t, err)
	earlyState := snapshot(t, db)

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer other.Close()
	other.SetMaxOpenConns(1)
	_, err = other.Exec("INSERT INTO t VALUES (2)")
	require.NoError(t, err)
	_, err = other.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	require.NoError(t, err)
	_, err = other.Exec("INSERT INTO t VALUES (3)")
	require.NoError(t, err)

	mid, err := db.BookmarkAt(ctx, time.Now())
	require.NoError(t, err)
	midState := snapshot(t, db)
	require.Len(t, midState["t"], 3)
	_, err = db.Prepare("INSERT INTO t VALUES (4)").Run(ctx)
	require.NoError(t, err)

	_, err = db.Restore(ctx, early)
	require.NoError(t, err)
	require.Equal(t, earlyState, snapshot(t, db))
	_, err = db.Restore(ctx, mid)
	require.NoError(t, err)
	require.Equal(t, midState, snapshot(t, db))
}

// D1-039: history older than the retention is folded away; the window stays restorable.
func TestRetention_D1039(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		drv, err := d1sqlite.Open(filepath.Join(dir, "ret.sqlite"), d1sqlite.Options{Retention: 2 * time.Hour})
		require.NoError(t, err)
		db := d1.New(drv)
		defer db.Close()
		_, err = d1.Execute(ctx, db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)")
		require.NoError(t, err)
		old, err := db.BookmarkAt(ctx, time.Now())
		require.NoError(t, err)
		time.Sleep(10 * time.Minute)
		_, err = db.Prepare("INSERT INTO t VALUES (1.5)").Run(ctx)
		require.NoError(t, err)

		time.Sleep(80 * time.Minute)
		_, err = db.Prepare("INSERT INTO t VALUES (2)").Run(ctx)
		require.NoError(t, err)
		mid, err := db.BookmarkAt(ctx, time.Now())
		require.NoError(t, err)
		midState := snapshot(t, db)

		time.Sleep(90 * time.Minute) // the first commits are now 3 h old
		_, err = db.Prepare("INSERT INTO t VALUES (3)").Run(ctx)
		require.NoError(t, err)
		_, err = db.BookmarkAt(ctx, time.Now()) // flushes, and prunes
		require.NoError(t, err)

		// The state at the window's start (after the 10-minute commit) is kept; the ones
		// before it are not.
		_, err = db.Restore(ctx, old)
		require.ErrorIs(t, err, d1.ErrOutsideRetention)
		_, err = db.BookmarkAt(ctx, time.Now().Add(-176*time.Minute))
		require.ErrorIs(t, err, d1.ErrOutsideRetention)
		_, err = db.BookmarkAt(ctx, time.Now().Add(-170*time.Minute))
		require.NoError(t, err)
		b, err := db.BookmarkAt(ctx, time.Now().Add(-time.Hour))
		require.NoError(t, err)
		require.Equal(t, mid, b)
		_, err = db.Restore(ctx, mid)
		require.NoError(t, err)
		require.Equal(t, midState, snapshot(t, db))
	})
}

// TestMain runs crashChild when the test binary is started as the crashing child.
func TestMain(m *testing.M) {
	if dir := os.Getenv("D1SQLITE_CRASH_CHILD"); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild writes, reports a bookmark, writes more, and is killed before it closes.
func crashChild(path string) {
	drv, err := d1sqlite.Open(path, d1sqlite.Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	db := d1.New(drv)
	if _, err := d1.Execute(ctx, db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)"); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	mark, _ := db.CurrentBookmark(ctx) // tracked, not yet flushed
	if _, err := db.Prepare("INSERT INTO t VALUES (2)").Run(ctx); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("mark", mark)
	select {} // wait to be killed
}

// D1-039: commits acknowledged before a crash (kill -9) are restorable after it, under the
// bookmarks issued before it.
func TestCrashKeepsHistory_D1039(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.sqlite")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "D1SQLITE_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	require.True(t, sc.Scan())
	line := sc.Text()
	require.True(t, strings.HasPrefix(line, "mark "), line)
	mark := strings.TrimPrefix(line, "mark ")
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()

	db := openFile(t, path, d1sqlite.Options{})
	rows, err := db.Prepare("SELECT x FROM t ORDER BY x").Raw(ctx)
	require.NoError(t, err)
	require.Equal(t, [][]any{{int64(1)}, {int64(2)}}, rows)
	_, err = db.Restore(ctx, mark)
	require.NoError(t, err)
	rows, err = db.Prepare("SELECT x FROM t ORDER BY x").Raw(ctx)
	require.NoError(t, err)
	require.Equal(t, [][]any{{int64(1)}}, rows)
}
