// Command counter keeps named counters, each a Durable Object with its value in its own
// SQLite database, called from the worker by typed RPC.
//
//	go run ./examples/counter
//	curl -X POST localhost:8787/counters/visits/add?by=1   # 1
//	curl -X POST localhost:8787/counters/visits/add?by=1   # 2
//	curl localhost:8787/counters/visits                    # 2
//
// Every name gets its own object (GetByName), so counters never contend with each other,
// and each object runs one call at a time, so a counter never loses an update.
package main

import (
	_ "embed"
	"net/http"
	"strconv"
	"strings"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the bindings declared in wrangler.jsonc.
type Env struct {
	Counters *durableobject.Namespace[*Counter] `binding:"COUNTERS"`
}

// App routes /counters/NAME and /counters/NAME/add to the counter's object.
type App struct{}

// Fetch implements worker.Handler.
func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	name, action, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/counters/"), "/")
	if !strings.HasPrefix(req.URL.Path, "/counters/") || name == "" {
		return worker.Error(http.StatusNotFound, "try /counters/NAME")
	}
	// A stub is cheap and makes no round trip; the object is created on its first call.
	stub := env.Counters.GetByName(name)
	switch {
	case action == "" && req.Method == http.MethodGet:
		n, err := Value.Call(ctx, stub, struct{}{})
		if err != nil {
			return nil, err
		}
		return worker.Text(http.StatusOK, strconv.FormatInt(n, 10))
	case action == "add" && req.Method == http.MethodPost:
		by := int64(1)
		if s := req.URL.Query().Get("by"); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return worker.Error(http.StatusBadRequest, "by must be an integer")
			}
			by = v
		}
		n, err := Add.Call(ctx, stub, by)
		if err != nil {
			return nil, err
		}
		return worker.Text(http.StatusOK, strconv.FormatInt(n, 10))
	}
	return worker.Error(http.StatusNotFound, "")
}

func newApp() *worker.App[Env] {
	app := worker.New[Env](App{})
	durableobject.Register(app, "Counter", NewCounter)
	return app
}

func main() {
	host.Main(newApp(), host.EmbeddedConfig("wrangler.jsonc", config))
}
