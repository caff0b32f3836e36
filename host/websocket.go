package host

import (
	"context"
	"errors"
	"net/http"

	"github.com/coder/websocket"
	"github.com/flarego/flarego/worker"
	"go.uber.org/zap"
)

// pumpWebSocket upgrades the client connection and joins it to sock, the client end a worker
// or Durable Object returned in its 101 response. Messages flow both ways until either side
// closes; the close code and reason cross over.
func (r *Runner) pumpWebSocket(w http.ResponseWriter, req *http.Request, sock *worker.WebSocket) {
	conn, err := websocket.Accept(w, req, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		sock.Close(1011, "upgrade failed")
		r.log.Warn("websocket upgrade failed", zap.Error(err))
		return
	}
	conn.SetReadLimit(32 << 20) // DO-071: messages up to 32 MiB
	ctx, cancel := context.WithCancel(context.WithoutCancel(req.Context()))
	defer cancel()

	// From the worker to the client.
	go func() {
		defer cancel()
		for {
			m, err := sock.Receive(ctx)
			if err != nil {
				var ce *worker.CloseError
				if errors.As(err, &ce) {
					conn.Close(websocket.StatusCode(closeCode(ce.Code)), ce.Reason)
				} else {
					conn.CloseNow()
				}
				return
			}
			typ := websocket.MessageText
			if m.Type == worker.MessageBinary {
				typ = websocket.MessageBinary
			}
			if err := conn.Write(ctx, typ, m.Data); err != nil {
				sock.Close(1006, "write failed")
				return
			}
		}
	}()

	// From the client to the worker.
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			code, reason := 1006, ""
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				code, reason = int(ce.Code), ce.Reason
			}
			sock.Close(code, reason)
			return
		}
		mt := worker.MessageText
		if typ == websocket.MessageBinary {
			mt = worker.MessageBinary
		}
		if err := sock.Send(ctx, mt, data); err != nil {
			conn.Close(websocket.StatusGoingAway, "")
			return
		}
	}
}

// closeCode maps codes that may not be sent on the wire to a normal closure.
func closeCode(c int) int {
	switch c {
	case 1005, 1006, 1015, 0:
		return 1000
	}
	return c
}
