package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
)

// Group is one listening group: the one place that decides what the group hears. Members
// connect over hibernatable WebSockets; the playback state is in storage, and an alarm
// fires when the current track ends to move everyone to the next one, whether or not the
// object was in memory.
type Group struct {
	state   *durableobject.State
	storage *durableobject.Storage
	pb      Playback
}

var memberPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)

// NewGroup loads the group's playback before any event reaches it.
func NewGroup(state *durableobject.State, env Env) *Group {
	g := &Group{state: state, storage: state.Storage()}
	state.BlockConcurrencyWhile(context.Background(), func(ctx context.Context) error {
		found, err := g.storage.Get(ctx, "playback", &g.pb)
		if err == nil && !found {
			g.pb = Playback{Playlist: defaultPlaylist, At: time.Now()}
		}
		return err
	})
	return g
}

// Fetch takes a member's WebSocket upgrade, forwarded by the worker.
func (g *Group) Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error) {
	if req.Header.Get("Upgrade") != "websocket" {
		return worker.Error(http.StatusUpgradeRequired, "connect with a WebSocket")
	}
	name := req.URL.Query().Get("name")
	if !memberPattern.MatchString(name) {
		return worker.Error(http.StatusBadRequest, "name: 1 to 20 letters, digits, _ or -")
	}
	client, server := worker.NewWebSocketPair()
	if _, err := g.state.AcceptWebSocket(server, name); err != nil {
		return nil, err
	}
	// Everyone, the newcomer included, gets the state with the new member list; the
	// newcomer starts playing from its position.
	g.broadcast(ctx, nil)
	return worker.WebSocketResponse(client), nil
}

// WebSocketMessage applies a member's command and tells the whole group.
func (g *Group) WebSocketMessage(ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
	var c command
	if err := json.Unmarshal(msg.Data, &c); err != nil {
		return sendError(ctx, ws, "send JSON commands")
	}
	now := time.Now()
	g.pb.freeze(now)
	switch c.Type {
	case "play":
		g.pb.Playing = true
	case "pause":
		g.pb.Playing = false
	case "next":
		g.pb.advance(now)
	case "seek":
		if c.Position < 0 || c.Position > g.pb.Playlist[g.pb.Index].Duration {
			return sendError(ctx, ws, "position is outside the track")
		}
		g.pb.Position = time.Duration(c.Position * float64(time.Second))
	default:
		return sendError(ctx, ws, fmt.Sprintf("unknown command %q", c.Type))
	}
	if err := g.save(ctx); err != nil {
		return err
	}
	g.broadcast(ctx, nil)
	return nil
}

// WebSocketClose tells the others that a member left. The closing socket is still listed
// while its close event runs, so it is left out by hand.
func (g *Group) WebSocketClose(ctx *worker.Context, ws *durableobject.WebSocket, code int, reason string, wasClean bool) error {
	ws.Close(1000, "bye")
	g.broadcast(ctx, ws)
	return nil
}

// Alarm fires when the current track ends: the group moves to the next one. The new track
// starts at the moment the old one ended, not when the alarm happened to run, so members
// stay in step even if the alarm was late.
func (g *Group) Alarm(ctx *worker.Context, info durableobject.AlarmInfo) error {
	end, ok := g.pb.trackEnds()
	if !ok || time.Now().Before(end) {
		return g.save(ctx) // a pause or seek moved the end: just set the alarm again
	}
	g.pb.advance(end)
	if err := g.save(ctx); err != nil {
		return err
	}
	g.broadcast(ctx, nil)
	return nil
}

// save stores the playback and sets the alarm for the end of the current track.
func (g *Group) save(ctx context.Context) error {
	if err := g.storage.Put(ctx, "playback", g.pb); err != nil {
		return err
	}
	if end, ok := g.pb.trackEnds(); ok {
		return g.storage.SetAlarm(ctx, end)
	}
	return g.storage.DeleteAlarm(ctx)
}

// broadcast sends the state to every member but the socket except.
func (g *Group) broadcast(ctx context.Context, except *durableobject.WebSocket) {
	b, _ := json.Marshal(g.pb.message(time.Now(), g.members(except)))
	for _, ws := range g.state.GetWebSockets("") {
		if ws != except {
			ws.Send(ctx, worker.MessageText, b) // a failed socket gets its close event
		}
	}
}

// sendError tells one member what was wrong with its command.
func sendError(ctx context.Context, ws *durableobject.WebSocket, msg string) error {
	b, _ := json.Marshal(map[string]string{"type": "error", "message": msg})
	return ws.Send(ctx, worker.MessageText, b)
}

// members lists the members' names, leaving out the socket except.
func (g *Group) members(except *durableobject.WebSocket) []string {
	names := []string{}
	for _, ws := range g.state.GetWebSockets("") {
		if ws != except {
			names = append(names, ws.Tags()...)
		}
	}
	return names
}

// Now is the group's state (an RPC method for the worker's GET /groups/NAME).
func (g *Group) Now(ctx context.Context, _ struct{}) (stateMessage, error) {
	return g.pb.message(time.Now(), g.members(nil)), nil
}

// SetPlaylist replaces the playlist and stops at the start of its first track.
func (g *Group) SetPlaylist(ctx context.Context, tracks []Track) (stateMessage, error) {
	if len(tracks) == 0 {
		return stateMessage{}, errors.New("a playlist needs at least one track")
	}
	for _, t := range tracks {
		if t.Title == "" || t.Duration <= 0 {
			return stateMessage{}, errors.New("every track needs a title and a positive duration")
		}
	}
	g.pb = Playback{Playlist: tracks, At: time.Now()}
	if err := g.save(ctx); err != nil {
		return stateMessage{}, err
	}
	g.broadcast(ctx, nil)
	return g.pb.message(time.Now(), g.members(nil)), nil
}

// The RPC methods as typed descriptors.
var (
	Now         = durableobject.Method("Now", (*Group).Now)
	SetPlaylist = durableobject.Method("SetPlaylist", (*Group).SetPlaylist)
)
