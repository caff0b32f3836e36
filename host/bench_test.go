package host_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
)

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkServeHello is the runner's own cost per request, without the network.
func BenchmarkServeHello(b *testing.B) {
	rt := workertest.New(b, worker.New[Env](fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, "Hello World")
	})), func(o *host.Options) error { o.LogLevel = "warn"; o.LogOutput = io.Discard; return nil })
	req := httptest.NewRequest("GET", "/hello", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := &discardWriter{h: http.Header{}}
		rt.Runner.ServeHTTP(w, req)
	}
}

// BenchmarkServeBare is the same request through a plain http.Handler, for comparison.
func BenchmarkServeBare(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello World")
	})
	req := httptest.NewRequest("GET", "/hello", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, req)
	}
}
