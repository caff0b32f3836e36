package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
)

// Room is one game room: every player of the room is connected to this one object, which
// sees every move in order and tells everyone.
//
// It uses the hibernation API: the runner holds the sockets, and an idle room is evicted
// from memory while its players stay connected. So the room keeps nothing in its fields.
// Each player's state travels with their socket as its attachment, and the player's name
// is the socket's tag; after hibernation, the next message rebuilds the room from those.
type Room struct {
	state *durableobject.State
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)

// NewRoom builds the room, after its creation and after every hibernation.
func NewRoom(state *durableobject.State, env Env) *Room {
	// Keep-alive pings are answered by the runner without waking the room.
	state.SetWebSocketAutoResponse(&durableobject.AutoResponse{Request: "ping", Response: "pong"})
	return &Room{state: state}
}

// Fetch takes a player's WebSocket upgrade, forwarded by the worker.
func (r *Room) Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error) {
	if req.Header.Get("Upgrade") != "websocket" {
		return worker.Error(http.StatusUpgradeRequired, "connect with a WebSocket")
	}
	name := req.URL.Query().Get("name")
	if !namePattern.MatchString(name) {
		return worker.Error(http.StatusBadRequest, "name: 1 to 20 letters, digits, _ or -")
	}
	players := r.players()
	for _, p := range players {
		if p.Name == name {
			return worker.Error(http.StatusConflict, "that name is taken in this room")
		}
	}
	if len(players) >= maxPlayers {
		return worker.Error(http.StatusConflict, "the room is full")
	}

	client, server := worker.NewWebSocketPair()
	ws, err := r.state.AcceptWebSocket(server, name)
	if err != nil {
		return nil, err
	}
	me := Player{Name: name, X: len(players) * 2 % boardSize, Y: len(players) * 2 / boardSize}
	if err := ws.SerializeAttachment(me); err != nil {
		return nil, err
	}
	// Messages sent now wait in the socket until the client is connected.
	if err := send(ctx, ws, event{Type: "welcome", You: &me, Players: players}); err != nil {
		return nil, err
	}
	r.broadcast(ctx, event{Type: "joined", Player: &me}, name)
	return worker.WebSocketResponse(client), nil
}

// WebSocketMessage handles a player's command.
func (r *Room) WebSocketMessage(ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
	var c command
	if err := json.Unmarshal(msg.Data, &c); err != nil || c.Type != "move" {
		return send(ctx, ws, event{Type: "error", Message: `send {"type":"move","dx":…,"dy":…}`})
	}
	p, ok, err := durableobject.Attachment[Player](ws)
	if err != nil || !ok || p.Name == "" {
		return fmt.Errorf("socket without a player: %v", err)
	}
	p.X = clamp(p.X+clamp(c.DX, -1, 1), 0, boardSize-1)
	p.Y = clamp(p.Y+clamp(c.DY, -1, 1), 0, boardSize-1)
	if err := ws.SerializeAttachment(p); err != nil {
		return err
	}
	r.broadcast(ctx, event{Type: "moved", Player: &p}, "")
	return nil
}

// WebSocketClose tells the others that a player left.
func (r *Room) WebSocketClose(ctx *worker.Context, ws *durableobject.WebSocket, code int, reason string, wasClean bool) error {
	p, ok, _ := durableobject.Attachment[Player](ws)
	ws.Close(1000, "bye") // complete the closing handshake
	// The socket stays listed until its close completes; without a player it no longer
	// counts as one.
	ws.SerializeAttachment(nil)
	if ok && p.Name != "" {
		r.broadcast(ctx, event{Type: "left", Player: &p}, p.Name)
	}
	return nil
}

// Players lists who is in the room (an RPC method for the worker's GET /rooms/NAME).
func (r *Room) Players(ctx context.Context, _ struct{}) ([]Player, error) {
	return r.players(), nil
}

// Players as a typed RPC descriptor.
var Players = durableobject.Method("Players", (*Room).Players)

// players reads every connected player from the sockets' attachments.
func (r *Room) players() []Player {
	out := []Player{}
	for _, ws := range r.state.GetWebSockets("") {
		if p, ok, err := durableobject.Attachment[Player](ws); err == nil && ok && p.Name != "" {
			out = append(out, p)
		}
	}
	return out
}

// broadcast sends ev to every player but except. A player whose socket fails is skipped:
// its close event will follow.
func (r *Room) broadcast(ctx context.Context, ev event, except string) {
	for _, ws := range r.state.GetWebSockets("") {
		if tags := ws.Tags(); len(tags) > 0 && tags[0] == except {
			continue
		}
		send(ctx, ws, ev)
	}
}

func send(ctx context.Context, ws *durableobject.WebSocket, ev event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return ws.Send(ctx, worker.MessageText, b)
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }
