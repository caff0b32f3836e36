package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

// newRuntime starts the app on the real runner, in memory, with the example's directory
// as the project directory (for public/ and migrations/) and the migrations applied.
func newRuntime(t *testing.T) *workertest.Runtime {
	return workertest.New(t, newApp(), workertest.Config(string(config)), workertest.Dir("."),
		func(o *host.Options) error { o.ApplyMigrations = true; return nil })
}

// request sends a request through the runner and decodes a JSON answer into out.
func request(t *testing.T, rt *workertest.Runtime, method, path, body string, out any) int {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest(method, path, strings.NewReader(body)))
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && resp.StatusCode < 300 {
		require.NoError(t, json.Unmarshal(b, out), string(b))
	}
	return resp.StatusCode
}

// setup creates a server with a channel and returns their paths' ids.
func setup(t *testing.T, rt *workertest.Runtime) (Server, ChannelInfo) {
	var s Server
	require.Equal(t, http.StatusCreated, request(t, rt, "POST", "/api/servers", `{"name":"Acme"}`, &s))
	var c ChannelInfo
	require.Equal(t, http.StatusCreated, request(t, rt, "POST", fmt.Sprintf("/servers/%d/channels", s.ID), `{"name":"general"}`, &c))
	return s, c
}

func TestChat_ServersAndChannels(t *testing.T) {
	rt := newRuntime(t)
	var servers []Server
	require.Equal(t, http.StatusOK, request(t, rt, "GET", "/api/servers", "", &servers))
	require.Empty(t, servers)

	s, c := setup(t, rt)
	require.Equal(t, "Acme", s.Name)
	require.Equal(t, s.ID, c.ServerID)
	require.Equal(t, http.StatusOK, request(t, rt, "GET", "/api/servers", "", &servers))
	require.Equal(t, []Server{s}, servers)

	base := fmt.Sprintf("/servers/%d/channels", s.ID)
	require.Equal(t, http.StatusCreated, request(t, rt, "POST", base, `{"name":"random"}`, nil))
	require.Equal(t, http.StatusConflict, request(t, rt, "POST", base, `{"name":"general"}`, nil))
	require.Equal(t, http.StatusBadRequest, request(t, rt, "POST", base, `{"name":"Not A Name"}`, nil))
	var channels []ChannelInfo
	require.Equal(t, http.StatusOK, request(t, rt, "GET", base, "", &channels))
	require.Equal(t, []string{"general", "random"}, []string{channels[0].Name, channels[1].Name})

	require.Equal(t, http.StatusNotFound, request(t, rt, "GET", "/servers/999/channels", "", nil))
	require.Equal(t, http.StatusNotFound, request(t, rt, "POST", "/servers/999/channels", `{"name":"x"}`, nil))
	require.Equal(t, http.StatusBadRequest, request(t, rt, "POST", "/api/servers", `{"name":""}`, nil))
	// A channel is reached only through its own server.
	var other Server
	request(t, rt, "POST", "/api/servers", `{"name":"Other"}`, &other)
	require.Equal(t, http.StatusNotFound, request(t, rt, "GET", fmt.Sprintf("/servers/%d/channels/%d/messages", other.ID, c.ID), "", nil))
}

// The page is served from public/ before the worker sees the request.
func TestChat_ServesThePage(t *testing.T) {
	rt := newRuntime(t)
	resp := rt.Fetch(httptest.NewRequest("GET", "/", nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(b), "<title>Accord</title>")
	resp = rt.Fetch(httptest.NewRequest("GET", "/chat.js", nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// member is a test client connected to a channel.
type member struct {
	t    *testing.T
	conn *websocket.Conn
}

func join(t *testing.T, base string, s Server, c ChannelInfo, name string) *member {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, fmt.Sprintf("%s/servers/%d/channels/%d/connect?name=%s", base, s.ID, c.ID, name), nil)
	require.NoError(t, err)
	t.Cleanup(func() { conn.CloseNow() })
	return &member{t: t, conn: conn}
}

// next reads the next message from the channel (the timeout only guards against a hang).
func (m *member) next() outgoing {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := m.conn.Read(ctx)
	require.NoError(m.t, err)
	var o outgoing
	require.NoError(m.t, json.Unmarshal(data, &o))
	return o
}

func (m *member) say(text string) {
	b, _ := json.Marshal(map[string]string{"text": text})
	require.NoError(m.t, m.conn.Write(context.Background(), websocket.MessageText, b))
}

// Members of a channel get each other's messages; newcomers get the history; the messages
// endpoint reads them from the channel's object.
func TestChat_MessagesOverWebSockets(t *testing.T) {
	rt := newRuntime(t)
	srv := httptest.NewServer(rt.Runner)
	defer srv.Close()
	base := "ws" + strings.TrimPrefix(srv.URL, "http")
	s, c := setup(t, rt)

	ada := join(t, base, s, c, "ada")
	require.Equal(t, outgoing{Type: "history", Messages: nil}, ada.next())
	require.Equal(t, []string{"ada"}, ada.next().Members)

	bob := join(t, base, s, c, "bob")
	require.Equal(t, "history", bob.next().Type)
	require.Equal(t, []string{"ada", "bob"}, bob.next().Members)
	require.Equal(t, []string{"ada", "bob"}, ada.next().Members)

	bob.say("hello from bob")
	for _, m := range []*member{ada, bob} {
		got := m.next()
		require.Equal(t, "message", got.Type)
		require.Equal(t, "bob", got.Message.Author)
		require.Equal(t, "hello from bob", got.Message.Text)
	}
	ada.say("   ")
	require.Equal(t, "error", ada.next().Type)
	ada.say("hi bob")
	ada.next()
	bob.next()

	var msgs []Message
	path := fmt.Sprintf("/servers/%d/channels/%d/messages", s.ID, c.ID)
	require.Equal(t, http.StatusOK, request(t, rt, "GET", path, "", &msgs))
	require.Len(t, msgs, 2)
	require.Equal(t, []string{"hello from bob", "hi bob"}, []string{msgs[0].Text, msgs[1].Text})
	require.Equal(t, http.StatusOK, request(t, rt, "GET", path+"?limit=1", "", &msgs))
	require.Equal(t, "hi bob", msgs[0].Text)

	// A late arrival gets the history first.
	cy := join(t, base, s, c, "cy")
	h := cy.next()
	require.Len(t, h.Messages, 2)
	require.Equal(t, "hello from bob", h.Messages[0].Text)

	bob.conn.Close(websocket.StatusNormalClosure, "")
	cy.next() // presence with cy
	require.Equal(t, []string{"ada", "cy"}, cy.next().Members)
}
