package worker_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"
)

type Env struct{ Greeting string }

func TestFromHTTP_ChiRouterSeesEnvAndContext(t *testing.T) {
	h := worker.FromHTTP(func(env Env) http.Handler {
		r := chi.NewRouter()
		r.Get("/hi/{name}", func(w http.ResponseWriter, r *http.Request) {
			e := worker.EnvFrom[Env](r)
			ctx := worker.ContextFrom(r.Context())
			io.WriteString(w, e.Greeting+" "+chi.URLParam(r, "name")+" "+ctx.Kind())
		})
		return r
	})
	resp := workertest.Fetch(t, h, Env{Greeting: "hello"}, httptest.NewRequest("GET", "/hi/ada", nil))
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, "hello ada fetch", string(b))

	// Bound through an App, the runner serves it straight onto the connection.
	bound := worker.New[Env](h).BindEnv(Env{Greeting: "hey"})
	ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{Kind: "fetch"})
	defer cancel()
	rec := httptest.NewRecorder()
	require.True(t, bound.ServeHTTPDirect(rec, httptest.NewRequest("GET", "/hi/bo", nil), ctx))
	require.Equal(t, "hey bo fetch", rec.Body.String())
}

func TestWaitUntilErrorsFailWaitButNotEachOther_W008(t *testing.T) {
	ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{})
	cancel()
	ran := make(chan struct{})
	ctx.WaitUntil(func(context.Context) error { return errors.New("one") })
	ctx.WaitUntil(func(context.Context) error { panic("two") })
	ctx.WaitUntil(func(context.Context) error { close(ran); return nil })
	err := ctx.Wait(context.Background())
	<-ran
	require.ErrorContains(t, err, "one")
	require.ErrorContains(t, err, "panic: two")
}

func TestSubrequestOutsideInvocationIsFree(t *testing.T) {
	require.NoError(t, worker.Subrequest(context.Background()))
}

func TestSubrequestLimit_W016(t *testing.T) {
	ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{Limits: worker.Limits{Subrequests: 1}})
	defer cancel()
	require.NoError(t, worker.Subrequest(ctx))
	err := worker.Subrequest(context.WithValue(ctx, struct{}{}, 1)) // derived contexts count too
	require.ErrorIs(t, err, worker.ErrSubrequestLimit)
	var le *worker.LimitError
	require.ErrorAs(t, err, &le)
	require.Equal(t, int64(2), le.Used)
}

func TestWebSocketPairCarriesMessagesAndClose(t *testing.T) {
	client, server := worker.NewWebSocketPair()
	ctx := context.Background()
	require.NoError(t, client.SendText(ctx, "ping"))
	m, err := server.Receive(ctx)
	require.NoError(t, err)
	require.Equal(t, "ping", string(m.Data))
	require.NoError(t, server.Send(ctx, worker.MessageBinary, []byte{1}))
	require.NoError(t, server.Close(4000, "bye"))
	m, err = client.Receive(ctx)
	require.NoError(t, err, "messages sent before the close are still read")
	require.Equal(t, worker.MessageBinary, m.Type)
	_, err = client.Receive(ctx)
	var ce *worker.CloseError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, 4000, ce.Code)
	require.ErrorIs(t, client.SendText(ctx, "late"), worker.ErrWebSocketClosed)

	resp := worker.WebSocketResponse(client)
	got, ok := worker.WebSocketFrom(resp)
	require.True(t, ok)
	require.Same(t, client, got)
}

func TestScheduledEventNoRetry_CR008_CR009(t *testing.T) {
	ev := worker.NewScheduledEvent("0 9 * * MON-FRI", testTime)
	require.Equal(t, "scheduled", ev.Type())
	require.False(t, ev.NoRetryRequested())
	ev.NoRetry()
	require.True(t, ev.NoRetryRequested())
}

func TestNewPanicsOnProgrammerErrors(t *testing.T) {
	require.Panics(t, func() { worker.New[Env](nil) })
	require.Panics(t, func() { worker.New[int](worker.HandlerFunc[int](nil)) })
	app := worker.New[Env](worker.HandlerFunc[Env](nil))
	app.Register(worker.Registration{Kind: "k", Name: "n"})
	require.Panics(t, func() { app.Register(worker.Registration{Kind: "k", Name: "n"}) })
}

func TestRPCSizeLimit_W026(t *testing.T) {
	_, err := worker.EncodeRPC(strings.Repeat("x", worker.MaxRPCSize))
	require.ErrorContains(t, err, "Serialized RPC arguments or return values are limited to 32MiB, but the size of this value was: 33554434 bytes.")
	_, err = worker.EncodeRPC(func() {})
	require.ErrorContains(t, err, "not serialisable")
}

func TestRouterMatchesPatternsAndAnswersMisses(t *testing.T) {
	var rt worker.Router[Env]
	rt.Handle("GET /posts/{id}", func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, env.Greeting+" post "+req.PathValue("id"))
	})
	resp := workertest.Fetch(t, &rt, Env{Greeting: "hi"}, httptest.NewRequest("GET", "/posts/7", nil))
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, "hi post 7", string(b))
	require.Equal(t, 404, workertest.Fetch(t, &rt, Env{}, httptest.NewRequest("GET", "/nope", nil)).StatusCode)
	resp = workertest.Fetch(t, &rt, Env{}, httptest.NewRequest("POST", "/posts/7", nil))
	require.Equal(t, 405, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Allow"), "GET")
}
