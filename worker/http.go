package worker

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

type envKey struct{}

// FromHTTP mounts a net/http handler (a chi router, a ServeMux …) as a worker. mk is called
// once per bound Env, not per request. Inside the handler, EnvFrom[E](r) returns the Env and
// ContextFrom(r.Context()) the invocation's *Context. The runner serves such a handler
// straight onto the connection, so streaming and flushing work.
func FromHTTP[E any](mk func(env E) http.Handler) Handler[E] {
	if mk == nil {
		panic("worker.FromHTTP: nil constructor")
	}
	return &httpHandler[E]{mk: mk}
}

type httpHandler[E any] struct {
	mk func(E) http.Handler
	h  http.Handler // set by prepare for a bound copy
}

func (h *httpHandler[E]) prepare(env E) Handler[E] {
	return &httpHandler[E]{mk: h.mk, h: h.mk(env)}
}

func (h *httpHandler[E]) handler(env E) http.Handler {
	if h.h != nil {
		return h.h
	}
	// Not bound through an App (called directly): build per call.
	return h.mk(env)
}

func (h *httpHandler[E]) serve(w http.ResponseWriter, r *http.Request, env E, ctx *Context) {
	h.handler(env).ServeHTTP(w, r.WithContext(withEnv(ctx, env)))
}

// Fetch runs the handler into a buffered response.
func (h *httpHandler[E]) Fetch(req *http.Request, env E, ctx *Context) (*http.Response, error) {
	rec := &recorder{header: http.Header{}}
	h.serve(rec, req, env, ctx)
	return rec.response(req), nil
}

func withEnv(ctx *Context, env any) context.Context {
	return context.WithValue(ctx, envKey{}, env)
}

// EnvFrom returns the Env of the worker serving r (FromHTTP handlers), or E's zero value
// when r did not come through a worker.
func EnvFrom[E any](r *http.Request) E {
	e, _ := r.Context().Value(envKey{}).(E)
	return e
}

// recorder collects what a net/http handler writes into an *http.Response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

func (r *recorder) response(req *http.Request) *http.Response {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return &http.Response{
		Status:        statusLine(r.status),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        r.header,
		Body:          io.NopCloser(&r.body),
		ContentLength: int64(r.body.Len()),
		Request:       req,
	}
}
