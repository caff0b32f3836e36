package durableobject

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/flarego/flarego/worker"
)

// Limits of the WebSocket Hibernation API (DO-064, DO-067, DO-068, DO-070, DO-071).
const (
	maxTags             = 10
	maxTagLength        = 256
	maxAttachment       = 16 * 1024 // the current runtime's limit, not the older 2,048 (§12)
	maxAutoResponse     = 2048
	maxEventTimeout     = 7 * 24 * time.Hour
	maxWebSocketMessage = 32 << 20
)

// maxHibernatable is how many hibernatable WebSockets one object may hold (DO-071); a variable
// so that a test can lower it.
var maxHibernatable = 32768

// hibernation is an object's hibernatable WebSockets and their settings. It belongs to the
// object record, not the instance: it stays while the instance is evicted (DO-073).
type hibernation struct {
	sockets      []*WebSocket
	auto         *AutoResponse
	eventTimeout time.Duration
}

// WebSocket is a WebSocket the object accepted with State.AcceptWebSocket (DO-062). The engine
// owns it: it reads its messages and hands them to the object's WebSocketMessage method, waking
// the object if it was evicted, so that the object's instance need not stay in memory. Safe for
// concurrent use.
type WebSocket struct {
	o    *object
	conn *worker.WebSocket
	tags []string

	mu         sync.Mutex
	attachment []byte
	autoAt     time.Time
	closed     bool // Close was called
}

// AutoResponse is a request/response pair that accepted sockets answer by themselves, without
// waking the object (the platform's WebSocketRequestResponsePair, DO-068).
type AutoResponse struct {
	Request  string
	Response string
}

// Tags are the socket's tags, as accepted.
func (w *WebSocket) Tags() []string { return slices.Clone(w.tags) }

// Send sends a message to the client. Like every output of the object it waits for the writes
// made before it to be durable (DO-018): while some are pending the message is queued behind
// them, in order, and Send returns at once.
func (w *WebSocket) Send(ctx context.Context, typ worker.MessageType, data []byte) error {
	w.mu.Lock()
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return ErrWebSocketClosed
	}
	st := w.o.st
	st.mu.Lock()
	if st.gate || len(st.held) > 0 {
		st.hold(output{send: func(err error) {
			if err == nil {
				w.conn.Send(context.Background(), typ, data)
			}
		}})
		st.mu.Unlock()
		return nil
	}
	st.mu.Unlock()
	return w.conn.Send(ctx, typ, data)
}

// SendText sends a text message.
func (w *WebSocket) SendText(ctx context.Context, s string) error {
	return w.Send(ctx, worker.MessageText, []byte(s))
}

// Close closes the socket with a close code and reason.
func (w *WebSocket) Close(code int, reason string) error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	return w.conn.Close(code, reason)
}

// SerializeAttachment stores v (JSON-encoded, at most 16 KiB) with the socket; it survives
// hibernation (DO-067).
func (w *WebSocket) SerializeAttachment(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("durableobject: encode attachment: %w", err)
	}
	if len(b) > maxAttachment {
		return fmt.Errorf("A WebSocket 'attachment' cannot be larger than %d bytes.'attachment' was %d bytes.", maxAttachment, len(b))
	}
	w.mu.Lock()
	w.attachment = b
	w.mu.Unlock()
	return nil
}

// DeserializeAttachment decodes the latest attachment into v and reports whether there is
// one (DO-067).
func (w *WebSocket) DeserializeAttachment(v any) (bool, error) {
	w.mu.Lock()
	b := w.attachment
	w.mu.Unlock()
	if b == nil {
		return false, nil
	}
	return true, json.Unmarshal(b, v)
}

// Attachment is the typed DeserializeAttachment.
func Attachment[V any](w *WebSocket) (V, bool, error) {
	var v V
	ok, err := w.DeserializeAttachment(&v)
	return v, ok, err
}

// AcceptWebSocket makes ws, the server end of a worker.NewWebSocketPair, hibernatable (DO-062):
// its messages, closes and errors go to the object's WebSocketMessage, WebSocketClose and
// WebSocketError methods, even after the object was evicted. Return the client end in a
// worker.WebSocketResponse. At most 10 distinct tags of at most 256 characters (DO-064);
// duplicates are ignored.
func (s *State) AcceptWebSocket(ws *worker.WebSocket, tags ...string) (*WebSocket, error) {
	var distinct []string
	for _, t := range tags {
		if len(t) > maxTagLength {
			return nil, fmt.Errorf("\"%s\" is longer than the max tag length (%d characters).", t, maxTagLength)
		}
		if slices.Contains(distinct, t) {
			continue
		}
		if len(distinct) >= maxTags {
			return nil, ErrTooManyTags
		}
		distinct = append(distinct, t)
	}
	o := s.o
	e := o.ns.engine
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, w := range o.hib.sockets {
		if w.conn == ws {
			return nil, ErrAlreadyAccepted
		}
	}
	if len(o.hib.sockets) >= maxHibernatable {
		return nil, ErrTooManyWebSockets
	}
	w := &WebSocket{o: o, conn: ws, tags: distinct}
	o.hib.sockets = append(o.hib.sockets, w)
	e.stats.websockets.Add(1)
	e.sockets.Add(1)
	go w.pump()
	return w, nil
}

// GetWebSockets returns the accepted sockets that are still connected, those with tag only
// when tag is not "" (DO-065).
func (s *State) GetWebSockets(tag string) []*WebSocket {
	o := s.o
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]*WebSocket, 0, len(o.hib.sockets))
	for _, w := range o.hib.sockets {
		if tag == "" || slices.Contains(w.tags, tag) {
			out = append(out, w)
		}
	}
	return out
}

// GetTags returns ws's tags; ws must be a socket this object accepted (DO-066).
func (s *State) GetTags(ws *WebSocket) ([]string, error) {
	if ws == nil || ws.o != s.o {
		return nil, ErrNotHibernatable
	}
	return ws.Tags(), nil
}

// SetWebSocketAutoResponse sets the request/response pair every accepted socket answers by
// itself, or removes it when pair is nil (DO-068). Request and response are at most 2048 bytes.
func (s *State) SetWebSocketAutoResponse(pair *AutoResponse) error {
	if pair != nil {
		if n := len(pair.Request); n > maxAutoResponse {
			return &RangeError{Msg: fmt.Sprintf("Request cannot be larger than %d bytes. A request of size %d was provided.", maxAutoResponse, n)}
		}
		if n := len(pair.Response); n > maxAutoResponse {
			return &RangeError{Msg: fmt.Sprintf("Response cannot be larger than %d bytes. A response of size %d was provided.", maxAutoResponse, n)}
		}
		p := *pair
		pair = &p
	}
	s.o.mu.Lock()
	s.o.hib.auto = pair
	s.o.mu.Unlock()
	return nil
}

// WebSocketAutoResponse returns the pair set by SetWebSocketAutoResponse, or nil.
func (s *State) WebSocketAutoResponse() *AutoResponse {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	if s.o.hib.auto == nil {
		return nil
	}
	p := *s.o.hib.auto
	return &p
}

// WebSocketAutoResponseTimestamp returns when ws last sent the auto-response, if ever
// (DO-069). It stays readable after the auto-response is removed.
func (s *State) WebSocketAutoResponseTimestamp(ws *WebSocket) (time.Time, bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.autoAt, !ws.autoAt.IsZero()
}

// SetHibernatableWebSocketEventTimeout limits each WebSocket event handler to d; 0 removes the
// limit. Over 7 days is refused with ErrEventTimeout (DO-070).
func (s *State) SetHibernatableWebSocketEventTimeout(d time.Duration) error {
	if d > maxEventTimeout {
		return ErrEventTimeout
	}
	s.o.mu.Lock()
	s.o.hib.eventTimeout = max(d, 0)
	s.o.mu.Unlock()
	return nil
}

// HibernatableWebSocketEventTimeout returns the limit set by
// SetHibernatableWebSocketEventTimeout, or 0.
func (s *State) HibernatableWebSocketEventTimeout() time.Duration {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	return s.o.hib.eventTimeout
}

// errMessageTooBig is given to WebSocketError for a message over 32 MiB (DO-071).
var errMessageTooBig = errors.New("WebSocket message too large: at most 32 MiB")

// pump reads the socket for as long as it is open, answering the auto-response itself and
// handing everything else to the object, one event per message, in order.
func (w *WebSocket) pump() {
	o := w.o
	e := o.ns.engine
	defer e.sockets.Done()
	defer w.detach()
	ctx := context.Background()
	for {
		msg, err := w.conn.Receive(ctx)
		if err != nil {
			var ce *worker.CloseError
			switch {
			case errors.As(err, &ce):
				w.dispatch(func(h any, ctx *worker.Context) error {
					if c, ok := h.(WebSocketCloseHandler); ok {
						return c.WebSocketClose(ctx, w, ce.Code, ce.Reason, true)
					}
					return nil
				})
			case errors.Is(err, worker.ErrWebSocketClosed):
				// This end was closed: by the object, or by the engine shutting down.
			default:
				w.dispatchError(err)
			}
			return
		}
		if len(msg.Data) > maxWebSocketMessage {
			w.dispatchError(errMessageTooBig)
			w.conn.Close(1009, "Message Too Big")
			return
		}
		o.mu.Lock()
		auto := o.hib.auto
		o.mu.Unlock()
		if auto != nil && msg.Type == worker.MessageText && string(msg.Data) == auto.Request {
			w.mu.Lock()
			w.autoAt = time.Now()
			w.mu.Unlock()
			w.conn.Send(ctx, worker.MessageText, []byte(auto.Response))
			continue
		}
		err = w.dispatch(func(h any, ctx *worker.Context) error {
			if m, ok := h.(WebSocketMessageHandler); ok {
				return m.WebSocketMessage(ctx, w, msg)
			}
			return nil
		})
		if errors.Is(err, ErrClosed) {
			return
		}
	}
}

func (w *WebSocket) dispatchError(cause error) {
	w.dispatch(func(h any, ctx *worker.Context) error {
		if eh, ok := h.(WebSocketErrorHandler); ok {
			return eh.WebSocketError(ctx, w, cause)
		}
		return nil
	})
}

// dispatch runs one WebSocket event on the object and waits for it.
func (w *WebSocket) dispatch(fn func(inst any, ctx *worker.Context) error) error {
	o := w.o
	o.mu.Lock()
	wall := o.hib.eventTimeout
	o.mu.Unlock()
	ev := &event{kind: evWebSocket, wall: wall, done: make(chan outcome, 1), run: func(inst any, ctx *worker.Context) (any, error) {
		return nil, remote(fn(inst, ctx))
	}}
	if err := o.enqueue(ev, false); err != nil {
		return err
	}
	out := <-ev.done
	if out.err != nil {
		o.ns.engine.log.Error("durable object WebSocket handler failed", "class", o.ns.class.Name, "id", o.id.String(), "error", out.err)
	}
	return out.err
}

// detach forgets a socket that is gone (DO-065).
func (w *WebSocket) detach() {
	o := w.o
	o.mu.Lock()
	if i := slices.Index(o.hib.sockets, w); i >= 0 {
		o.hib.sockets = slices.Delete(o.hib.sockets, i, i+1)
		o.ns.engine.stats.websockets.Add(-1)
	}
	o.mu.Unlock()
}

// closeSockets closes every hibernatable socket (engine shutdown, DO-075).
func (o *object) closeSockets(code int, reason string) {
	o.mu.Lock()
	socks := slices.Clone(o.hib.sockets)
	o.mu.Unlock()
	for _, w := range socks {
		w.Close(code, reason)
	}
}
