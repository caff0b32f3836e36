package workertest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flarego/flarego/worker"
)

// Fetch runs h.Fetch(req, env, ctx) with a fresh invocation context, waits for the
// invocation's WaitUntil work and fails t if any of it returned an error, or if Fetch did.
// The response body is read into memory, so the caller may read it after the invocation
// ended.
func Fetch[E any](t testing.TB, h worker.Handler[E], env E, req *http.Request) *http.Response {
	t.Helper()
	resp, err := FetchErr(t, h, env, req)
	if err != nil {
		t.Fatalf("workertest.Fetch %s %s: %v", req.Method, req.URL, err)
	}
	return resp
}

// FetchErr is Fetch for tests that expect the handler to fail: it returns Fetch's error
// instead of failing t (WaitUntil errors still fail t).
func FetchErr[E any](t testing.TB, h worker.Handler[E], env E, req *http.Request) (*http.Response, error) {
	t.Helper()
	ctx, cancel := worker.NewContext(req.Context(), worker.ContextOptions{Kind: "fetch", Logger: testLogger(t)})
	resp, err := h.Fetch(req.WithContext(ctx), env, ctx)
	if resp != nil && resp.Body != nil {
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil && err == nil {
			err = rerr
		}
		rec := httptest.NewRecorder()
		rec.Write(body)
		resp.Body = io.NopCloser(rec.Body)
	}
	cancel()
	if werr := ctx.Wait(context.Background()); werr != nil {
		t.Errorf("workertest: WaitUntil work failed: %v", werr)
	}
	return resp, err
}
