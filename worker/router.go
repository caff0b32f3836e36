package worker

import (
	"context"
	"net/http"
)

// Router routes requests to handlers that answer with a response, as Fetch does, using
// http.ServeMux patterns ("GET /api/posts/{id}"; req.PathValue("id") inside the route). Unlike
// FromHTTP, the worker stays a plain Handler, so it can also have a Scheduled method, and a
// route can return a WebSocket response. The zero value is an empty router; add routes with
// Handle before serving. No route matching is a 404, a route for another method a 405 with
// Allow.
type Router[E any] struct{ mux http.ServeMux }

// Handle adds a route for pattern. It panics on an invalid or conflicting pattern, as
// http.ServeMux does: both are programming errors.
func (rt *Router[E]) Handle(pattern string, h HandlerFunc[E]) {
	rt.mux.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(routeKey{}).(*routeCall[E])
		c.resp, c.err = h(r, c.env, c.ctx)
	})
}

type routeKey struct{}

// routeCall carries one request's Env and Context into the mux, and its answer out.
type routeCall[E any] struct {
	env  E
	ctx  *Context
	resp *http.Response
	err  error
}

// Fetch runs the route that matches req.
func (rt *Router[E]) Fetch(req *http.Request, env E, ctx *Context) (*http.Response, error) {
	c := &routeCall[E]{env: env, ctx: ctx}
	miss := &missWriter{header: http.Header{}}
	rt.mux.ServeHTTP(miss, req.WithContext(context.WithValue(req.Context(), routeKey{}, c)))
	if c.resp != nil || c.err != nil {
		return c.resp, c.err
	}
	if miss.status == 0 {
		miss.status = http.StatusNotFound
	}
	resp, err := Error(miss.status, "")
	if allow := miss.header.Get("Allow"); allow != "" {
		resp.Header.Set("Allow", allow)
	}
	return resp, err
}

// missWriter keeps the status and Allow header the mux writes when no route matches.
type missWriter struct {
	header http.Header
	status int
}

func (w *missWriter) Header() http.Header         { return w.header }
func (w *missWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *missWriter) WriteHeader(status int)      { w.status = status }
