package main

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
)

// historySize is how many recent messages a newcomer receives.
const historySize = 50

// Message is one chat message.
type Message struct {
	ID     int64  `json:"id"`
	Author string `json:"author"`
	Text   string `json:"text"`
	SentAt string `json:"sentAt" db:"sent_at"`
}

// The channel's WebSocket protocol. A member sends {"text":"…"}; the channel sends
//
//	{"type":"history","messages":[…]}        on arrival: the latest messages, oldest first
//	{"type":"message","message":{…}}         each new message, to everyone
//	{"type":"presence","members":["ada",…]}  whenever someone comes or goes
//	{"type":"error","error":"…"}
type outgoing struct {
	Type     string    `json:"type"`
	Message  *Message  `json:"message,omitempty"`
	Messages []Message `json:"messages,omitempty"`
	Members  []string  `json:"members,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// Channel is one chat channel: it stores the channel's messages in its own SQLite
// database and is the WebSocket server of everyone in the channel. Sockets are
// hibernatable, so an idle channel leaves memory while its members stay connected; each
// member's name is their socket's tag.
type Channel struct {
	state     *durableobject.State
	sql       *durableobject.SQL
	schemaErr error
}

var memberName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)

// NewChannel runs after creation and after every hibernation.
func NewChannel(state *durableobject.State, env Env) *Channel {
	c := &Channel{state: state, sql: state.Storage().SQL()}
	_, c.schemaErr = c.sql.Exec(`CREATE TABLE IF NOT EXISTS messages (
		id      INTEGER PRIMARY KEY,
		author  TEXT NOT NULL,
		text    TEXT NOT NULL,
		sent_at TEXT NOT NULL
	)`)
	return c
}

// Fetch takes a member's WebSocket upgrade, forwarded by the worker once it checked that
// the channel exists.
func (c *Channel) Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error) {
	if req.Header.Get("Upgrade") != "websocket" {
		return worker.Error(http.StatusUpgradeRequired, "connect with a WebSocket")
	}
	name := req.URL.Query().Get("name")
	if !memberName.MatchString(name) {
		return worker.Error(http.StatusBadRequest, "name: 1 to 20 letters, digits, _ or -")
	}
	history, err := c.History(ctx, historySize)
	if err != nil {
		return nil, err
	}
	client, server := worker.NewWebSocketPair()
	ws, err := c.state.AcceptWebSocket(server, name)
	if err != nil {
		return nil, err
	}
	send(ctx, ws, outgoing{Type: "history", Messages: history})
	c.broadcast(ctx, outgoing{Type: "presence", Members: c.members(nil)}, nil)
	return worker.WebSocketResponse(client), nil
}

// WebSocketMessage stores a member's message and sends it to everyone. The insert commits
// before the broadcast leaves the object, so nobody sees a message that could be lost.
func (c *Channel) WebSocketMessage(ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
	var in struct{ Text string }
	if err := json.Unmarshal(msg.Data, &in); err != nil {
		return send(ctx, ws, outgoing{Type: "error", Error: `send {"text": "…"}`})
	}
	text := strings.TrimSpace(in.Text)
	if text == "" || utf8.RuneCountInString(text) > 2000 {
		return send(ctx, ws, outgoing{Type: "error", Error: "messages are 1 to 2000 characters"})
	}
	if c.schemaErr != nil {
		return c.schemaErr
	}
	m := Message{Author: ws.Tags()[0], Text: text, SentAt: time.Now().UTC().Format(time.RFC3339Nano)}
	cur, err := c.sql.Exec(`INSERT INTO messages (author, text, sent_at) VALUES (?, ?, ?) RETURNING id`,
		m.Author, m.Text, m.SentAt)
	if err != nil {
		return err
	}
	row, err := cur.One()
	if err != nil {
		return err
	}
	m.ID = row["id"].(int64)
	c.broadcast(ctx, outgoing{Type: "message", Message: &m}, nil)
	return nil
}

// WebSocketClose tells the others who is left. The closing socket is still listed while
// its close event runs, so it is left out by hand.
func (c *Channel) WebSocketClose(ctx *worker.Context, ws *durableobject.WebSocket, code int, reason string, wasClean bool) error {
	ws.Close(1000, "bye")
	c.broadcast(ctx, outgoing{Type: "presence", Members: c.members(ws)}, ws)
	return nil
}

// History returns the latest limit messages, oldest first (an RPC method, for GET
// …/messages).
func (c *Channel) History(ctx context.Context, limit int) ([]Message, error) {
	if c.schemaErr != nil {
		return nil, c.schemaErr
	}
	cur, err := c.sql.Exec(`SELECT * FROM (SELECT id, author, text, sent_at FROM messages ORDER BY id DESC LIMIT ?)
		ORDER BY id`, min(max(limit, 1), 1000))
	if err != nil {
		return nil, err
	}
	out := []Message{}
	for row := range cur.Rows() {
		out = append(out, Message{ID: row["id"].(int64), Author: row["author"].(string),
			Text: row["text"].(string), SentAt: row["sent_at"].(string)})
	}
	return out, nil
}

// History as a typed RPC descriptor.
var History = durableobject.Method("History", (*Channel).History)

// members lists the connected members' names, once each, leaving out the socket except.
func (c *Channel) members(except *durableobject.WebSocket) []string {
	seen := map[string]bool{}
	names := []string{}
	for _, ws := range c.state.GetWebSockets("") {
		if ws == except {
			continue
		}
		for _, n := range ws.Tags() {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names
}

// broadcast sends m to every member but the socket except.
func (c *Channel) broadcast(ctx context.Context, m outgoing, except *durableobject.WebSocket) {
	for _, ws := range c.state.GetWebSockets("") {
		if ws != except {
			send(ctx, ws, m) // a failed socket gets its close event
		}
	}
}

func send(ctx context.Context, ws *durableobject.WebSocket, m outgoing) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return ws.Send(ctx, worker.MessageText, b)
}
