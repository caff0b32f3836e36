// Command chat is "Accord", a small chat service: servers and their channels are rows in
// D1; each channel is a Durable Object that keeps the channel's messages in its own SQLite
// database and is the WebSocket server of everyone in the channel; a web page served as
// static assets ties it together.
//
//	go run ./examples/chat        # then open http://127.0.0.1:8787 in two windows
//
// The API:
//
//	GET  /api/servers                                      list servers
//	POST /api/servers {"name":"…"}                         create a server
//	GET  /servers/{server_id}/channels                     list its channels
//	POST /servers/{server_id}/channels {"name":"…"}        create a channel
//	GET  /servers/{server_id}/channels/{channel_id}/messages?limit=N
//	GET  /servers/{server_id}/channels/{channel_id}/connect?name=YOU   (WebSocket)
//
// D1 answers "which channels exist"; the channel's object answers "what was said", so one
// busy channel never slows another. The schema is in migrations/, applied at start.
package main

import (
	_ "embed"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the bindings declared in wrangler.jsonc.
type Env struct {
	DB       *d1.Database                       `binding:"DB"`
	Channels *durableobject.Namespace[*Channel] `binding:"CHANNELS"`
}

func newApp() *worker.App[Env] {
	rt := &worker.Router[Env]{}
	rt.Handle("GET /api/servers", listServers)
	rt.Handle("POST /api/servers", createServer)
	rt.Handle("GET /servers/{server_id}/channels", listChannels)
	rt.Handle("POST /servers/{server_id}/channels", createChannel)
	rt.Handle("GET /servers/{server_id}/channels/{channel_id}/messages", messages)
	rt.Handle("GET /servers/{server_id}/channels/{channel_id}/connect", connect)
	app := worker.New[Env](rt)
	durableobject.Register(app, "Channel", NewChannel)
	return app
}

// channelObject is the object of channel id: its name in the namespace is the id.
func channelObject(env Env, id int64) *durableobject.Stub[*Channel] {
	return env.Channels.GetByName(strconv.FormatInt(id, 10))
}

func messages(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	id, ok, err := findChannel(req, env, ctx)
	if err != nil || !ok {
		return notFound(err, "no such channel")
	}
	limit, err := strconv.Atoi(req.URL.Query().Get("limit"))
	if err != nil {
		limit = historySize
	}
	msgs, err := History.Call(ctx, channelObject(env, id), limit)
	if err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusOK, msgs)
}

// connect hands the WebSocket upgrade to the channel's object, which answers it.
func connect(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	id, ok, err := findChannel(req, env, ctx)
	if err != nil || !ok {
		return notFound(err, "no such channel")
	}
	return channelObject(env, id).Fetch(ctx, req)
}

func main() {
	host.Main(newApp(),
		host.EmbeddedConfig("wrangler.jsonc", config),
		host.Configure(func(o *host.Options) {
			o.ApplyMigrations = true
			if o.Dir == "" && o.ConfigPath == "" {
				o.Dir = projectDir()
			}
		}))
}

// projectDir is where migrations/, public/ and .flarego/state are: the working directory
// when it holds migrations/, else this program's source directory, so that `go run
// ./examples/chat` works from the repository's root too.
func projectDir() string {
	if _, err := os.Stat("migrations"); err == nil {
		return "."
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		if _, err := os.Stat(filepath.Join(filepath.Dir(file), "migrations")); err == nil {
			return filepath.Dir(file)
		}
	}
	return "."
}
