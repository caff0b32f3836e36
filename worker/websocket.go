package worker

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// MessageType is a WebSocket message's type.
type MessageType int

// The two message types a WebSocket carries.
const (
	MessageText   MessageType = 1
	MessageBinary MessageType = 2
)

// ErrWebSocketClosed is returned by Send and Receive on a closed WebSocket end.
var ErrWebSocketClosed = errors.New("worker: WebSocket is closed")

// CloseError is what Receive returns once the peer closed: the close code and reason.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string { return "WebSocket closed: " + e.Reason }

// Message is one WebSocket message.
type Message struct {
	Type MessageType
	Data []byte
}

// WebSocket is one end of an in-process WebSocket pair (the platform's WebSocketPair). A
// worker or Durable Object keeps the server end and returns the client end in a 101
// response (WebSocketResponse); the runner joins the client end to the real connection.
// Messages sent on one end are received on the other, in order. Safe for concurrent use.
type WebSocket struct {
	in   chan Message // messages for this end
	peer *WebSocket

	mu     sync.Mutex
	closed bool
	close  *CloseError // set when the peer closed
	done   chan struct{}
	// isShut mirrors closed for Send's check without the lock.
	isShut atomic.Bool
}

// queueDepth bounds the messages buffered per direction before Send waits.
const queueDepth = 256

// NewWebSocketPair returns two joined ends.
func NewWebSocketPair() (client, server *WebSocket) {
	client = &WebSocket{in: make(chan Message, queueDepth), done: make(chan struct{})}
	server = &WebSocket{in: make(chan Message, queueDepth), done: make(chan struct{})}
	client.peer, server.peer = server, client
	return client, server
}

// Send delivers a message to the other end. It waits while the other end's buffer is full.
func (w *WebSocket) Send(ctx context.Context, typ MessageType, data []byte) error {
	p := w.peer
	if w.isShut.Load() || p.isShut.Load() {
		return ErrWebSocketClosed
	}
	m := Message{Type: typ, Data: data}
	// Most sends find room: try that before the select that can wait, which locks all
	// four channels (a broadcast to a room is one Send per member).
	select {
	case p.in <- m:
		return nil
	default:
	}
	select {
	case p.in <- m:
		return nil
	case <-w.done:
		return ErrWebSocketClosed
	case <-p.done:
		return ErrWebSocketClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Buffered reports how many messages the other end has sent that this end has not
// received yet: that many calls to Receive return without waiting. The runner uses it to
// write a burst of messages to the network together.
func (w *WebSocket) Buffered() int { return len(w.in) }

// SendText sends a text message.
func (w *WebSocket) SendText(ctx context.Context, s string) error {
	return w.Send(ctx, MessageText, []byte(s))
}

// Receive returns the next message from the other end. After the other end closed and
// every buffered message was read it returns a *CloseError; after this end closed,
// ErrWebSocketClosed.
func (w *WebSocket) Receive(ctx context.Context) (Message, error) {
	select {
	case m := <-w.in:
		return m, nil
	default:
	}
	select {
	case m := <-w.in:
		return m, nil
	case <-w.done:
		select {
		case m := <-w.in:
			return m, nil
		default:
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.close != nil {
			return Message{}, w.close
		}
		return Message{}, ErrWebSocketClosed
	case <-ctx.Done():
		return Message{}, ctx.Err()
	}
}

// Close closes the pair with a close code and reason; the other end's Receive returns a
// *CloseError with them once it has read what was already sent. Closing twice is a no-op.
func (w *WebSocket) Close(code int, reason string) error {
	w.shut(nil)
	w.peer.shut(&CloseError{Code: code, Reason: reason})
	return nil
}

func (w *WebSocket) shut(ce *CloseError) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.closed = true
	w.close = ce
	w.isShut.Store(true)
	close(w.done)
}

// Done is closed when this end is closed, by either side.
func (w *WebSocket) Done() <-chan struct{} { return w.done }

// socketBody carries the client end inside a 101 response.
type socketBody struct {
	io.Reader
	ws *WebSocket
}

func (socketBody) Close() error { return nil }

// WebSocketResponse is the 101 Switching Protocols response that hands client to the caller
// (the platform's `new Response(null, {status: 101, webSocket: client})`).
func WebSocketResponse(client *WebSocket) *http.Response {
	resp := NewResponse(http.StatusSwitchingProtocols, nil, nil)
	resp.Body = socketBody{Reader: http.NoBody, ws: client}
	return resp
}

// WebSocketFrom returns the WebSocket end carried by a 101 response made by
// WebSocketResponse.
func WebSocketFrom(resp *http.Response) (*WebSocket, bool) {
	if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, false
	}
	b, ok := resp.Body.(socketBody)
	return b.ws, ok
}
