package dotest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

// wsHooks is a class whose Fetch accepts a hibernatable WebSocket, tagged with the request's
// "tag" query values, and whose WebSocketMessage runs onMessage (echo when nil).
type wsHooks struct {
	mu       sync.Mutex
	messages []string
	closes   []string
	errs     []error
	accepted []*durableobject.WebSocket
}

func (w *wsHooks) hooks(onMessage func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error) *hooks {
	return &hooks{
		fetch: func(o *Obj, req *http.Request, ctx *worker.Context) (*http.Response, error) {
			if req.URL.Query().Get("fail") != "" {
				return nil, errors.New("upgrade refused")
			}
			client, server := worker.NewWebSocketPair()
			ws, err := o.State.AcceptWebSocket(server, req.URL.Query()["tag"]...)
			if err != nil {
				return nil, err
			}
			w.mu.Lock()
			w.accepted = append(w.accepted, ws)
			w.mu.Unlock()
			return worker.WebSocketResponse(client), nil
		},
		wsMessage: func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
			w.mu.Lock()
			w.messages = append(w.messages, string(msg.Data))
			w.mu.Unlock()
			if onMessage != nil {
				return onMessage(o, ctx, ws, msg)
			}
			return ws.SendText(ctx, "echo: "+string(msg.Data))
		},
		wsClose: func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, code int, reason string, clean bool) error {
			w.mu.Lock()
			w.closes = append(w.closes, reason)
			w.mu.Unlock()
			if !clean || code != 1000 {
				return errors.New("unexpected close")
			}
			return nil
		},
		wsError: func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, err error) error {
			w.mu.Lock()
			w.errs = append(w.errs, err)
			w.mu.Unlock()
			return nil
		},
	}
}

func (w *wsHooks) count() (messages, closes, errs int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.messages), len(w.closes), len(w.errs)
}

// connect upgrades through stub.Fetch and returns the client end.
func connect(t testing.TB, stub *durableobject.Stub[*Obj], query string) *worker.WebSocket {
	t.Helper()
	resp, err := stub.Fetch(context.Background(), httptest.NewRequest(http.MethodGet, "http://do/ws?"+query, nil))
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	client, ok := worker.WebSocketFrom(resp)
	require.True(t, ok)
	return client
}

func receiveText(t testing.TB, ws *worker.WebSocket) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := ws.Receive(ctx)
	require.NoError(t, err)
	return string(m.Data)
}

func testWebSockets(t *testing.T, newDriver func(*testing.T) durableobject.Driver) {
	ctx := context.Background()

	t.Run("DO-062 DO-071 messages, closes and errors go to the handlers", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			w := &wsHooks{}
			h := start(t, d, durableobject.Options{}, w.hooks(nil))
			client := connect(t, h.env.Obj.GetByName("ws"), "")
			require.NoError(t, client.SendText(ctx, "hi"))
			require.Equal(t, "echo: hi", receiveText(t, client))
			require.NoError(t, client.Send(ctx, worker.MessageBinary, []byte{1, 2}))
			require.Equal(t, "echo: \x01\x02", receiveText(t, client))

			big := connect(t, h.env.Obj.GetByName("ws"), "")
			require.NoError(t, big.Send(ctx, worker.MessageBinary, make([]byte, 32<<20+1)))
			_, err := big.Receive(ctx)
			var ce *worker.CloseError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, 1009, ce.Code, "messages over 32 MiB are refused")

			require.NoError(t, client.Close(1000, "bye"))
			synctest.Wait()
			w.mu.Lock()
			defer w.mu.Unlock()
			require.Equal(t, []string{"bye"}, w.closes)
			require.Len(t, w.errs, 1)
		})
	})

	t.Run("DO-063 DO-064 accepting twice, and tag limits", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			h := start(t, d, durableobject.Options{}, nil)
			_, err := Do(ctx, h.env.Obj.GetByName("tags"), func(ctx context.Context, o *Obj) (any, error) {
				_, server := worker.NewWebSocketPair()
				ws, err := o.State.AcceptWebSocket(server, "a", "b", "a")
				require.NoError(t, err)
				require.Equal(t, []string{"a", "b"}, ws.Tags(), "duplicates are ignored")
				_, err = o.State.AcceptWebSocket(server)
				require.ErrorIs(t, err, durableobject.ErrAlreadyAccepted)

				_, s2 := worker.NewWebSocketPair()
				tags := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "10"}
				_, err = o.State.AcceptWebSocket(s2, tags...)
				require.NoError(t, err, "ten distinct tags")
				_, s3 := worker.NewWebSocketPair()
				_, err = o.State.AcceptWebSocket(s3, append(tags, "11")...)
				require.EqualError(t, err, "a Hibernatable WebSocket cannot have more than 10 tags")
				_, s4 := worker.NewWebSocketPair()
				long := strings.Repeat("t", 257)
				_, err = o.State.AcceptWebSocket(s4, long)
				require.EqualError(t, err, `"`+long+`" is longer than the max tag length (256 characters).`)
				_, err = o.State.AcceptWebSocket(s4, long[:256])
				require.NoError(t, err)
				return nil, nil
			})
			require.NoError(t, err)
		})
	})

	t.Run("DO-065 DO-066 GetWebSockets by tag; GetTags of a foreign socket", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			w := &wsHooks{}
			h := start(t, d, durableobject.Options{}, w.hooks(nil))
			stub := h.env.Obj.GetByName("room")
			a := connect(t, stub, "tag=red&tag=big")
			connect(t, stub, "tag=blue")
			connect(t, h.env.Obj.GetByName("elsewhere"), "tag=red")
			counts := func() []int {
				v, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
					return []int{len(o.State.GetWebSockets("")), len(o.State.GetWebSockets("red")), len(o.State.GetWebSockets("blue"))}, nil
				})
				require.NoError(t, err)
				return v.([]int)
			}
			require.Equal(t, []int{2, 1, 1}, counts())
			require.NoError(t, a.Close(1000, "done"))
			synctest.Wait()
			require.Equal(t, []int{1, 0, 1}, counts(), "disconnected sockets are left out")
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				w.mu.Lock()
				foreign := w.accepted[2]
				w.mu.Unlock()
				_, err := o.State.GetTags(foreign)
				require.ErrorIs(t, err, durableobject.ErrNotHibernatable)
				tags, err := o.State.GetTags(o.State.GetWebSockets("blue")[0])
				require.NoError(t, err)
				require.Equal(t, []string{"blue"}, tags)
				return nil, nil
			})
			require.NoError(t, err)
		})
	})

	t.Run("DO-067 DO-073 attachments survive hibernation; a message wakes the object", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			w := &wsHooks{}
			h := start(t, d, durableobject.Options{}, w.hooks(func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
				switch string(msg.Data) {
				case "set":
					if err := ws.SerializeAttachment(map[string]int{"seat": 7}); err != nil {
						return err
					}
					err := ws.SerializeAttachment(strings.Repeat("x", 16*1024))
					if err == nil || err.Error() != "A WebSocket 'attachment' cannot be larger than 16384 bytes.'attachment' was 16386 bytes." {
						return errors.New("unexpected attachment error: " + err.Error())
					}
					return ws.SendText(ctx, "ok")
				default:
					v, ok, err := durableobject.Attachment[map[string]int](ws)
					if err != nil || !ok {
						return errors.New("no attachment")
					}
					o.Mem["seat"] = v["seat"]
					return ws.SendText(ctx, "seat "+string(rune('0'+v["seat"])))
				}
			}))
			client := connect(t, h.env.Obj.GetByName("hib"), "")
			require.NoError(t, client.SendText(ctx, "set"))
			require.Equal(t, "ok", receiveText(t, client))
			runs := h.hooks.ctorRuns.Load()
			time.Sleep(9 * time.Second)
			synctest.Wait()
			require.Zero(t, h.stats().Hibernations)
			time.Sleep(2 * time.Second) // 10 s idle with only hibernatable sockets
			synctest.Wait()
			require.EqualValues(t, 1, h.stats().Hibernations)
			require.EqualValues(t, 1, h.stats().WebSockets, "the socket stayed open")
			require.NoError(t, client.SendText(ctx, "get"))
			require.Equal(t, "seat 7", receiveText(t, client))
			require.Equal(t, runs+1, h.hooks.ctorRuns.Load(), "the constructor ran again")
		})
	})

	t.Run("DO-068 DO-069 auto-responses do not wake the object", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			w := &wsHooks{}
			h := start(t, d, durableobject.Options{}, w.hooks(nil))
			stub := h.env.Obj.GetByName("auto")
			client := connect(t, stub, "")
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				err := o.State.SetWebSocketAutoResponse(&durableobject.AutoResponse{Request: strings.Repeat("q", 2049), Response: "r"})
				require.EqualError(t, err, "Request cannot be larger than 2048 bytes. A request of size 2049 was provided.")
				err = o.State.SetWebSocketAutoResponse(&durableobject.AutoResponse{Request: "q", Response: strings.Repeat("r", 2049)})
				require.EqualError(t, err, "Response cannot be larger than 2048 bytes. A response of size 2049 was provided.")
				return nil, o.State.SetWebSocketAutoResponse(&durableobject.AutoResponse{Request: "ping", Response: "pong"})
			})
			require.NoError(t, err)
			time.Sleep(time.Minute) // hibernated
			synctest.Wait()
			runs := h.hooks.ctorRuns.Load()
			sent := time.Now()
			require.NoError(t, client.SendText(ctx, "ping"))
			require.Equal(t, "pong", receiveText(t, client))
			synctest.Wait()
			msgs, _, _ := w.count()
			require.Zero(t, msgs, "no handler ran")
			require.Equal(t, runs, h.hooks.ctorRuns.Load(), "the object stayed asleep")
			_, err = Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				ws := o.State.GetWebSockets("")[0]
				at, ok := o.State.WebSocketAutoResponseTimestamp(ws)
				require.True(t, ok)
				require.Equal(t, sent, at)
				require.NoError(t, o.State.SetWebSocketAutoResponse(nil))
				require.Nil(t, o.State.WebSocketAutoResponse())
				_, ok = o.State.WebSocketAutoResponseTimestamp(ws)
				require.True(t, ok, "still readable after removal")
				return nil, nil
			})
			require.NoError(t, err)
			require.NoError(t, client.SendText(ctx, "ping"))
			require.Equal(t, "echo: ping", receiveText(t, client))
		})
	})

	t.Run("DO-070 WebSocket event timeout", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			w := &wsHooks{}
			h := start(t, d, durableobject.Options{}, w.hooks(func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
				dl, ok := ctx.Deadline()
				if !ok {
					return ws.SendText(ctx, "none")
				}
				return ws.SendText(ctx, time.Until(dl).String())
			}))
			stub := h.env.Obj.GetByName("timeout")
			client := connect(t, stub, "")
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				require.EqualError(t, o.State.SetHibernatableWebSocketEventTimeout(7*24*time.Hour+time.Millisecond), "Event timeout should not exceed 604800000 ms.")
				return nil, o.State.SetHibernatableWebSocketEventTimeout(5 * time.Second)
			})
			require.NoError(t, err)
			require.NoError(t, client.SendText(ctx, "x"))
			require.Equal(t, "5s", receiveText(t, client))
			_, err = Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				return nil, o.State.SetHibernatableWebSocketEventTimeout(0)
			})
			require.NoError(t, err)
			require.NoError(t, client.SendText(ctx, "x"))
			require.Equal(t, "none", receiveText(t, client))
		})
	})

	t.Run("DO-072 a failing upgrade fails stub.Fetch", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			w := &wsHooks{}
			h := start(t, d, durableobject.Options{}, w.hooks(nil))
			_, err := h.env.Obj.GetByName("refuse").Fetch(ctx, httptest.NewRequest(http.MethodGet, "http://do/ws?fail=1", nil))
			require.EqualError(t, err, "upgrade refused")
			require.True(t, durableobject.IsRemote(err))
		})
	})

	t.Run("WebSocket sends wait for the writes before them", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			w := &wsHooks{}
			hold := make(chan struct{})
			h := start(t, d, durableobject.Options{}, w.hooks(func(o *Obj, ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
				if err := o.State.Storage().Put(ctx, "last", string(msg.Data)); err != nil {
					return err
				}
				return ws.SendText(ctx, "stored "+string(msg.Data))
			}))
			stub := h.env.Obj.GetByName("gatedsend")
			client := connect(t, stub, "")
			busy := async(func() error {
				_, err := Do(ctx, stub, func(context.Context, *Obj) (any, error) { <-hold; return nil, nil })
				return err
			})
			synctest.Wait()
			require.NoError(t, client.SendText(ctx, "a"))
			synctest.Wait()
			// The message event is queued behind the blocked one; nothing was sent yet.
			rctx, cancel := context.WithTimeout(ctx, time.Second)
			_, err := client.Receive(rctx)
			cancel()
			require.ErrorIs(t, err, context.DeadlineExceeded)
			close(hold)
			require.NoError(t, <-busy)
			require.Equal(t, "stored a", receiveText(t, client))
		})
	})
}
