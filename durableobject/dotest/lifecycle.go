package dotest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

func testLifecycle(t *testing.T, newDriver func(*testing.T) durableobject.Driver) {
	ctx := context.Background()

	t.Run("DO-074 idle objects are evicted after 70 s and rebuilt from storage", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{}, nil)
			stub := h.env.Obj.GetByName("idle")
			mustIncr(t, stub, 3)
			time.Sleep(69 * time.Second)
			synctest.Wait()
			require.Zero(t, h.stats().Evictions)
			mem, _ := Do(ctx, stub, func(_ context.Context, o *Obj) (any, error) { return o.Mem["n"], nil })
			require.Equal(t, 3, mem, "still the same instance")
			time.Sleep(71 * time.Second)
			synctest.Wait()
			require.EqualValues(t, 1, h.stats().Evictions)
			require.Zero(t, h.stats().LiveObjects)
			require.EqualValues(t, 1, h.stats().OpenDatabases, "the database stays open for the next activation")
			runs := h.hooks.ctorRuns.Load()
			require.Equal(t, 4, mustIncr(t, stub, 1), "storage outlives the instance")
			require.Equal(t, runs+1, h.hooks.ctorRuns.Load())
			require.EqualValues(t, 1, h.stats().OpenDatabases, "the same database")
		})
	})

	t.Run("DO-074 evicted objects' open databases stay within MaxOpenDatabases", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{MaxOpenDatabases: 2}, nil)
			names := []string{"a", "b", "c", "d"}
			for i, n := range names {
				mustIncr(t, h.env.Obj.GetByName(n), i+1)
			}
			time.Sleep(71 * time.Second)
			synctest.Wait()
			require.EqualValues(t, len(names), h.stats().Evictions)
			require.LessOrEqual(t, h.stats().OpenDatabases, int64(2))
			for round := range 2 {
				for i, n := range names {
					require.Equal(t, i+2+round, mustIncr(t, h.env.Obj.GetByName(n), 1), "%s after eviction", n)
				}
				time.Sleep(71 * time.Second)
				synctest.Wait()
				require.LessOrEqual(t, h.stats().OpenDatabases, int64(2))
			}
			h.close()
			require.Zero(t, h.stats().OpenDatabases, "the engine's close closes the retired databases too")
		})
	})

	t.Run("DO-011 the name is known in every handler after eviction", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			names := make(chan string, 10)
			hk := &hooks{
				ctor: func(o *Obj) { names <- "ctor:" + o.State.ID().Name() },
				fetch: func(o *Obj, req *http.Request, ctx *worker.Context) (*http.Response, error) {
					names <- "fetch:" + o.State.ID().Name()
					return worker.Text(200, "")
				},
				alarm: func(o *Obj, ctx *worker.Context, _ durableobject.AlarmInfo) error {
					names <- "alarm:" + o.State.ID().Name()
					return nil
				},
			}
			h := start(t, d, durableobject.Options{}, hk)
			stub := h.env.Obj.GetByName("named")
			setAlarm(t, stub, time.Now().Add(time.Hour))
			require.NoError(t, h.h["Obj"].Evict(ctx, stub.ID()))
			time.Sleep(2 * time.Hour)
			synctest.Wait()
			id, err := h.env.Obj.IDFromString(stub.ID().String())
			require.NoError(t, err)
			_, err = h.env.Obj.Get(id).Fetch(ctx, httptest.NewRequest(http.MethodGet, "http://do/", nil))
			require.NoError(t, err)
			close(names)
			var got []string
			for n := range names {
				got = append(got, n)
			}
			require.Equal(t, []string{"ctor:named", "ctor:named", "alarm:named", "ctor:named", "fetch:named"}, got)
		})
	})

	t.Run("DO-075 Close finishes queued events, then closes sockets and refuses calls", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			w := &wsHooks{}
			h := start(t, d, durableobject.Options{}, w.hooks(nil))
			stub := h.env.Obj.GetByName("shutdown")
			client := connect(t, stub, "")
			release := make(chan struct{})
			pending := async(func() error {
				_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
					<-release
					return nil, o.State.Storage().Put(ctx, "done", true)
				})
				return err
			})
			synctest.Wait()
			closed := async(func() error { return h.eng.Close(ctx) })
			synctest.Wait()
			_, err := Incr.Call(ctx, stub, 1)
			require.ErrorIs(t, err, durableobject.ErrClosed)
			close(release)
			require.NoError(t, <-pending)
			require.NoError(t, <-closed)
			h.closed = true
			_, err = client.Receive(ctx)
			var ce *worker.CloseError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, 1001, ce.Code)
			h2 := start(t, d, durableobject.Options{}, nil)
			require.True(t, mustGet[bool](t, h2.env.Obj.GetByName("shutdown"), "done"))
		})
	})

	run(t, newDriver, "DO-076 each event has its own CPU budget", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{Limits: worker.Limits{CPU: 20 * time.Millisecond}}, nil)
		stub := h.env.Obj.GetByName("cpu")
		spin := func(d time.Duration) func(context.Context, *Obj) (any, error) {
			return func(context.Context, *Obj) (any, error) {
				for end := time.Now().Add(d); time.Now().Before(end); {
				}
				return nil, nil
			}
		}
		for range 3 { // 3 × 10 ms: each event gets a fresh budget
			_, err := Do(ctx, stub, spin(10*time.Millisecond))
			require.NoError(t, err)
		}
		_, err := Do(ctx, stub, spin(200*time.Millisecond))
		require.ErrorIs(t, err, worker.ErrCPULimit)
	})

	run(t, newDriver, "DO-077 inspection: list, read, evict, delete", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		nh := h.h["Obj"]
		stub := h.env.Obj.GetByName("inspected")
		alarmAt := time.Now().Add(time.Hour).Truncate(time.Millisecond)
		_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			s := o.State.Storage()
			s.Put(ctx, "b", map[string]int{"x": 1})
			s.Put(ctx, "a", "text")
			if _, err := s.SQL().Exec("CREATE TABLE msgs (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO msgs (body) VALUES ('hi'), ('there')"); err != nil {
				return nil, err
			}
			return nil, s.SetAlarm(ctx, alarmAt)
		})
		require.NoError(t, err)
		mustIncr(t, h.env.Obj.Get(h.env.Obj.NewUniqueID()), 1)

		objs, err := nh.Objects(ctx)
		require.NoError(t, err)
		require.Len(t, objs, 2)
		var found *durableobject.ObjectInfo
		for i := range objs {
			if objs[i].Name == "inspected" {
				found = &objs[i]
			}
		}
		require.NotNil(t, found)
		require.Equal(t, stub.ID().String(), found.ID)
		require.True(t, found.Alarm.Equal(alarmAt))

		id, err := nh.ResolveID("inspected")
		require.NoError(t, err)
		require.True(t, id.Equal(stub.ID()))
		id, err = nh.ResolveID(stub.ID().String())
		require.NoError(t, err)
		require.True(t, id.Equal(stub.ID()))

		dump, err := nh.Read(ctx, stub.ID())
		require.NoError(t, err)
		require.Equal(t, "inspected", dump.Name)
		require.Equal(t, []durableobject.Entry[json.RawMessage]{{Key: "a", Value: json.RawMessage(`"text"`)}, {Key: "b", Value: json.RawMessage(`{"x":1}`)}}, dump.KV)
		require.Len(t, dump.Tables, 1)
		require.Equal(t, "msgs", dump.Tables[0].Name)
		require.Equal(t, []string{"id", "body"}, dump.Tables[0].Columns)
		require.Equal(t, [][]any{{int64(1), "hi"}, {int64(2), "there"}}, dump.Tables[0].Rows)
		require.True(t, dump.Alarm.Equal(alarmAt))
		require.Positive(t, dump.SizeBytes)

		runs := h.hooks.ctorRuns.Load()
		require.NoError(t, nh.Evict(ctx, stub.ID()))
		require.Equal(t, "text", mustGet[string](t, stub, "a"), "eviction keeps storage")
		require.Equal(t, runs+1, h.hooks.ctorRuns.Load())

		require.NoError(t, nh.Delete(ctx, stub.ID()))
		dump, err = nh.Read(ctx, stub.ID())
		require.NoError(t, err)
		require.Empty(t, dump.KV)
		require.Empty(t, dump.Tables)
		require.Nil(t, dump.Alarm)
		objs, err = nh.Objects(ctx)
		require.NoError(t, err)
		require.Len(t, objs, 1)
		require.Equal(t, "", mustGet[string](t, stub, "a"))

		// The same, without a running engine, as the runner's CLI does.
		mustIncr(t, h.env.Obj.GetByName("cli"), 5)
		h.close()
		nss, err := durableobject.ListNamespaces(ctx, d)
		require.NoError(t, err)
		var keys []string
		for _, n := range nss {
			keys = append(keys, n.UniqueKey)
			require.Equal(t, "Obj", n.Class)
		}
		require.Contains(t, keys, "dotest-Obj")
		cli, err := durableobject.ResolveID("dotest-Obj", "cli")
		require.NoError(t, err)
		list, err := durableobject.ListObjects(ctx, d, "dotest-Obj")
		require.NoError(t, err)
		require.Len(t, list, 2)
		dump, err = durableobject.ReadObject(ctx, d, "dotest-Obj", cli)
		require.NoError(t, err)
		require.Equal(t, []durableobject.Entry[json.RawMessage]{{Key: "n", Value: json.RawMessage(`5`)}}, dump.KV)
		require.NoError(t, durableobject.DeleteObject(ctx, d, "dotest-Obj", cli))
		dump, err = durableobject.ReadObject(ctx, d, "dotest-Obj", cli)
		require.NoError(t, err)
		require.Empty(t, dump.KV)
		_, err = durableobject.ResolveID("dotest-Obj", h.env.Other.IDFromName("x").String())
		require.ErrorIs(t, err, durableobject.ErrIDNamespace)
	})

	run(t, newDriver, "open databases are bounded", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{MaxOpenDatabases: 3}, nil)
		for i := range 10 {
			mustIncr(t, h.env.Obj.GetByName(fmt.Sprint("lru", i)), i)
		}
		require.LessOrEqual(t, h.stats().OpenDatabases, int64(3))
		for i := range 10 {
			require.Equal(t, i, mustIncr(t, h.env.Obj.GetByName(fmt.Sprint("lru", i)), 0), "closed databases reopen")
		}
		require.LessOrEqual(t, h.stats().OpenDatabases, int64(3))
	})

	run(t, newDriver, "stub calls count as subrequests of the caller", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		wctx, cancel := worker.NewContext(ctx, worker.ContextOptions{Limits: worker.Limits{Subrequests: 2}})
		defer cancel()
		stub := h.env.Obj.GetByName("budget")
		for range 2 {
			_, err := Incr.Call(wctx, stub, 1)
			require.NoError(t, err)
		}
		_, err := Incr.Call(wctx, stub, 1)
		require.ErrorIs(t, err, worker.ErrSubrequestLimit)
		require.Equal(t, 3, wctx.Subrequests())
	})

	run(t, newDriver, "a panic resets the object and rolls back the event's writes", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("panics")
		mustIncr(t, stub, 1)
		runs := h.hooks.ctorRuns.Load()
		_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
			o.State.Storage().Put(ctx, "n", 100)
			o.Mem["n"] = 100
			panic(errors.New("boom"))
		})
		var pe *durableobject.PanicError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, 2, mustIncr(t, stub, 1))
		require.Equal(t, runs+1, h.hooks.ctorRuns.Load())
		mem, _ := Do(ctx, stub, func(_ context.Context, o *Obj) (any, error) { return o.Mem["n"], nil })
		require.Equal(t, 1, mem, "the new instance only saw the increment after the panic")

		h.hooks.mu.Lock()
		h.hooks.ctor = func(o *Obj) {
			if o.State.ID().Name() == "badctor" {
				panic("constructor fails")
			}
		}
		h.hooks.mu.Unlock()
		_, err = Incr.Call(ctx, h.env.Obj.GetByName("badctor"), 1)
		require.ErrorAs(t, err, &pe)
		require.True(t, durableobject.IsRemote(err))
	})
}
