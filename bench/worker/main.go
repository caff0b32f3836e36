// Command worker is the benchmark worker: the same endpoints as the simulator anchor's
// worker.mjs, on flarego's bindings, so that both are measured by the same clients.
package main

import (
	_ "embed"
	"net/http"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the benchmark's bindings.
type Env struct{}

// App routes the benchmark endpoints.
type App struct{}

// Fetch implements worker.Handler.
func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	switch req.URL.Path {
	case "/hello":
		return worker.Text(http.StatusOK, "Hello World")
	}
	return worker.Text(http.StatusNotFound, "not found")
}

func main() {
	host.Main(worker.New[Env](App{}), host.EmbeddedConfig("wrangler.jsonc", config))
}
