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
	"strings"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/r2"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the benchmark's bindings.
type Env struct {
	KV      *kv.Namespace                      `binding:"KV"`
	Bucket  *r2.Bucket                         `binding:"BUCKET"`
	DB      *d1.Database                       `binding:"DB"`
	Counter *durableobject.Namespace[*Counter] `binding:"COUNTER"`
	Room    *durableobject.Namespace[*Room]    `binding:"ROOM"`
	Queue   *queues.Producer[QueueMessage]     `binding:"QUEUE"`
}

// Item is a row of the items table.
type Item struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	N    int64  `json:"n"`
}

// QueueMessage is what /q/send enqueues: the send time, to measure delivery latency.
type QueueMessage struct {
	T int64  `json:"t"`
	I string `json:"i"`
}

// queueStatsObject is the object that counts delivered messages.
const queueStatsObject = "__queue_stats__"

// App routes the benchmark endpoints.
type App struct{}

// Fetch implements worker.Handler.
func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	if req.URL.Path == "/hello" {
		return worker.Text(http.StatusOK, "Hello World")
	}
	q := req.URL.Query()
	switch req.URL.Path {
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
		row, ok, err := d1.First[Item](ctx, env.DB.Prepare("SELECT id, name, n FROM items WHERE id = ?").Bind(id))
		if err != nil {
			return nil, err
		}
		if !ok {
			return worker.Text(http.StatusNotFound, "not found")
		}
		return worker.JSON(http.StatusOK, row)
	case "/do/incr":
		v, err := Incr.Call(ctx, env.Counter.GetByName(nameOr(q.Get("name"))), 1)
		if err != nil {
			return nil, err
		}
		return worker.Text(http.StatusOK, strconv.FormatInt(v, 10))
	case "/do/get":
		v, err := Value.Call(ctx, env.Counter.GetByName(nameOr(q.Get("name"))), struct{}{})
		if err != nil {
			return nil, err
		}
		return worker.Text(http.StatusOK, strconv.FormatInt(v, 10))
	case "/q/send":
		if err := env.Queue.Send(ctx, QueueMessage{T: time.Now().UnixMilli(), I: q.Get("i")}); err != nil {
			return nil, err
		}
		return worker.Text(http.StatusOK, "ok")
	case "/q/count":
		st, err := Stats.Call(ctx, env.Counter.GetByName(queueStatsObject), struct{}{})
		if err != nil {
			return nil, err
		}
		return worker.JSON(http.StatusOK, st)
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
	if room, ok := strings.CutPrefix(req.URL.Path, "/ws/"); ok {
		if room == "" {
			room = "lobby"
		}
		return env.Room.GetByName(room).Fetch(ctx, req)
	}
	return worker.Text(http.StatusNotFound, "not found")
}

func nameOr(n string) string {
	if n == "" {
		return "default"
	}
	return n
}

// consume counts delivered messages in the statistics object, as the simulator worker does.
func consume(batch *queues.Batch[QueueMessage], env Env, ctx *worker.Context) error {
	now := time.Now().UnixMilli()
	var maxLat int64
	for _, m := range batch.Messages {
		maxLat = max(maxLat, now-m.Body.T)
	}
	_, err := RecordBatch.Call(ctx, env.Counter.GetByName(queueStatsObject), BatchSeen{N: int64(len(batch.Messages)), MaxLatencyMs: maxLat})
	if err != nil {
		return err
	}
	batch.AckAll()
	return nil
}

func main() {
	app := worker.New[Env](App{})
	durableobject.Register(app, "Counter", NewCounter)
	durableobject.Register(app, "Room", NewRoom)
	queues.Consume(app, "jobs", consume)
	host.Main(app, host.EmbeddedConfig("wrangler.jsonc", config))
}

func textPlain() http.Header { return http.Header{"Content-Type": {"text/plain"}} }
