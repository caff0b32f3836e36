package host

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime"

	"github.com/coder/websocket"
	"github.com/flarego/flarego/worker"
	"go.uber.org/zap"
)

// pumpWebSocket upgrades the client connection and joins it to sock, the client end a worker
// or Durable Object returned in its 101 response. Messages flow both ways until either side
// closes; the close code and reason cross over.
func (r *Runner) pumpWebSocket(w http.ResponseWriter, req *http.Request, sock *worker.WebSocket) {
	hw := &hijacking{ResponseWriter: w}
	// No compression: pumpOut writes the data frames itself, uncompressed.
	conn, err := websocket.Accept(hw, req, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
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
		pumpOut(ctx, conn, hw.conn, sock)
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

// maxHeld bounds the bytes of frames gathered for one write.
const maxHeld = 64 << 10

// maxKept bounds the frame buffer a connection keeps between writes: most sockets sit idle
// most of the time, and one burst should not pin a large buffer to each.
const maxKept = 16 << 10

// pumpOut writes what the worker sends on sock to the client until either side closes.
// Messages already waiting when one is written go out with it in one write: a broadcast to a
// room queues one message per member, and written one by one they would cost a system call
// each here and a read each on the client. The frames are made here rather than by the
// WebSocket library, whose Write takes two locks and flushes once per message. sc may be
// nil: then each message goes through the library on its own.
func pumpOut(ctx context.Context, conn *websocket.Conn, sc *socketConn, sock *worker.WebSocket) {
	var frames []byte
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
		if sc == nil {
			err = writeMessage(conn, m)
		} else {
			frames, err = writeWaiting(ctx, sc, sock, frames[:0], m)
		}
		if err != nil {
			sock.Close(1006, "write failed")
			return
		}
	}
}

// writeWaiting writes m and the messages waiting behind it, up to maxHeld bytes, in one
// write. A payload of maxHeld or more is not copied: it follows the frames before it as a
// second buffer. It returns frames for reuse.
func writeWaiting(ctx context.Context, sc *socketConn, sock *worker.WebSocket, frames []byte, m worker.Message) ([]byte, error) {
	for yielded := false; ; {
		if len(m.Data) >= maxHeld {
			frames = appendFrameHeader(frames, m)
			return frames[:0], sc.writeFrames(net.Buffers{frames, m.Data})
		}
		frames = appendFrame(frames, m)
		if len(frames) >= maxHeld {
			break
		}
		if sock.Buffered() == 0 {
			if yielded {
				break
			}
			// Let the goroutines ready to run go first, the sender among them: a broadcast
			// still in progress then adds to this write instead of waiting for the next.
			yielded = true
			runtime.Gosched()
			if sock.Buffered() == 0 {
				break
			}
		}
		var err error
		if m, err = sock.Receive(ctx); err != nil {
			break // the error comes back on the pump's next Receive
		}
	}
	err := sc.writeFrames(net.Buffers{frames})
	if cap(frames) > maxKept {
		frames = nil
	}
	return frames[:0], err
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
