// Command ratelimit puts a per-tenant rate limit in front of an API: each tenant's
// requests are counted by its own Durable Object (a sliding-window counter), and a request
// over the limit gets 429 Too Many Requests with a Retry-After header.
//
//	go run ./examples/ratelimit
//	for i in $(seq 12); do curl -si -H 'X-Tenant: acme' localhost:8787/api/hello | head -1; done
//
// The limit and the window are vars in wrangler.jsonc (10 requests per 60 seconds).
package main

import (
	_ "embed"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the bindings and vars declared in wrangler.jsonc.
type Env struct {
	Limiters      *durableobject.Namespace[*Limiter] `binding:"LIMITERS"`
	Limit         int                                `binding:"LIMIT"`
	WindowSeconds int                                `binding:"WINDOW_SECONDS"`
}

// App checks the tenant's limit before serving the API.
type App struct{}

// Fetch implements worker.Handler.
func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	tenant := req.Header.Get("X-Tenant")
	if tenant == "" {
		return worker.Error(http.StatusUnauthorized, "send your tenant in X-Tenant")
	}
	// One object per tenant: the name picks it, wherever the request arrived.
	d, err := Check.Call(ctx, env.Limiters.GetByName(tenant), struct{}{})
	if err != nil {
		return nil, err
	}
	var resp *http.Response
	if !d.Allowed {
		resp, _ = worker.Text(http.StatusTooManyRequests, "rate limit exceeded")
		// Retry-After is in whole seconds, rounded up so that a client that waits that long
		// gets through.
		resp.Header.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.RetryAfter.Seconds())))))
	} else if resp, err = serveAPI(req, tenant); err != nil {
		return nil, err
	}
	resp.Header.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	resp.Header.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	return resp, nil
}

// serveAPI is the API the limit protects.
func serveAPI(req *http.Request, tenant string) (*http.Response, error) {
	return worker.Text(http.StatusOK, fmt.Sprintf("hello, %s: %s %s", tenant, req.Method, req.URL.Path))
}

func newApp() *worker.App[Env] {
	app := worker.New[Env](App{})
	durableobject.Register(app, "Limiter", NewLimiter)
	return app
}

func main() {
	host.Main(newApp(), host.EmbeddedConfig("wrangler.jsonc", config))
}
