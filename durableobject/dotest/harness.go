package dotest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

// Env is the worker Env of the suite's objects.
type Env struct {
	Obj   *durableobject.Namespace[*Obj] // SQLite-backed
	Other *durableobject.Namespace[*Obj] // same class, another unique key
	KV    *durableobject.Namespace[*Obj] // key-value backed (LegacyKV)
	hooks *hooks
}

// Obj is the suite's Durable Object class. What it does is set per test through hooks and
// through Do, which runs a function of the test inside one of the object's events.
type Obj struct {
	State *durableobject.State
	Env   *Env
	// Mem is in-memory state, lost on eviction.
	Mem map[string]int
}

// hooks are the per-test behaviours of Obj's handlers.
type hooks struct {
	mu        sync.Mutex
	ctor      func(o *Obj)
	fetch     func(o *Obj, req *http.Request, ctx *worker.Context) (*http.Response, error)
	alarm     func(o *Obj, ctx *worker.Context, info durableobject.AlarmInfo) error
	wsMessage func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error
	wsClose   func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, code int, reason string, clean bool) error
	wsError   func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, err error) error
	ctorRuns  atomic.Int64
}

func (h *hooks) get() hooks {
	h.mu.Lock()
	defer h.mu.Unlock()
	return hooks{ctor: h.ctor, fetch: h.fetch, alarm: h.alarm, wsMessage: h.wsMessage, wsClose: h.wsClose, wsError: h.wsError}
}

func newObj(state *durableobject.State, env *Env) *Obj {
	o := &Obj{State: state, Env: env, Mem: map[string]int{}}
	env.hooks.ctorRuns.Add(1)
	if f := env.hooks.get().ctor; f != nil {
		f(o)
	}
	return o
}

// Fetch implements durableobject.Fetcher.
func (o *Obj) Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error) {
	if f := o.Env.hooks.get().fetch; f != nil {
		return f(o, req, ctx)
	}
	return worker.Text(http.StatusOK, "hello from "+o.State.ID().Name())
}

// Alarm implements durableobject.Alarmer.
func (o *Obj) Alarm(ctx *worker.Context, info durableobject.AlarmInfo) error {
	if f := o.Env.hooks.get().alarm; f != nil {
		return f(o, ctx, info)
	}
	return nil
}

// WebSocketMessage implements durableobject.WebSocketMessageHandler.
func (o *Obj) WebSocketMessage(ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
	if f := o.Env.hooks.get().wsMessage; f != nil {
		return f(o, ctx, ws, msg)
	}
	return ws.Send(ctx, msg.Type, msg.Data)
}

// WebSocketClose implements durableobject.WebSocketCloseHandler.
func (o *Obj) WebSocketClose(ctx *worker.Context, ws *durableobject.WebSocket, code int, reason string, clean bool) error {
	if f := o.Env.hooks.get().wsClose; f != nil {
		return f(o, ctx, ws, code, reason, clean)
	}
	return nil
}

// WebSocketError implements durableobject.WebSocketErrorHandler.
func (o *Obj) WebSocketError(ctx *worker.Context, ws *durableobject.WebSocket, err error) error {
	if f := o.Env.hooks.get().wsError; f != nil {
		return f(o, ctx, ws, err)
	}
	return nil
}

// Incr adds by to the stored counter "n" and to Mem["n"], and returns the stored value.
func (o *Obj) Incr(ctx context.Context, by int) (int, error) {
	s := o.State.Storage()
	n, _, err := durableobject.Get[int](ctx, s, "n")
	if err != nil {
		return 0, err
	}
	n += by
	o.Mem["n"] += by
	return n, s.Put(ctx, "n", n)
}

// Do runs the function registered under key inside the object's event.
func (o *Obj) Do(ctx context.Context, key string) (any, error) {
	f, ok := funcs.Load(key)
	if !ok {
		return nil, fmt.Errorf("dotest: no function %q", key)
	}
	return f.(func(context.Context, *Obj) (any, error))(ctx, o)
}

var (
	// Incr is the RPC descriptor of Obj.Incr.
	Incr = durableobject.Method("Incr", (*Obj).Incr)
	// DoMethod is the RPC descriptor of Obj.Do.
	DoMethod = durableobject.Method("Do", (*Obj).Do)

	funcs   sync.Map
	funcSeq atomic.Int64
)

// Do runs fn inside an event of the object stub reaches and returns what it returns.
func Do(ctx context.Context, stub *durableobject.Stub[*Obj], fn func(ctx context.Context, o *Obj) (any, error)) (any, error) {
	key := fmt.Sprint("f", funcSeq.Add(1))
	funcs.Store(key, fn)
	defer funcs.Delete(key)
	return DoMethod.Call(ctx, stub, key)
}

// harness is one running engine over a driver.
type harness struct {
	t      testing.TB
	driver durableobject.Driver
	eng    *durableobject.Engine
	env    *Env
	hooks  *hooks
	h      map[string]*durableobject.NamespaceHandle
	closed bool
}

// start runs an engine over d with the suite's classes, after setting hooks.
func start(t testing.TB, d durableobject.Driver, opts durableobject.Options, hk *hooks) *harness {
	t.Helper()
	if hk == nil {
		hk = &hooks{}
	}
	opts.Driver = d
	eng, err := durableobject.NewEngine(nil, opts)
	require.NoError(t, err)
	require.NoError(t, eng.AddClass(durableobject.NewClass("Obj", newObj)))
	h := &harness{t: t, driver: d, eng: eng, hooks: hk, h: map[string]*durableobject.NamespaceHandle{}}
	env := &Env{hooks: hk}
	for _, c := range []struct {
		name string
		cfg  durableobject.NamespaceConfig
		dst  **durableobject.Namespace[*Obj]
	}{
		{"Obj", durableobject.NamespaceConfig{Class: "Obj", UniqueKey: "dotest-Obj"}, &env.Obj},
		{"Other", durableobject.NamespaceConfig{Class: "Obj", UniqueKey: "dotest-Other"}, &env.Other},
		{"KV", durableobject.NamespaceConfig{Class: "Obj", UniqueKey: "dotest-KV", LegacyKV: true}, &env.KV},
	} {
		nh, err := eng.Namespace(c.cfg)
		require.NoError(t, err)
		ns, err := durableobject.Bind[*Obj](nh)
		require.NoError(t, err)
		*c.dst = ns
		h.h[c.name] = nh
	}
	h.env = env
	require.NoError(t, eng.Start(env))
	t.Cleanup(func() { h.close() })
	return h
}

func (h *harness) close() {
	if h.closed {
		return
	}
	h.closed = true
	require.NoError(h.t, h.eng.Close(context.Background()))
}

// run gives each subtest a fresh driver and closes it at the end.
func run(t *testing.T, newDriver func(*testing.T) durableobject.Driver, name string, fn func(t *testing.T, d durableobject.Driver)) {
	t.Run(name, func(t *testing.T) {
		d := newDriver(t)
		t.Cleanup(func() { d.Close() }) // after the engines, whose cleanups come later
		fn(t, d)
	})
}

// bubble runs fn in a synctest bubble with a fresh driver.
func bubble(t *testing.T, newDriver func(*testing.T) durableobject.Driver, fn func(t *testing.T, d durableobject.Driver)) {
	synctest.Test(t, func(t *testing.T) {
		d := newDriver(t)
		t.Cleanup(func() { d.Close() })
		fn(t, d)
	})
}

func (h *harness) stats() durableobject.Stats { return h.eng.Stats() }

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// async runs fn in a goroutine and returns a channel with its error.
func async(fn func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	return ch
}

// received reports whether ch has a value now, without waiting.
func received[V any](ch <-chan V) bool {
	select {
	case v := <-ch:
		_ = v
		return true
	default:
		return false
	}
}
