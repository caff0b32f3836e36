// Command worker is the benchmark worker: the same endpoints as the simulator anchor's
// worker.mjs, on flarego's bindings, so that both are measured by the same clients.
package main

import (
	"bytes"
	_ "embed"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/r2"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the benchmark's bindings.
type Env struct {
	KV     *kv.Namespace `binding:"KV"`
	Bucket *r2.Bucket    `binding:"BUCKET"`
	DB     *d1.Database  `binding:"DB"`
}

// App routes the benchmark endpoints.
type App struct{}

// Fetch implements worker.Handler.
func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	q := req.URL.Query()
	switch req.URL.Path {
	case "/hello":
		return worker.Text(http.StatusOK, "Hello World")
	case "/kv/put":
		if err := env.KV.PutString(ctx, q.Get("k"), q.Get("v")); err != nil {
			return nil, err
		}
		return worker.Text(http.StatusOK, "ok")
	case "/kv/get":
		v, err := env.KV.Get(ctx, q.Get("k"))
		if errors.Is(err, kv.ErrNotFound) {
			return worker.Text(http.StatusNotFound, "not found")
		}
		if err != nil {
			return nil, err
		}
		return worker.NewResponse(http.StatusOK, textPlain(), bytes.NewReader(v)), nil
	case "/d1/insert":
		name := q.Get("name")
		if name == "" {
			name = "item"
		}
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil {
			n = rand.IntN(1e6)
		}
		row, err := env.DB.Prepare("INSERT INTO items (name, n) VALUES (?, ?) RETURNING id").Bind(name, n).First(ctx)
		if err != nil {
			return nil, err
		}
		return worker.JSON(http.StatusOK, row)
	case "/d1/get":
		id, _ := strconv.Atoi(q.Get("id"))
		row, err := env.DB.Prepare("SELECT id, name, n FROM items WHERE id = ?").Bind(id).First(ctx)
		if err != nil {
			return nil, err
		}
		if row == nil {
			return worker.Text(http.StatusNotFound, "not found")
		}
		return worker.JSON(http.StatusOK, row)
	case "/admin/init":
		if _, err := env.DB.Exec(ctx, "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)"); err != nil {
			return nil, err
		}
		return worker.Text(http.StatusOK, "ok")
	case "/r2/put":
		obj, err := env.Bucket.Put(ctx, q.Get("key"), req.Body, nil)
		if err != nil {
			return nil, err
		}
		return worker.Text(http.StatusOK, obj.ETag)
	case "/r2/get":
		obj, err := env.Bucket.Get(ctx, q.Get("key"), nil)
		if errors.Is(err, r2.ErrNotFound) {
			return worker.Text(http.StatusNotFound, "not found")
		}
		if err != nil {
			return nil, err
		}
		h := http.Header{"Content-Type": {"application/octet-stream"}, "Etag": {obj.HTTPETag}}
		resp := worker.NewResponse(http.StatusOK, h, obj.Body)
		resp.ContentLength = obj.Size
		return resp, nil
	}
	return worker.Text(http.StatusNotFound, "not found")
}

func main() {
	host.Main(worker.New[Env](App{}), host.EmbeddedConfig("wrangler.jsonc", config))
}

func textPlain() http.Header { return http.Header{"Content-Type": {"text/plain"}} }
