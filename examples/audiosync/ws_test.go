package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

// player is one test client's WebSocket.
type player struct {
	t    *testing.T
	conn *websocket.Conn
}

// serve starts a real HTTP server on 127.0.0.1 in front of the runner, for WebSockets.
func serve(t *testing.T, rt *workertest.Runtime) string {
	srv := httptest.NewServer(rt.Runner)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// join dials the group and returns the player and the HTTP status of the handshake.
func join(t *testing.T, base, group, name string, opts *websocket.DialOptions) (*player, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, base+"/groups/"+group+"/listen?name="+name, opts)
	if err != nil {
		require.NotNil(t, resp, err)
		return nil, resp.StatusCode
	}
	p := &player{t: t, conn: conn}
	t.Cleanup(func() { conn.CloseNow() })
	return p, resp.StatusCode
}

// next reads the next state message. The timeout only keeps a broken test from hanging.
func (p *player) next() stateMessage {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := p.conn.Read(ctx)
	require.NoError(p.t, err)
	var st stateMessage
	require.NoError(p.t, json.Unmarshal(data, &st), string(data))
	require.Equal(p.t, "state", st.Type, string(data))
	return st
}

// nextRaw reads the next message as it came.
func (p *player) nextRaw() string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := p.conn.Read(ctx)
	require.NoError(p.t, err)
	return string(data)
}

func (p *player) send(s string) {
	p.t.Helper()
	require.NoError(p.t, p.conn.Write(context.Background(), websocket.MessageText, []byte(s)))
}

// pipeNet serves a handler over in-memory connections. Code blocked on them is blocked on
// channels, which testing/synctest understands, so a WebSocket test can run on the fake
// clock (real sockets cannot be used inside a synctest bubble).
type pipeNet struct {
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newPipeNet() *pipeNet { return &pipeNet{conns: make(chan net.Conn), done: make(chan struct{})} }

func (n *pipeNet) Accept() (net.Conn, error) {
	select {
	case c := <-n.conns:
		return c, nil
	case <-n.done:
		return nil, net.ErrClosed
	}
}

func (n *pipeNet) Close() error   { n.once.Do(func() { close(n.done) }); return nil }
func (n *pipeNet) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func (n *pipeNet) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case n.conns <- server:
		return client, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// servePipe serves rt over a pipeNet and returns the base URL and the dial options that
// reach it. Call it inside the bubble; everything stops when the test ends.
func servePipe(t *testing.T, rt *workertest.Runtime) (string, *websocket.DialOptions) {
	n := newPipeNet()
	srv := &http.Server{Handler: rt.Runner}
	go srv.Serve(n)
	t.Cleanup(func() { srv.Close() })
	tr := &http.Transport{DialContext: n.dial}
	t.Cleanup(tr.CloseIdleConnections)
	return "ws://audio.test", &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}}
}
