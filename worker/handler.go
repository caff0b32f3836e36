package worker

import (
	"net/http"
	"time"
)

// Handler is a worker's HTTP entry point (the platform's fetch handler, W-001). A returned
// error, or a panic, becomes a 500 response and a log line; the runner carries on (W-011).
type Handler[E any] interface {
	Fetch(req *http.Request, env E, ctx *Context) (*http.Response, error)
}

// ScheduledHandler is implemented by workers that run on cron triggers (W-022).
type ScheduledHandler[E any] interface {
	Scheduled(ev ScheduledEvent, env E, ctx *Context) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc[E any] func(req *http.Request, env E, ctx *Context) (*http.Response, error)

// Fetch calls f.
func (f HandlerFunc[E]) Fetch(req *http.Request, env E, ctx *Context) (*http.Response, error) {
	return f(req, env, ctx)
}

// ScheduledEvent is one cron firing (the platform's ScheduledController, CR-008).
type ScheduledEvent struct {
	// Cron is the trigger's expression exactly as configured (CR-007); "" for a manual
	// trigger without one.
	Cron string
	// ScheduledTime is when the trigger was due, not when the handler started.
	ScheduledTime time.Time

	noRetry *bool
}

// NewScheduledEvent returns an event for cron due at t. The runner makes these; tests may too.
func NewScheduledEvent(cron string, t time.Time) ScheduledEvent {
	return ScheduledEvent{Cron: cron, ScheduledTime: t, noRetry: new(bool)}
}

// Type is always "scheduled".
func (ScheduledEvent) Type() string { return "scheduled" }

// NoRetry asks that a failed run of this event is not retried (CR-009).
func (ev ScheduledEvent) NoRetry() {
	if ev.noRetry != nil {
		*ev.noRetry = true
	}
}

// NoRetryRequested reports whether the handler called NoRetry.
func (ev ScheduledEvent) NoRetryRequested() bool { return ev.noRetry != nil && *ev.noRetry }
