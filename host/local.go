package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flarego/flarego/worker"
	"go.uber.org/zap"
)

// isLocalHost reports whether a Host header names this machine (W-036).
func isLocalHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// serveLocal answers the runner's endpoints under /cdn-cgi/. It returns false for unknown
// /cdn-cgi/local/ paths, which fall through to the worker (W-036).
func (r *Runner) serveLocal(w http.ResponseWriter, req *http.Request) bool {
	if !isLocalHost(req.Host) {
		http.Error(w, "/cdn-cgi/ is reserved for local tooling and only answers local Host headers", http.StatusForbidden)
		return true
	}
	p := req.URL.Path
	switch p {
	case "/cdn-cgi/handler/scheduled", "/cdn-cgi/local/scheduled":
		r.serveScheduledTrigger(w, req, true)
		return true
	}
	if rest, ok := strings.CutPrefix(p, "/cdn-cgi/local/"); ok {
		for prefix, h := range r.local {
			if rest == prefix || strings.HasPrefix(rest, prefix+"/") {
				h.ServeHTTP(w, req)
				return true
			}
		}
		return false
	}
	if strings.HasPrefix(p, "/cdn-cgi/handler/") {
		http.NotFound(w, req)
		return true
	}
	return false
}

// serveScheduledTrigger runs the scheduled handler by hand: `/__scheduled?cron=…` answers
// "Ran scheduled event" (CR-012); the /cdn-cgi/ endpoints answer the outcome, or
// {outcome, noRetry} with ?format=json, and take ?time= in epoch ms (CR-014).
func (r *Runner) serveScheduledTrigger(w http.ResponseWriter, req *http.Request, outcomeBody bool) {
	q := req.URL.Query()
	at := time.Now()
	if t := q.Get("time"); t != "" {
		ms, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			http.Error(w, fmt.Sprintf("time=%q is not epoch milliseconds", t), http.StatusBadRequest)
			return
		}
		at = time.UnixMilli(ms)
	}
	res := r.RunScheduled(req.Context(), r.primary, q.Get("cron"), at)
	status := http.StatusOK
	if res.Outcome != "ok" {
		status = http.StatusInternalServerError
	}
	if !outcomeBody {
		if res.Err != nil && errors.Is(res.Err, worker.ErrNoScheduledHandler) {
			http.Error(w, res.Err.Error(), status)
			return
		}
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.WriteHeader(status)
		fmt.Fprint(w, "Ran scheduled event")
		return
	}
	if q.Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"outcome": res.Outcome, "noRetry": res.NoRetry})
		return
	}
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprint(w, res.Outcome)
}

// ScheduledResult is the outcome of one scheduled invocation.
type ScheduledResult struct {
	// Outcome is "ok" or "exception".
	Outcome string
	NoRetry bool
	Err     error
}

// RunScheduled invokes ws's scheduled handler for cron at scheduledTime and waits for its
// WaitUntil work: the first failure of the handler or of that work decides the outcome
// (CR-010). The wall budget is 15 minutes (W-020).
func (r *Runner) RunScheduled(parent context.Context, ws *workerSlot, cron string, scheduledTime time.Time) ScheduledResult {
	start := time.Now()
	limits := ws.limits
	limits.Wall = 15 * time.Minute
	ctx, cancel := worker.NewContext(parent, worker.ContextOptions{
		Kind: "scheduled", WorkerName: ws.name, Limits: limits, Logger: r.slog, Exports: ws,
	})
	defer cancel()
	ev := worker.NewScheduledEvent(cron, scheduledTime.UTC())
	var err error
	cpu := worker.MeasureCPU(func() {
		err = catch(func() error { return ws.bound.Scheduled(ev, ctx) })
	})
	if werr := ctx.Wait(parent); err == nil {
		err = werr
	}
	res := ScheduledResult{Outcome: "ok", NoRetry: ev.NoRetryRequested(), Err: err}
	fields := []zap.Field{
		zap.String("handler", "scheduled"), zap.String("cron", cron),
		zap.Time("scheduled_time", scheduledTime.UTC()),
		zap.Float64("wall_ms", float64(time.Since(start).Microseconds())/1000),
		zap.Float64("cpu_ms", float64(cpu.Microseconds())/1000),
		zap.Int("subrequests", ctx.Subrequests()),
	}
	if err != nil {
		res.Outcome = "exception"
		r.log.Error("scheduled invocation failed", append(fields, zap.Error(err))...)
	} else {
		r.log.Info("invocation", fields...)
	}
	return res
}
