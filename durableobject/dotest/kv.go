package dotest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flarego/flarego/durableobject"
	"github.com/stretchr/testify/require"
)

type record struct {
	Name  string            `json:"name"`
	When  time.Time         `json:"when"`
	Tags  map[string]int    `json:"tags"`
	Bytes []byte            `json:"bytes"`
	Next  *record           `json:"next,omitempty"`
	Meta  map[string]string `json:"meta,omitempty"`
}

// in runs fn in an event of a fresh object of the SQLite-backed namespace.
func in(t *testing.T, h *harness, fn func(ctx context.Context, s *durableobject.Storage)) {
	t.Helper()
	_, err := Do(context.Background(), h.env.Obj.GetByName(t.Name()), func(ctx context.Context, o *Obj) (any, error) {
		fn(ctx, o.State.Storage())
		return nil, nil
	})
	require.NoError(t, err)
}

func keys(es []durableobject.Entry[json.RawMessage]) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Key)
	}
	return out
}

func testKV(t *testing.T, newDriver func(*testing.T) durableobject.Driver) {
	run(t, newDriver, "DO-026 Get of a missing key; values round-trip", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			var v record
			ok, err := s.Get(ctx, "missing", &v)
			require.NoError(t, err)
			require.False(t, ok)
			r := record{Name: "x", When: time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC), Tags: map[string]int{"a": 1}, Bytes: []byte{0, 255}, Next: &record{Name: "y"}}
			require.NoError(t, s.Put(ctx, "r", r))
			got, ok, err := durableobject.Get[record](ctx, s, "r")
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, r, got)
			require.NoError(t, s.Put(ctx, "empty", ""))
			str, ok, err := durableobject.Get[string](ctx, s, "empty")
			require.NoError(t, err)
			require.True(t, ok, "an empty value exists")
			require.Empty(t, str)
		})
		// Survives eviction (read back from the database, not the cache).
		require.NoError(t, h.h["Obj"].Evict(context.Background(), h.env.Obj.IDFromName(t.Name())))
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			got, ok, err := durableobject.Get[record](ctx, s, "r")
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, "y", got.Next.Name)
		})
	})

	run(t, newDriver, "DO-027 GetMany returns existing keys in order; at most 128", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			require.NoError(t, s.PutMany(ctx, map[string]any{"b": 2, "a": 1, "é": 3, "z": 4}))
			es, err := durableobject.GetMany[int](ctx, s, []string{"z", "missing", "é", "a", "b"})
			require.NoError(t, err)
			require.Equal(t, []durableobject.Entry[int]{{Key: "a", Value: 1}, {Key: "b", Value: 2}, {Key: "z", Value: 4}, {Key: "é", Value: 3}}, es)
			many := make([]string, 129)
			for i := range many {
				many[i] = fmt.Sprint(i)
			}
			_, err = s.GetMany(ctx, many)
			require.EqualError(t, err, "Maximum number of key value pairs is 128. 129 pairs were provided.")
			_, err = s.GetMany(ctx, many[:128])
			require.NoError(t, err)
		})
	})

	run(t, newDriver, "DO-028 Put of nil and PutMany of more than 128", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			err := s.Put(ctx, "k", nil)
			require.ErrorIs(t, err, durableobject.ErrUndefinedValue)
			require.EqualError(t, err, "put() called with undefined value.")
			m := map[string]any{}
			for i := range 129 {
				m[fmt.Sprint(i)] = i
			}
			require.EqualError(t, s.PutMany(ctx, m), "Maximum number of key value pairs is 128. 129 pairs were provided.")
			delete(m, "0")
			delete(m, "1")
			m["skip"] = nil
			require.NoError(t, s.PutMany(ctx, m), "nil values are skipped")
			ok, err := s.Get(ctx, "skip", new(int))
			require.NoError(t, err)
			require.False(t, ok)
		})
	})

	run(t, newDriver, "DO-029 keys of at most 2048 bytes", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			require.NoError(t, s.Put(ctx, strings.Repeat("k", 2048), 1))
			err := s.Put(ctx, strings.Repeat("k", 2049), 1)
			require.EqualError(t, err, "Keys cannot be larger than 2048 bytes. A key of size 2049 was provided.")
			var re *durableobject.RangeError
			require.ErrorAs(t, err, &re)
			_, err = s.Get(ctx, strings.Repeat("é", 1025), new(int)) // 2050 bytes
			require.EqualError(t, err, "Keys cannot be larger than 2048 bytes. A key of size 2050 was provided.")
		})
	})

	run(t, newDriver, "DO-030 key-value backed objects take values up to 128 KiB", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		_, err := Do(context.Background(), h.env.KV.GetByName("kv"), func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			require.NoError(t, s.Put(ctx, "max", strings.Repeat("x", 128*1024))) // 131074 bytes of JSON: within the slack
			err := s.Put(ctx, "over", strings.Repeat("x", 128*1024+33))
			require.EqualError(t, err, "Values cannot be larger than 131072 bytes. A value of size 131107 was provided.")
			return nil, nil
		})
		require.NoError(t, err)
	})

	run(t, newDriver, "DO-031 SQLite-backed objects take key and value up to 2 MB", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			require.NoError(t, s.Put(ctx, "big", strings.Repeat("x", 1_900_000)))
			err := s.Put(ctx, "huge", strings.Repeat("x", 2_100_000))
			require.ErrorContains(t, err, "SQLITE_TOOBIG")
		})
	})

	run(t, newDriver, "DO-032 Delete reports existence; DeleteMany counts", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			require.NoError(t, s.PutMany(ctx, map[string]any{"a": 1, "b": 2, "c": 3}))
			ok, err := s.Delete(ctx, "a")
			require.NoError(t, err)
			require.True(t, ok)
			ok, err = s.Delete(ctx, "a")
			require.NoError(t, err)
			require.False(t, ok)
			n, err := s.DeleteMany(ctx, []string{"b", "c", "d"})
			require.NoError(t, err)
			require.Equal(t, 2, n)
		})
	})

	run(t, newDriver, "DO-033 DO-034 DO-035 List options", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			require.NoError(t, s.PutMany(ctx, map[string]any{"a": 1, "ab": 2, "abc": 3, "b": 4, "ba": 5, "c": 6, "é": 7}))
			list := func(o durableobject.ListOptions) []string {
				es, err := s.List(ctx, o)
				require.NoError(t, err)
				return keys(es)
			}
			require.Equal(t, []string{"a", "ab", "abc", "b", "ba", "c", "é"}, list(durableobject.ListOptions{}))
			require.Equal(t, []string{"b", "ba", "c", "é"}, list(durableobject.ListOptions{Start: "b"}))
			require.Equal(t, []string{"ba", "c", "é"}, list(durableobject.ListOptions{StartAfter: "b"}))
			require.Equal(t, []string{"a", "ab", "abc"}, list(durableobject.ListOptions{End: "b"}))
			require.Equal(t, []string{"ab", "abc"}, list(durableobject.ListOptions{Prefix: "ab"}))
			require.Equal(t, []string{"abc"}, list(durableobject.ListOptions{Prefix: "ab", Start: "abb"}))
			require.Empty(t, list(durableobject.ListOptions{Prefix: "ab", Start: "b"}))
			require.Equal(t, []string{"a", "ab"}, list(durableobject.ListOptions{Limit: 2}))
			// DO-034: reverse keeps start inclusive and end exclusive.
			require.Equal(t, []string{"c", "ba", "b"}, list(durableobject.ListOptions{Start: "b", End: "é", Reverse: true}))
			require.Equal(t, []string{"é", "c"}, list(durableobject.ListOptions{Reverse: true, Limit: 2}))
			require.Equal(t, []string{"abc", "ab"}, list(durableobject.ListOptions{Prefix: "ab", Reverse: true}))
			require.Empty(t, list(durableobject.ListOptions{Start: "c", End: "b"}))
			_, err := s.List(ctx, durableobject.ListOptions{Start: "a", StartAfter: "a"})
			require.EqualError(t, err, "list() cannot be called with both start and startAfter values.")
			// DO-035
			_, err = s.List(ctx, durableobject.ListOptions{Limit: -1})
			require.EqualError(t, err, "List limit must be positive.")
			typed, err := durableobject.List[int](ctx, s, durableobject.ListOptions{Prefix: "b"})
			require.NoError(t, err)
			require.Equal(t, []durableobject.Entry[int]{{Key: "b", Value: 4}, {Key: "ba", Value: 5}}, typed)
		})
	})

	run(t, newDriver, "DO-036 DeleteAll erases KV, SQL and the alarm", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("wipe")
		_, err := Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			require.NoError(t, s.Put(ctx, "k", 1))
			_, err := s.SQL().Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1); CREATE VIEW v AS SELECT * FROM t")
			require.NoError(t, err)
			require.NoError(t, s.SetAlarm(ctx, time.Now().Add(time.Hour)))
			return nil, nil
		})
		require.NoError(t, err)
		_, err = Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			require.NoError(t, s.Put(ctx, "k2", 2))
			require.NoError(t, s.DeleteAll(ctx))
			ok, err := s.Get(ctx, "k", new(int))
			require.NoError(t, err)
			require.False(t, ok)
			err = s.Transaction(ctx, func(txn *durableobject.Txn) error { return txn.DeleteAll(ctx) })
			require.EqualError(t, err, "Cannot call deleteAll() within a transaction")
			return nil, nil
		})
		require.NoError(t, err)
		require.NoError(t, h.h["Obj"].Evict(context.Background(), stub.ID()))
		_, err = Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			es, err := s.List(ctx, durableobject.ListOptions{})
			require.NoError(t, err)
			require.Empty(t, es)
			_, err = s.SQL().Exec("SELECT * FROM t")
			require.ErrorContains(t, err, "no such table: t")
			_, ok, err := s.GetAlarm(ctx)
			require.NoError(t, err)
			require.False(t, ok)
			return nil, nil
		})
		require.NoError(t, err)
	})

	run(t, newDriver, "DO-037 Transaction commits together, rolls back on error or Rollback", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			get := func() int { v, _, _ := durableobject.Get[int](ctx, s, "v"); return v }
			require.NoError(t, s.Put(ctx, "v", 0))
			require.NoError(t, s.Transaction(ctx, func(txn *durableobject.Txn) error {
				require.NoError(t, txn.Put(ctx, "v", 1))
				v, _, err := durableobject.Get[int](ctx, txn, "v")
				require.Equal(t, 1, v)
				return err
			}))
			require.Equal(t, 1, get())
			var held *durableobject.Txn
			require.NoError(t, s.Transaction(ctx, func(txn *durableobject.Txn) error {
				require.NoError(t, s.Put(ctx, "v", 2)) // direct calls belong to the transaction
				require.Equal(t, 2, get())
				require.NoError(t, txn.Rollback())
				require.NoError(t, txn.Rollback(), "twice is allowed")
				_, err := txn.Get(ctx, "v", new(int))
				require.EqualError(t, err, "Cannot get on rolled back transaction")
				held = txn
				return nil
			}))
			require.Equal(t, 1, get())
			err := s.Transaction(ctx, func(txn *durableobject.Txn) error {
				txn.Put(ctx, "v", 3)
				return fmt.Errorf("txn failure")
			})
			require.EqualError(t, err, "txn failure")
			require.Equal(t, 1, get())
			require.NoError(t, s.Transaction(ctx, func(txn *durableobject.Txn) error {
				txn.Put(ctx, "v", 6)
				require.NoError(t, s.Transaction(ctx, func(inner *durableobject.Txn) error {
					return inner.Put(ctx, "v", 7)
				}))
				require.Equal(t, 7, get())
				return txn.Rollback()
			}))
			require.Equal(t, 1, get(), "the outer rollback undoes the nested transaction")
			_, err = held.Get(ctx, "v", new(int))
			require.EqualError(t, err, "Cannot get on rolled back transaction")
			var done *durableobject.Txn
			require.NoError(t, s.Transaction(ctx, func(txn *durableobject.Txn) error { done = txn; return nil }))
			err = done.Put(ctx, "v", 9)
			require.EqualError(t, err, "Cannot call put on transaction that has already committed: did you move `txn` outside of the closure?")
		})
	})

	run(t, newDriver, "DO-038 TransactionSync", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		in(t, h, func(ctx context.Context, s *durableobject.Storage) {
			q := s.SQL()
			_, err := q.Exec("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1)")
			require.NoError(t, err)
			geti := func() int64 {
				c, err := q.Exec("SELECT i FROM t")
				require.NoError(t, err)
				r, err := c.One()
				require.NoError(t, err)
				return r["i"].(int64)
			}
			require.NoError(t, s.TransactionSync(ctx, func() error {
				q.Exec("UPDATE t SET i = 2")
				err := s.TransactionSync(ctx, func() error {
					q.Exec("UPDATE t SET i = 3")
					require.EqualValues(t, 3, geti())
					return fmt.Errorf("foo")
				})
				require.EqualError(t, err, "foo")
				require.EqualValues(t, 2, geti(), "only the inner scope rolled back")
				return nil
			}))
			require.EqualValues(t, 2, geti())
			err = s.TransactionSync(ctx, func() error {
				q.Exec("CREATE TABLE should_be_rolled_back (v)")
				_, err := q.Exec("SELECT * FROM misspelled_table_name")
				return err
			})
			require.ErrorContains(t, err, "no such table: misspelled_table_name")
			c, err := q.Exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'should_be_rolled_back'")
			require.NoError(t, err)
			r, _ := c.One()
			require.EqualValues(t, 0, r["n"])
		})
		_, err := Do(context.Background(), h.env.KV.GetByName("kv"), func(ctx context.Context, o *Obj) (any, error) {
			return nil, o.State.Storage().TransactionSync(ctx, func() error { return nil })
		})
		require.ErrorIs(t, err, durableobject.ErrNotSQLBacked)
	})
}
