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
	cw := &coalescing{ResponseWriter: w}
	conn, err := websocket.Accept(cw, req, &websocket.AcceptOptions{InsecureSkipVerify: true})
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
		pumpOut(ctx, conn, cw.conn, sock)
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

// maxBurst bounds the messages written under one hold, so a socket that is always busy
// still sends regularly.
const maxBurst = 128

// pumpOut writes what the worker sends on sock to the client until either side closes.
// Messages already waiting when one is written go out with it in one write (cc may be nil:
// then each message is written on its own).
func pumpOut(ctx context.Context, conn *websocket.Conn, cc *coalescingConn, sock *worker.WebSocket) {
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
		burst := cc != nil && sock.Buffered() > 0
		if burst {
			cc.hold()
		}
		err = writeMessage(conn, m)
		for n := 1; err == nil && burst && n < maxBurst && sock.Buffered() > 0; n++ {
			if m, err = sock.Receive(ctx); err == nil {
				err = writeMessage(conn, m)
			}
		}
		if burst {
			if rerr := cc.release(); err == nil {
				err = rerr
			}
		}
		if err != nil {
			sock.Close(1006, "write failed")
			return
		}
	}
}

// writeMessage writes one message to the client.
func writeMessage(conn *websocket.Conn, m worker.Message) error {
	typ := websocket.MessageText
	if m.Type == worker.MessageBinary {
		typ = websocket.MessageBinary
	}
	// No deadline or cancellation on the write itself: with one, the WebSocket library arms
	// and disarms a context callback per message. A write stuck on a client that stopped
	// reading ends when the read side fails and the library closes the connection.
	return conn.Write(context.Background(), typ, m.Data)
}

// closeCode maps codes that may not be sent on the wire to a normal closure.
func closeCode(c int) int {
	switch c {
	case 1005, 1006, 1015, 0:
		return 1000
	}
	return c
}
