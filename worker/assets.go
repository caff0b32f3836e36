package worker

import (
	"net/http"
)

// Assets is the static-assets binding (the config's `assets.binding`): Fetch answers a
// request from the worker's asset directory with the configured HTML and not-found rules,
// the way the platform's env.ASSETS.fetch does. A request that matches nothing gets a 404.
type Assets struct {
	h http.Handler
}

// NewAssets makes an Assets binding over h, which serves the assets (package assets'
// Server). Tests may give any handler.
func NewAssets(h http.Handler) *Assets { return &Assets{h: h} }

// Fetch answers req from the assets. Only the path and headers of req matter: the
// binding reads files, it does not go over the network.
func (a *Assets) Fetch(req *http.Request) (*http.Response, error) {
	if err := Subrequest(req.Context()); err != nil {
		return nil, err
	}
	rec := &recorder{header: http.Header{}}
	a.h.ServeHTTP(rec, req)
	return rec.response(req), nil
}
