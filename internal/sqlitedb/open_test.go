package sqlitedb_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flarego/flarego/internal/sqlitedb"
	"github.com/stretchr/testify/require"
)

func TestOpenIsWAL(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.sqlite")
	db, err := sqlitedb.Open(p, sqlitedb.Options{})
	require.NoError(t, err)
	defer db.Close()
	var mode string
	require.NoError(t, db.Write.QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.Equal(t, "wal", mode)
	_, err = db.Write.Exec("CREATE TABLE t (v)")
	require.NoError(t, err)
	require.FileExists(t, p+"-shm", "shared WAL index for the read pool and other processes")
}

// An Exclusive database keeps its lock from Open to Close: a second Open fails with
// ErrLocked once LockWait passes, and succeeds after the first closes. Its WAL index is in
// memory: no -shm file.
func TestExclusiveHoldsTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.sqlite")
	first, err := sqlitedb.Open(p, sqlitedb.Options{Exclusive: true, LockWait: 50 * time.Millisecond})
	require.NoError(t, err)
	require.Same(t, first.Write, first.Read)
	_, err = first.Write.Exec("CREATE TABLE t (v); INSERT INTO t VALUES (1)")
	require.NoError(t, err)
	_, err = os.Stat(p + "-shm")
	require.ErrorIs(t, err, os.ErrNotExist)

	_, err = sqlitedb.Open(p, sqlitedb.Options{Exclusive: true, LockWait: 50 * time.Millisecond})
	require.ErrorIs(t, err, sqlitedb.ErrLocked)

	require.NoError(t, first.Close())
	second, err := sqlitedb.Open(p, sqlitedb.Options{Exclusive: true, LockWait: 50 * time.Millisecond})
	require.NoError(t, err)
	defer second.Close()
	var v int
	require.NoError(t, second.Write.QueryRow("SELECT v FROM t").Scan(&v))
	require.Equal(t, 1, v)
}
