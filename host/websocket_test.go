package host_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

// A burst of messages sent by the worker faster than the network takes them reaches the
// client whole and in order, whatever sizes they have, and the close code follows them.
// The sizes cover each of the frame header's three length forms at its edges.
func TestWebSocketBurstArrivesInOrder(t *testing.T) {
	const n = 3000
	edges := map[int]int{10: 0, 11: 125, 12: 126, 13: 127, 14: 65535, 15: 65536, 16: 65537}
	message := func(i int) (worker.MessageType, []byte) {
		if size, ok := edges[i]; ok {
			return worker.MessageBinary, bytes.Repeat([]byte{byte(i)}, size)
		}
		switch {
		case i == n/2:
			return worker.MessageBinary, bytes.Repeat([]byte{byte(i)}, 200<<10) // larger than a held write
		case i%7 == 0:
			return worker.MessageBinary, bytes.Repeat([]byte{byte(i)}, i%1500)
		}
		return worker.MessageText, []byte(fmt.Sprintf("message %d", i))
	}
	h := fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		client, server := worker.NewWebSocketPair()
		go func() {
			for i := range n {
				typ, data := message(i)
				if server.Send(context.Background(), typ, data) != nil {
					return
				}
			}
			server.Close(4000, "done")
		}()
		return worker.WebSocketResponse(client), nil
	})
	rt := run(t, h)
	srv := httptest.NewServer(rt.Runner)
	defer srv.Close()

	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, strings.Replace(srv.URL, "http", "ws", 1)+"/", nil)
	require.NoError(t, err)
	conn.SetReadLimit(1 << 20)
	for i := range n {
		typ, data, err := conn.Read(ctx)
		require.NoError(t, err, "message %d", i)
		wantType, want := message(i)
		require.Equal(t, wantType == worker.MessageBinary, typ == websocket.MessageBinary, "type of message %d", i)
		require.True(t, bytes.Equal(want, data), "message %d", i)
	}
	_, _, err = conn.Read(ctx)
	require.Equal(t, websocket.StatusCode(4000), websocket.CloseStatus(err))
}
