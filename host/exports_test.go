package host_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
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
