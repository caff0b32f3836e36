// Command hello is the smallest flarego worker: `go run ./examples/hello` serves it on
// http://127.0.0.1:8787 with its state under .flarego/state.
package main

import (
	_ "embed"
	"fmt"
	"net/http"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env is what the worker gets from its config.
type Env struct {
	Greeting string `binding:"GREETING"`
}

// App answers every request with the greeting, and /hello with the plain text the
// benchmarks expect.
type App struct{}

// Fetch implements worker.Handler.
func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	if req.URL.Path == "/" || req.URL.Path == "/hello" {
		return worker.Text(http.StatusOK, env.Greeting)
	}
	return worker.Text(http.StatusNotFound, fmt.Sprintf("no route for %s", req.URL.Path))
}

func main() {
	host.Main(worker.New[Env](App{}), host.EmbeddedConfig("wrangler.jsonc", config))
}
