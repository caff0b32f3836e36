package host

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/worker"
	"go.uber.org/zap"
)

// ServeHTTP routes local endpoints and serves everything else with the primary worker.
func (r *Runner) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if strings.HasPrefix(req.URL.Path, "/cdn-cgi/") {
		if r.serveLocal(w, req) {
			return
		}
	} else if req.URL.Path == "/__scheduled" {
		r.serveScheduledTrigger(w, req, false)
		return
	}
	for _, rt := range r.routes {
		if strings.HasPrefix(req.URL.Path, rt.prefix) && isLocalHost(req.Host) {
			rt.handler.ServeHTTP(w, req)
			return
		}
	}
	r.serveWorker(w, req, r.primary)
}

// serveWorker runs one fetch invocation of ws.
func (r *Runner) serveWorker(w http.ResponseWriter, req *http.Request, ws *workerSlot) {
	// W-033: the client address, as the platform's edge would add it.
	if len(req.Header["Cf-Connecting-Ip"]) == 0 {
		host, _, err := net.SplitHostPort(req.RemoteAddr)
		if err != nil || host == "" {
			host = "127.0.0.1"
		}
		req.Header["Cf-Connecting-Ip"] = []string{host}
	}
	if !checkRequest(w, req, ws.limits) {
		r.log.Warn("request refused by limits", zap.String("method", req.Method), zap.String("path", req.URL.Path))
		return
	}
	if ws.assets != nil && ws.assets.serveAsset(w, req) {
		return
	}
	r.invokeFetch(w, req, ws)
}

// invokeFetch runs ws's Fetch with budgets, measurement, error handling and logging.
func (r *Runner) invokeFetch(w http.ResponseWriter, req *http.Request, ws *workerSlot) {
	start := time.Now()
	ctx, cancel := worker.NewContext(req.Context(), worker.ContextOptions{
		Kind: "fetch", WorkerName: ws.name, Limits: ws.limits, Logger: r.slog, CF: r.opts.CF, Exports: ws,
		// An http.Server cancels a request's context when ServeHTTP returns; a direct
		// caller of ServeHTTP (a test) may not.
		ParentEnds: req.Context().Value(http.ServerContextKey) != nil,
	})
	req = req.WithContext(ctx)
	// Reading a thread's CPU clock costs two system calls; pay it when the figure is used:
	// for a CPU limit, or for the per-invocation log line.
	measure := ws.limits.CPU > 0 || r.logsInvocations

	if d, ok := ws.bound.(worker.DirectHTTP); ok {
		sw := &statusWriter{ResponseWriter: w}
		var served bool
		var failure error
		var cpu time.Duration
		if measure {
			cpu = worker.MeasureCPU(func() { served, failure = serveDirect(d, sw, req, ctx) })
		} else {
			served, failure = serveDirect(d, sw, req, ctx)
		}
		if served {
			if failure != nil && sw.status == 0 {
				r.writeError(sw, req, failure)
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			r.finish(ctx, cancel, req, status, start, cpu, failure)
			return
		}
	}

	var resp *http.Response
	var failure error
	var cpu time.Duration
	if measure {
		cpu = worker.MeasureCPU(func() { resp, failure = callFetch(ws.bound, req, ctx) })
	} else {
		resp, failure = callFetch(ws.bound, req, ctx)
	}
	if failure == nil && ws.limits.CPU > 0 && cpu > ws.limits.CPU {
		failure = &worker.LimitError{Limit: "cpu", Used: int64(cpu), Max: int64(ws.limits.CPU)}
		closeBody(resp)
		r.writeCPUExceeded(w)
		r.finish(ctx, cancel, req, http.StatusServiceUnavailable, start, cpu, failure)
		return
	}
	var status int
	switch {
	case failure != nil:
		closeBody(resp)
		switch {
		case ctx.PassThroughRequested() && r.opts.Upstream != nil:
			status = r.passThrough(w, req)
		case faviconAfterScheduled(req):
			status = notFoundFavicon(w)
		default:
			status = r.writeError(w, req, failure)
		}
	case resp.StatusCode == http.StatusInternalServerError && faviconAfterScheduled(req):
		closeBody(resp)
		status = notFoundFavicon(w)
	default:
		if sock, ok := worker.WebSocketFrom(resp); ok {
			r.finish(ctx, cancel, req, http.StatusSwitchingProtocols, start, cpu, nil)
			r.pumpWebSocket(w, req, sock)
			return
		}
		status = resp.StatusCode
		writeResponse(w, resp)
	}
	r.finish(ctx, cancel, req, status, start, cpu, failure)
}

// callFetch runs the worker's Fetch, turning a panic into an error that carries the stack.
func callFetch(b worker.Bound, req *http.Request, ctx *worker.Context) (resp *http.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, &panicError{value: p, stack: debug.Stack()}
		}
	}()
	resp, err = b.Fetch(req, ctx)
	if err == nil && resp == nil {
		err = errors.New("Fetch returned neither a response nor an error")
	}
	return resp, err
}

// serveDirect serves a net/http-handler worker straight onto w; served is false when the
// worker is not one.
func serveDirect(d worker.DirectHTTP, w http.ResponseWriter, req *http.Request, ctx *worker.Context) (served bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			served, err = true, &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return d.ServeHTTPDirect(w, req, ctx), nil
}

// finish logs the invocation and hands its WaitUntil work to the background.
func (r *Runner) finish(ctx *worker.Context, cancel context.CancelFunc, req *http.Request, status int, start time.Time, cpu time.Duration, failure error) {
	if failure != nil || r.logsInvocations {
		r.logInvocation(req, status, time.Since(start), cpu, ctx.Subrequests(), failure)
	}
	cancel()
	if ctx.HasWaitUntil() {
		r.background.Add(1)
		go func() {
			defer r.background.Done()
			ctx.Wait(context.Background())
		}()
	}
}

// logInvocation writes the invocation's log line.
func (r *Runner) logInvocation(req *http.Request, status int, wall, cpu time.Duration, subrequests int, failure error) {
	fields := []zap.Field{
		zap.String("handler", "fetch"),
		zap.String("method", req.Method),
		zap.String("path", req.URL.Path),
		zap.Int("status", status),
		zap.Float64("wall_ms", float64(wall.Microseconds())/1000),
		zap.Float64("cpu_ms", float64(cpu.Microseconds())/1000),
		zap.Int("subrequests", subrequests),
	}
	if failure != nil {
		r.log.Error("invocation failed", append(fields, zap.Error(failure))...)
		return
	}
	r.log.Info("invocation", fields...)
}

// catch runs f, turning a panic into an error that carries the stack.
func catch(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return f()
}

type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

func closeBody(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
}

// smallLengths are the Content-Length header values of bodies under 1 KiB, each made on
// first use and then shared (net/http only reads header values): made all at start they
// cost 2,000 allocations before the first request.
var smallLengths [1024]atomic.Pointer[[]string]

func contentLength(n int64) []string {
	if n >= int64(len(smallLengths)) {
		return []string{strconv.FormatInt(n, 10)}
	}
	if v := smallLengths[n].Load(); v != nil {
		return *v
	}
	v := []string{strconv.FormatInt(n, 10)}
	smallLengths[n].Store(&v)
	return v
}

// writeResponse copies resp onto w; the body streams (an *os.File body goes by sendfile).
func writeResponse(w http.ResponseWriter, resp *http.Response) {
	h := w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	if resp.ContentLength >= 0 && len(h["Content-Length"]) == 0 && resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotModified {
		h["Content-Length"] = contentLength(resp.ContentLength)
	}
	w.WriteHeader(resp.StatusCode)
	if resp.Body != nil {
		if f, ok := w.(http.Flusher); ok && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			copyFlushing(w, f, resp.Body)
		} else {
			io.Copy(w, resp.Body)
		}
		resp.Body.Close()
	}
}

// copyFlushing streams server-sent events chunk by chunk.
func copyFlushing(w io.Writer, f http.Flusher, r io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			f.Flush()
		}
		if err != nil {
			return
		}
	}
}

// faviconAfterScheduled reports whether req is the favicon request a browser sends after
// opening /__scheduled: that page is the runner's, so a worker without a favicon route
// should not show an error for it (CR-013).
func faviconAfterScheduled(req *http.Request) bool {
	if req.URL.Path != "/favicon.ico" {
		return false
	}
	ref, _, _ := strings.Cut(req.Referer(), "?")
	return strings.HasSuffix(ref, "/__scheduled")
}

// notFoundFavicon answers that favicon request with a 404 instead of the worker's 500.
func notFoundFavicon(w http.ResponseWriter) int {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, "Not Found")
	return http.StatusNotFound
}

// writeError answers a failed invocation: 500 (the platform's 1101), as an HTML page when the
// client accepts HTML, else the error and stack as text (W-011, W-013).
func (r *Runner) writeError(w http.ResponseWriter, req *http.Request, failure error) int {
	status := http.StatusInternalServerError
	var le *worker.LimitError
	if errors.As(failure, &le) {
		status = http.StatusServiceUnavailable
	}
	detail := failure.Error()
	var pe *panicError
	if errors.As(failure, &pe) {
		detail += "\n\n" + string(pe.stack)
	}
	if acceptsHTML(req.Header.Get("Accept")) {
		w.Header().Set("Content-Type", "text/html;charset=UTF-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, errorPage, html.EscapeString(failure.Error()), html.EscapeString(req.Method), html.EscapeString(req.URL.String()), html.EscapeString(detail))
		return status
	}
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, detail)
	return status
}

func (r *Runner) writeCPUExceeded(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, "Error 1102: Worker exceeded resource limits")
}

func acceptsHTML(accept string) bool {
	return strings.Contains(accept, "text/html") || strings.Contains(accept, "text/*") || strings.Contains(accept, "*/*")
}

const errorPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Error 1101: Worker threw an exception</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style>
</head><body><h1>Error 1101: Worker threw an exception</h1>
<p><strong>%s</strong></p><p>%s %s</p><pre>%s</pre></body></html>
`

// passThrough forwards req to the upstream origin (W-010).
func (r *Runner) passThrough(w http.ResponseWriter, req *http.Request) int {
	sw := &statusWriter{ResponseWriter: w}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(r.opts.Upstream)
		pr.Out.Host = r.opts.Upstream.Host
	}}
	proxy.ServeHTTP(sw, req.WithContext(context.WithoutCancel(req.Context())))
	return sw.status
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Flush lets streaming handlers flush through the wrapper.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (hijack for WebSockets).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
