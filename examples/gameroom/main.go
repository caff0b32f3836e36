// Command gameroom is a multiplayer room server: players join a room over a WebSocket and
// the room, a Durable Object, tells everyone about joins, moves and leaves.
//
//	go run ./examples/gameroom
//	websocat 'ws://127.0.0.1:8787/rooms/lobby/join?name=ada'
//	> {"type":"move","dx":1,"dy":0}
//	curl localhost:8787/rooms/lobby      # who is in the room
//
// One object per room (GetByName), so rooms run independently, and everything within a
// room happens in one order that every player sees. The room hibernates when nobody plays
// and wakes on the next message; see room.go for how it keeps its state meanwhile.
package main

import (
	_ "embed"
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
	Rooms *durableobject.Namespace[*Room] `binding:"ROOMS"`
}

// App routes each room's requests to the room's object.
type App struct{}

var roomPattern = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// Fetch implements worker.Handler: GET /rooms/NAME lists the players, GET
// /rooms/NAME/join?name=PLAYER joins over a WebSocket.
func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/rooms/"), "/")
	if !strings.HasPrefix(req.URL.Path, "/rooms/") || !roomPattern.MatchString(parts[0]) || req.Method != http.MethodGet {
		return worker.Error(http.StatusNotFound, "try GET /rooms/NAME or /rooms/NAME/join?name=PLAYER")
	}
	room := env.Rooms.GetByName(parts[0])
	switch {
	case len(parts) == 1:
		players, err := Players.Call(ctx, room, struct{}{})
		if err != nil {
			return nil, err
		}
		return worker.JSON(http.StatusOK, players)
	case len(parts) == 2 && parts[1] == "join":
		// The room answers the upgrade itself; its 101 response comes back through here.
		return room.Fetch(ctx, req)
	}
	return worker.Error(http.StatusNotFound, "")
}

func newApp() *worker.App[Env] {
	app := worker.New[Env](App{})
	durableobject.Register(app, "Room", NewRoom)
	return app
}

func main() {
	host.Main(newApp(), host.EmbeddedConfig("wrangler.jsonc", config))
}
