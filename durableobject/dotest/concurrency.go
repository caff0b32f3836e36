package dotest

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

func testConcurrency(t *testing.T, newDriver func(*testing.T) durableobject.Driver) {
	ctx := context.Background()

	run(t, newDriver, "DO-015 one event at a time: 64 concurrent increments lose nothing", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("counter")
		var inflight, most atomic.Int64
		var wg sync.WaitGroup
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
					n := inflight.Add(1)
					defer inflight.Add(-1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					return Incr.Call(ctx, h.env.Obj.GetByName("sibling"), 1) // leaves the object mid-event
				})
				require.NoError(t, err)
				_, err = Incr.Call(ctx, stub, 1)
				require.NoError(t, err)
			}()
		}
		wg.Wait()
		n, err := Incr.Call(ctx, stub, 0)
		require.NoError(t, err)
		require.Equal(t, 64, n)
		mem, err := Do(ctx, stub, func(_ context.Context, o *Obj) (any, error) { return o.Mem["n"], nil })
		require.NoError(t, err)
		require.Equal(t, 64, mem, "in-memory state is never raced either")
		require.EqualValues(t, 1, most.Load())
		require.EqualValues(t, 64, mustIncr(t, h.env.Obj.GetByName("sibling"), 0))
	})

	t.Run("DO-016 DO-017 events run in arrival order and a turn holds the object throughout", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{}, nil)
			stub := h.env.Obj.GetByName("order")
			var mu sync.Mutex
			var order []int
			release := make(chan struct{})
			first := async(func() error {
				_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
					n, _, _ := durableobject.Get[int](ctx, o.State.Storage(), "n")
					<-release // an await on something other than storage: the JS input gate would open here (DO-017)
					mu.Lock()
					order = append(order, 1)
					mu.Unlock()
					return nil, o.State.Storage().Put(ctx, "n", n+1)
				})
				return err
			})
			synctest.Wait()
			var rest []<-chan error
			for i := 2; i <= 4; i++ {
				rest = append(rest, async(func() error {
					_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
						mu.Lock()
						order = append(order, i)
						mu.Unlock()
						_, err := Incr.Call(ctx, h.env.Obj.GetByName("elsewhere"), 1)
						if err != nil {
							return nil, err
						}
						n, _, _ := durableobject.Get[int](ctx, o.State.Storage(), "n")
						return nil, o.State.Storage().Put(ctx, "n", n+1)
					})
					return err
				}))
				synctest.Wait() // fixes the arrival order
			}
			mu.Lock()
			require.Empty(t, order, "nothing runs while the first event holds the object")
			mu.Unlock()
			close(release)
			require.NoError(t, <-first)
			for _, ch := range rest {
				require.NoError(t, <-ch)
			}
			require.Equal(t, []int{1, 2, 3, 4}, order)
			require.Equal(t, 4, mustIncr(t, stub, 0), "no read-modify-write was lost")
		})
	})

	t.Run("DO-018 results wait for the commit covering their writes", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{}, nil)
			stub := h.env.Obj.GetByName("gate")
			block := make(chan struct{})
			started := make(chan struct{})
			second := make(chan struct{})
			first := async(func() error {
				_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
					close(started)
					<-block
					return nil, o.State.Storage().Put(ctx, "a", 1)
				})
				return err
			})
			<-started
			secondDone := async(func() error {
				_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
					<-second // holds the object after the first event's write
					return nil, nil
				})
				return err
			})
			synctest.Wait()
			close(block)
			synctest.Wait()
			require.False(t, received(first), "the first result left before its write committed")
			commits := h.stats().Commits
			close(second)
			require.NoError(t, <-first)
			require.NoError(t, <-secondDone)
			require.Greater(t, h.stats().Commits, commits)
			// Both turns shared one commit (group commit).
			require.Equal(t, commits+1, h.stats().Commits)
		})
	})

	run(t, newDriver, "DO-018 a failed commit resets the object and fails the held results", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("fk")
		_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			_, err := o.State.Storage().SQL().Exec(`CREATE TABLE users (id INTEGER PRIMARY KEY);
				CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id))`)
			return nil, err
		})
		require.NoError(t, err)
		_, err = Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			o.Mem["marker"] = 1
			sqlAPI := o.State.Storage().SQL()
			if _, err := sqlAPI.Exec("PRAGMA defer_foreign_keys = ON"); err != nil {
				return nil, err
			}
			if _, err := sqlAPI.Exec("INSERT INTO posts (user_id) VALUES (42)"); err != nil {
				return nil, err
			}
			return nil, o.State.Storage().Put(ctx, "lost", true)
		})
		require.Error(t, err)
		require.ErrorContains(t, err, "FOREIGN KEY constraint failed")
		runs := h.hooks.ctorRuns.Load()
		v, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			ok, err := o.State.Storage().Get(ctx, "lost", new(bool))
			c, _ := o.State.Storage().SQL().Exec("SELECT count(*) AS n FROM posts")
			row, _ := c.One()
			return []any{ok, o.Mem["marker"], row["n"]}, err
		})
		require.NoError(t, err)
		require.Equal(t, []any{false, 0, int64(0)}, v)
		require.Equal(t, runs+1, h.hooks.ctorRuns.Load(), "the object was reset")
	})

	run(t, newDriver, "DO-019 writes of one event commit atomically", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("atomic")
		_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			s.Put(ctx, "a", 1)
			s.Put(ctx, "b", 2)
			panic("crash between writes and response")
		})
		require.Error(t, err)
		v, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			return o.State.Storage().GetMany(ctx, []string{"a", "b"})
		})
		require.NoError(t, err)
		require.Empty(t, v)
		_, err = Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			require.NoError(t, s.Put(ctx, "a", 1))
			return nil, s.Put(ctx, "b", 2)
		})
		require.NoError(t, err)
		require.NoError(t, h.h["Obj"].Evict(ctx, stub.ID()))
		v, err = Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			return durableobject.GetMany[int](ctx, o.State.Storage(), []string{"a", "b"})
		})
		require.NoError(t, err)
		require.Equal(t, []durableobject.Entry[int]{{Key: "a", Value: 1}, {Key: "b", Value: 2}}, v)
	})

	t.Run("DO-020 AllowUnconfirmed writes do not hold the result; Sync commits now", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{}, nil)
			stub := h.env.Obj.GetByName("unconfirmed")
			started := make(chan struct{})
			block := make(chan struct{})
			hold := make(chan struct{})
			first := async(func() error {
				_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
					close(started)
					<-block
					return nil, o.State.Storage().Put(ctx, "a", 1, durableobject.AllowUnconfirmed())
				})
				return err
			})
			<-started
			second := async(func() error {
				_, err := Do(ctx, stub, func(context.Context, *Obj) (any, error) { <-hold; return nil, nil })
				return err
			})
			synctest.Wait()
			close(block)
			require.NoError(t, <-first, "released before its write committed")
			close(hold)
			require.NoError(t, <-second)
			require.Equal(t, 1, mustGet[int](t, stub, "a"))

			// Sync commits inside the event: a later panic cannot undo what it made durable.
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				s := o.State.Storage()
				s.Put(ctx, "synced", 1)
				require.NoError(t, s.Sync(ctx))
				s.Put(ctx, "unsynced", 1)
				panic("after sync")
			})
			require.Error(t, err)
			require.Equal(t, 1, mustGet[int](t, stub, "synced"))
			require.Equal(t, 0, mustGet[int](t, stub, "unsynced"))
		})
	})

	run(t, newDriver, "DO-021 a series of SQL statements in one event is atomic", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("sqlatomic")
		_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			_, err := o.State.Storage().SQL().Exec("CREATE TABLE t (x)")
			return nil, err
		})
		require.NoError(t, err)
		_, err = Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			q := o.State.Storage().SQL()
			q.Exec("INSERT INTO t VALUES (1)")
			q.Exec("INSERT INTO t VALUES (2)")
			panic("before the end of the event")
		})
		require.Error(t, err)
		require.Equal(t, int64(0), sqlScalar(t, stub, "SELECT count(*) FROM t"))
	})

	t.Run("DO-022 BlockConcurrencyWhile excludes other events", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{}, nil)
			stub := h.env.Obj.GetByName("bcw")
			release := make(chan struct{})
			var mu sync.Mutex
			var log []string
			note := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
			bcwDone := make(chan error, 1)
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				// Inside an event it runs inline.
				ran := false
				require.NoError(t, o.State.BlockConcurrencyWhile(ctx, func(context.Context) error { ran = true; return nil }))
				require.True(t, ran)
				// From a goroutine of the object's own, it waits its turn and then holds the object.
				o.State.WaitUntil(func(context.Context) error {
					bcwDone <- o.State.BlockConcurrencyWhile(context.Background(), func(context.Context) error {
						note("bcw start")
						<-release
						note("bcw end")
						return nil
					})
					return nil
				})
				return nil, nil
			})
			require.NoError(t, err)
			synctest.Wait()
			other := async(func() error {
				_, err := Do(ctx, stub, func(context.Context, *Obj) (any, error) { note("event"); return nil, nil })
				return err
			})
			synctest.Wait()
			require.Equal(t, []string{"bcw start"}, log)
			close(release)
			require.NoError(t, <-bcwDone)
			require.NoError(t, <-other)
			require.Equal(t, []string{"bcw start", "bcw end", "event"}, log)
		})
	})

	run(t, newDriver, "DO-023 a failing BlockConcurrencyWhile resets the object", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("bcwfail")
		mustIncr(t, stub, 1)
		runs := h.hooks.ctorRuns.Load()
		_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			o.State.Storage().Put(ctx, "n", 100)
			return nil, o.State.BlockConcurrencyWhile(ctx, func(context.Context) error { return errors.New("init failed") })
		})
		require.ErrorContains(t, err, "init failed")
		mem, err := Do(ctx, stub, func(_ context.Context, o *Obj) (any, error) { return o.Mem["n"], nil })
		require.NoError(t, err)
		require.Equal(t, 0, mem, "in-memory state was dropped")
		require.Equal(t, runs+1, h.hooks.ctorRuns.Load())
		require.Equal(t, 1, mustIncr(t, stub, 0), "the event's writes were rolled back")
	})

	t.Run("DO-023 a BlockConcurrencyWhile past 30 s resets the object", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{}, nil)
			stub := h.env.Obj.GetByName("bcwslow")
			mustIncr(t, stub, 1)
			runs := h.hooks.ctorRuns.Load()
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				return nil, o.State.BlockConcurrencyWhile(ctx, func(ctx context.Context) error {
					time.Sleep(31 * time.Second)
					return nil
				})
			})
			require.ErrorIs(t, err, context.DeadlineExceeded)
			mustIncr(t, stub, 0)
			require.Equal(t, runs+1, h.hooks.ctorRuns.Load())
		})
	})

	run(t, newDriver, "DO-024 Abort resets the object at once", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("abort")
		mustIncr(t, stub, 1)
		runs := h.hooks.ctorRuns.Load()
		_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			o.State.Storage().Put(ctx, "n", 888)
			o.State.Abort("test broken")
			return nil, errors.New("unreachable")
		})
		require.EqualError(t, err, "test broken")
		var ae *durableobject.AbortError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, 1, mustIncr(t, stub, 0))
		require.Equal(t, runs+1, h.hooks.ctorRuns.Load())
	})

	t.Run("DO-024 an aborted alarm is retried unless told otherwise", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			rec := &alarmRecorder{fail: func(o *Obj, _ *worker.Context, n int) error {
				if o.State.ID().Name() == "noretry" {
					o.State.Abort("stop", durableobject.WithoutAlarmRetry())
				}
				if n <= 2 {
					o.State.Abort("again")
				}
				return nil
			}}
			h := start(t, d, durableobject.Options{}, rec.hooks())
			setAlarm(t, h.env.Obj.GetByName("retry"), time.Now().Add(time.Second))
			time.Sleep(time.Minute)
			synctest.Wait()
			require.Len(t, rec.all(), 3, "two aborted runs, retried, then success")
			setAlarm(t, h.env.Obj.GetByName("noretry"), time.Now().Add(time.Second))
			time.Sleep(time.Minute)
			synctest.Wait()
			require.Len(t, rec.all(), 4)
		})
	})

	t.Run("DO-025 WaitUntil keeps the object from eviction without delaying the response", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{EvictAfter: time.Second}, nil)
			stub := h.env.Obj.GetByName("waituntil")
			release := make(chan struct{})
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				o.State.WaitUntil(func(context.Context) error { <-release; return nil })
				return nil, nil
			})
			require.NoError(t, err, "the response did not wait")
			time.Sleep(10 * time.Second)
			require.Zero(t, h.stats().Evictions)
			close(release)
			time.Sleep(10 * time.Second)
			require.EqualValues(t, 1, h.stats().Evictions)
		})
	})

	t.Run("DO-013 a full queue answers overloaded", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{MaxQueued: 2}, nil)
			stub := h.env.Obj.GetByName("busy")
			release := make(chan struct{})
			var calls []<-chan error
			for range 3 { // one running, two queued
				calls = append(calls, async(func() error {
					_, err := Do(ctx, stub, func(context.Context, *Obj) (any, error) { <-release; return nil, nil })
					return err
				}))
				synctest.Wait()
			}
			_, err := Incr.Call(ctx, stub, 1)
			require.ErrorIs(t, err, durableobject.ErrOverloaded)
			require.EqualError(t, err, "Durable Object is overloaded. Too many requests queued.")
			require.False(t, durableobject.IsRemote(err))
			close(release)
			for _, c := range calls {
				require.NoError(t, <-c)
			}
		})
	})

	run(t, newDriver, "call cycles are errors, never deadlocks", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		a, b := h.env.Obj.GetByName("A"), h.env.Obj.GetByName("B")
		_, err := Do(ctx, a, func(ctx context.Context, _ *Obj) (any, error) {
			return Do(ctx, b, func(ctx context.Context, _ *Obj) (any, error) {
				return Incr.Call(ctx, a, 1) // A→B→A
			})
		})
		require.ErrorIs(t, err, durableobject.ErrCallCycle)
		var ce *durableobject.CycleError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, a.ID().String(), ce.ID)
		_, err = Do(ctx, a, func(ctx context.Context, _ *Obj) (any, error) { return Incr.Call(ctx, a, 1) })
		require.ErrorIs(t, err, durableobject.ErrCallCycle, "A→A")
		// After the cycle, A is free again.
		require.Equal(t, 1, mustIncr(t, a, 1))
	})
}

func mustIncr(t testing.TB, stub *durableobject.Stub[*Obj], by int) int {
	t.Helper()
	n, err := Incr.Call(context.Background(), stub, by)
	require.NoError(t, err)
	return n
}

func mustGet[V any](t testing.TB, stub *durableobject.Stub[*Obj], key string) V {
	t.Helper()
	v, err := Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
		v, _, err := durableobject.Get[V](ctx, o.State.Storage(), key)
		return v, err
	})
	require.NoError(t, err)
	return v.(V)
}

func sqlScalar(t testing.TB, stub *durableobject.Stub[*Obj], query string, args ...any) any {
	t.Helper()
	v, err := Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
		c, err := o.State.Storage().SQL().Exec(query, args...)
		if err != nil {
			return nil, err
		}
		for row := range c.Raw() {
			return row[0], nil
		}
		return nil, sql.ErrNoRows
	})
	require.NoError(t, err)
	return v
}
