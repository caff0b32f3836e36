package main

import (
	"context"
	"net/http"

	"github.com/flarego/flarego/worker"
)

// handlerFunc is a route: it answers with a response, as a worker's Fetch does.
type handlerFunc func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error)

// router matches requests with http.ServeMux patterns ("GET /api/posts/{id}", with
// req.PathValue("id") inside the route) and runs routes that return their response. That
// keeps the worker a plain Fetch, so that it can also have a Scheduled handler.
type router struct{ mux http.ServeMux }

// call carries one request's Env and Context into the mux, and its answer out.
type call struct {
	env  Env
	ctx  *worker.Context
	resp *http.Response
	err  error
}

type callKey struct{}

// handle adds a route.
func (rt *router) handle(pattern string, h handlerFunc) {
	rt.mux.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(callKey{}).(*call)
		c.resp, c.err = h(r, c.env, c.ctx)
	})
}

// Fetch runs the route that matches req; 404 or 405 when none does.
func (rt *router) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	c := &call{env: env, ctx: ctx}
	miss := &missWriter{header: http.Header{}}
	rt.mux.ServeHTTP(miss, req.WithContext(context.WithValue(req.Context(), callKey{}, c)))
	if c.resp == nil && c.err == nil {
		if miss.status == 0 {
			miss.status = http.StatusNotFound
		}
		resp, err := worker.Error(miss.status, "")
		if allow := miss.header.Get("Allow"); allow != "" {
			resp.Header.Set("Allow", allow)
		}
		return resp, err
	}
	return c.resp, c.err
}

// missWriter keeps the status and Allow header the mux writes when no route matches.
type missWriter struct {
	header http.Header
	status int
}

func (w *missWriter) Header() http.Header         { return w.header }
func (w *missWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *missWriter) WriteHeader(status int)      { w.status = status }
