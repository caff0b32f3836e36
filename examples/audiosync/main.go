// Command audiosync keeps groups of listeners in sync: each group has a Durable Object and
// a WebSocket channel, and every member's player shows the same track at the same position.
// Anyone may play, pause, seek or skip; late joiners start where the others are; when a
// track ends, an alarm moves the group to the next one.
//
//	go run ./examples/audiosync
//	websocat 'ws://127.0.0.1:8787/groups/friday/listen?name=ada'
//	> {"type":"play"}
//	curl localhost:8787/groups/friday                     # the group's state
//	curl -X PUT localhost:8787/groups/friday/playlist -d '[{"title":"Song","url":"/a.mp3","duration":200}]'
//
// The server keeps time, not audio: players load the track URLs themselves.
package main

import (
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the bindings declared in wrangler.jsonc.
type Env struct {
	Groups *durableobject.Namespace[*Group] `binding:"GROUPS"`
}

// App routes each group's requests to the group's object.
type App struct{}

var groupPattern = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// Fetch implements worker.Handler.
func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/groups/"), "/")
	if !strings.HasPrefix(req.URL.Path, "/groups/") || !groupPattern.MatchString(parts[0]) {
		return worker.Error(http.StatusNotFound, "try /groups/NAME, /groups/NAME/listen?name=YOU or /groups/NAME/playlist")
	}
	group := env.Groups.GetByName(parts[0])
	route := req.Method + " " + strings.Join(parts[1:], "/")
	switch route {
	case "GET ":
		st, err := Now.Call(ctx, group, struct{}{})
		if err != nil {
			return nil, err
		}
		return worker.JSON(http.StatusOK, st)
	case "GET listen":
		return group.Fetch(ctx, req) // the group answers the WebSocket upgrade
	case "PUT playlist":
		var tracks []Track
		if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&tracks); err != nil {
			return worker.Error(http.StatusBadRequest, "send a JSON array of tracks")
		}
		st, err := SetPlaylist.Call(ctx, group, tracks)
		if durableobject.IsRemote(err) {
			return worker.Error(http.StatusBadRequest, err.Error()) // the group refused it
		}
		if err != nil {
			return nil, err
		}
		return worker.JSON(http.StatusOK, st)
	}
	return worker.Error(http.StatusNotFound, "")
}

func newApp() *worker.App[Env] {
	app := worker.New[Env](App{})
	durableobject.Register(app, "Group", NewGroup)
	return app
}

func main() {
	host.Main(newApp(), host.EmbeddedConfig("wrangler.jsonc", config))
}
