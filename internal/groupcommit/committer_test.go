package groupcommit_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/flarego/flarego/internal/groupcommit"
	"github.com/flarego/flarego/internal/sqlitedb"
	"github.com/stretchr/testify/require"
)

func open(t *testing.T) *sqlitedb.DB {
	t.Helper()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "g.sqlite"), sqlitedb.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Write.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY)")
	require.NoError(t, err)
	return db
}

func TestConcurrentWritesAllCommitAndFailuresAreIsolated(t *testing.T) {
	db := open(t)
	c := groupcommit.New(db.Write)
	defer c.Close()
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.Do(context.Background(), func(tx *sql.Tx) error {
				if _, err := tx.Exec("INSERT INTO t (k) VALUES (?)", i); err != nil {
					return err
				}
				if i%10 == 0 {
					return errors.New("refused")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	var n int
	require.NoError(t, db.Read.QueryRow("SELECT count(*) FROM t").Scan(&n))
	require.Equal(t, 180, n)
	for i, err := range errs {
		if i%10 == 0 {
			require.EqualError(t, err, "refused")
		} else {
			require.NoError(t, err)
		}
	}
}

func TestSingleFailedWriteLeavesNothing(t *testing.T) {
	db := open(t)
	c := groupcommit.New(db.Write)
	defer c.Close()
	err := c.Do(context.Background(), func(tx *sql.Tx) error {
		tx.Exec("INSERT INTO t (k) VALUES (1)")
		panic("boom")
	})
	require.ErrorContains(t, err, "boom")
	var n int
	require.NoError(t, db.Read.QueryRow("SELECT count(*) FROM t").Scan(&n))
	require.Zero(t, n)
	require.NoError(t, c.Do(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO t (k) VALUES (2)")
		return err
	}))
}

func TestDoAfterClose(t *testing.T) {
	db := open(t)
	c := groupcommit.New(db.Write)
	require.NoError(t, c.Close())
	require.ErrorIs(t, c.Do(context.Background(), func(*sql.Tx) error { return nil }), groupcommit.ErrClosed)
}

func BenchmarkGroupCommitParallel(b *testing.B) {
	db, err := sqlitedb.Open(filepath.Join(b.TempDir(), "g.sqlite"), sqlitedb.Options{})
	require.NoError(b, err)
	defer db.Close()
	db.Write.Exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)")
	c := groupcommit.New(db.Write)
	defer c.Close()
	var n int64
	var mu sync.Mutex
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			n++
			k := n
			mu.Unlock()
			c.Do(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.Exec("INSERT OR REPLACE INTO kv VALUES (?, 'v')", k)
				return err
			})
		}
	})
}
