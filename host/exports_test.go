package host_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/flarego/flarego/workflows"
	"github.com/stretchr/testify/require"
)

type ExportsEnv struct{}

type greeter struct{}

var greet = worker.Method("Greet", func(g *greeter, ctx context.Context, name string) (string, error) {
	return "hello " + name, nil
})

type exportsCounter struct{ state *durableobject.State }

var exportsIncr = durableobject.Method("Incr", func(c *exportsCounter, ctx context.Context, by int64) (int64, error) {
	var n int64
	if _, err := c.state.Storage().Get(ctx, "n", &n); err != nil {
		return 0, err
	}
	n += by
	return n, c.state.Storage().Put(ctx, "n", n)
})

// W-029: ctx.exports reaches the worker's own entrypoints as loopback service bindings and
// its Durable Object classes as namespaces, with no binding for them in the config.
func TestContextExports_W029(t *testing.T) {
	app := worker.New[ExportsEnv](worker.HandlerFunc[ExportsEnv](func(req *http.Request, env ExportsEnv, ctx *worker.Context) (*http.Response, error) {
		switch {
		case req.URL.Path == "/self":
			return worker.Text(200, "fetched through the loopback")
		case strings.HasPrefix(req.URL.Path, "/greet/"):
			svc, err := ctx.Exports().Service("default")
			if err != nil {
				return nil, err
			}
			s, err := greet.Call(ctx, svc, strings.TrimPrefix(req.URL.Path, "/greet/"))
			if err != nil {
				return nil, err
			}
			return worker.Text(200, s)
		case req.URL.Path == "/loop":
			svc, err := ctx.Exports().Service("default")
			if err != nil {
				return nil, err
			}
			out, _ := http.NewRequestWithContext(ctx, "GET", "http://self/self", nil)
			return svc.Fetch(out)
		case req.URL.Path == "/count":
			ns, err := durableobject.Exported[*exportsCounter](ctx, "Counter")
			if err != nil {
				return nil, err
			}
			n, err := exportsIncr.Call(ctx, ns.GetByName("a"), 1)
			if err != nil {
				return nil, err
			}
			return worker.Text(200, strconv.FormatInt(n, 10))
		case req.URL.Path == "/missing":
			_, err := durableobject.Exported[*exportsCounter](ctx, "Nope")
			_, err2 := ctx.Exports().Service("nope")
			return worker.Text(200, err.Error()+" | "+err2.Error())
		}
		return worker.Text(404, "")
	}))
	worker.RegisterEntrypoint(app, "default", func(env ExportsEnv, ctx *worker.Context) *greeter { return &greeter{} })
	durableobject.Register(app, "Counter", func(state *durableobject.State, env ExportsEnv) *exportsCounter {
		return &exportsCounter{state: state}
	})
	rt := workertest.New(t, app, workertest.Config(`{"name":"self-aware","migrations":[{"tag":"v1","new_sqlite_classes":["Counter"]}]}`))

	require.Equal(t, "hello ada", body(t, rt.Fetch(httptest.NewRequest("GET", "/greet/ada", nil))))
	require.Equal(t, "fetched through the loopback", body(t, rt.Fetch(httptest.NewRequest("GET", "/loop", nil))))
	require.Equal(t, "1", body(t, rt.Fetch(httptest.NewRequest("GET", "/count", nil))))
	require.Equal(t, "2", body(t, rt.Fetch(httptest.NewRequest("GET", "/count", nil))))
	missing := body(t, rt.Fetch(httptest.NewRequest("GET", "/missing", nil)))
	require.Contains(t, missing, "Nope")
	require.Contains(t, missing, `no entrypoint "nope"`)

	// Outside a runner there are no exports.
	ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{Kind: "fetch"})
	defer cancel()
	_, err := ctx.Exports().Service("default")
	require.ErrorIs(t, err, worker.ErrNoExports)
}

type ExportsEverywhereEnv struct {
	Jobs   *queues.Producer[string]               `binding:"JOBS"`
	Rooms  *durableobject.Namespace[*exportsRoom] `binding:"ROOMS"`
	Signup *workflows.Workflow[string]            `binding:"SIGNUP"`
}

type exportsRoom struct{}

// greetViaExports calls this worker's own default entrypoint through ctx.exports.
func greetViaExports(ctx *worker.Context, name string) (string, error) {
	svc, err := ctx.Exports().Service("default")
	if err != nil {
		return "", err
	}
	return greet.Call(ctx, svc, name)
}

var roomGreet = durableobject.Method("Greet", func(r *exportsRoom, ctx context.Context, name string) (string, error) {
	return greetViaExports(worker.ContextFrom(ctx), name)
})

// W-029: queue batches, Durable Object events and workflow runs get ctx.exports too.
func TestContextExportsInEveryInvocation_W029(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var fromQueue string
		app := worker.New[ExportsEverywhereEnv](worker.HandlerFunc[ExportsEverywhereEnv](func(req *http.Request, env ExportsEverywhereEnv, ctx *worker.Context) (*http.Response, error) {
			switch req.URL.Path {
			case "/send":
				if err := env.Jobs.Send(ctx, "queue"); err != nil {
					return nil, err
				}
				return worker.Text(200, "sent")
			case "/room":
				s, err := roomGreet.Call(ctx, env.Rooms.GetByName("r"), "object")
				if err != nil {
					return nil, err
				}
				return worker.Text(200, s)
			case "/workflow":
				if _, err := env.Signup.Create(ctx, workflows.CreateOptions[string]{ID: "w1", Params: "workflow"}); err != nil {
					return nil, err
				}
				return worker.Text(200, "created")
			case "/workflow/status":
				inst, err := env.Signup.Get(ctx, "w1")
				if err != nil {
					return nil, err
				}
				st, err := inst.Status(ctx)
				if err != nil {
					return nil, err
				}
				return worker.JSON(200, st)
			}
			return worker.Text(404, "")
		}))
		worker.RegisterEntrypoint(app, "default", func(env ExportsEverywhereEnv, ctx *worker.Context) *greeter { return &greeter{} })
		queues.Consume(app, "jobs", func(b *queues.Batch[string], env ExportsEverywhereEnv, ctx *worker.Context) error {
			s, err := greetViaExports(ctx, b.Messages[0].Body)
			mu.Lock()
			defer mu.Unlock()
			fromQueue = s
			return err
		})
		durableobject.Register(app, "Room", func(state *durableobject.State, env ExportsEverywhereEnv) *exportsRoom { return &exportsRoom{} })
		workflows.Register(app, "Signup", func(ev workflows.Event[string], step *workflows.Step, env ExportsEverywhereEnv, ctx *worker.Context) (string, error) {
			return workflows.Do(step, "greet", func(context.Context) (string, error) { return greetViaExports(ctx, ev.Payload) })
		})
		rt := workertest.New(t, app, workertest.Config(`{"name":"everywhere",
			"queues": {"producers": [{"binding": "JOBS", "queue": "jobs"}], "consumers": [{"queue": "jobs", "max_batch_timeout": 1}]},
			"durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "Room"}]},
			"migrations": [{"tag": "v1", "new_sqlite_classes": ["Room"]}],
			"workflows": [{"name": "signup", "binding": "SIGNUP", "class_name": "Signup"}]}`))

		require.Equal(t, "hello object", body(t, rt.Fetch(httptest.NewRequest("GET", "/room", nil))))
		require.Equal(t, "sent", body(t, rt.Fetch(httptest.NewRequest("GET", "/send", nil))))
		require.Equal(t, "created", body(t, rt.Fetch(httptest.NewRequest("GET", "/workflow", nil))))
		time.Sleep(2 * time.Second)
		synctest.Wait()
		mu.Lock()
		require.Equal(t, "hello queue", fromQueue)
		mu.Unlock()
		require.Contains(t, body(t, rt.Fetch(httptest.NewRequest("GET", "/workflow/status", nil))), `"output":"hello workflow"`)
	})
}
