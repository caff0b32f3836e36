package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// WaitUntilGrace is how long WaitUntil work may run after the response (W-009).
const WaitUntilGrace = 30 * time.Second

// ErrWaitUntilTimeout is joined into Context.Wait's error for WaitUntil work still running
// when the grace period ended; that work's context is cancelled.
var ErrWaitUntilTimeout = errors.New("worker: waitUntil work still running after the grace period")

// Context is one invocation's context (the platform's ExecutionContext). It is a
// context.Context: cancelled when the client goes away or the wall budget ends, carrying the
// invocation's budget for binding calls. Pass it (or a context derived from it) to every
// binding call. A Context is made by the runner (or workertest); its zero value is not usable.
type Context struct {
	context.Context
	inv *invocation
}

type invocation struct {
	kind        string
	logger      *slog.Logger
	props       json.RawMessage
	meter       meter
	workerName  string
	cf          *CF
	exports     ExportsSource
	passThrough bool
	waitCtx     context.Context    // not cancelled with the request: WaitUntil work outlives it
	stopWait    context.CancelFunc // nil until the first WaitUntil

	mu      sync.Mutex
	pending sync.WaitGroup
	tasks   int // WaitUntil calls so far (under mu)
	errs    []error
}

// ContextOptions describe an invocation to NewContext.
type ContextOptions struct {
	// Kind is "fetch", "scheduled", "queue", "alarm", "rpc", "websocket" … (for logs).
	Kind string
	// WorkerName is used for the CF-Worker header of outbound fetches (W-034).
	WorkerName string
	// Limits is the invocation's budget; Wall, when set, becomes the context's deadline.
	Limits Limits
	// Logger receives ctx.Logger() output; nil discards it.
	Logger *slog.Logger
	// Props are the caller's props for service-binding invocations (W-028).
	Props json.RawMessage
	// CF is the cf object of the invocation's request when the request carries none
	// (RequestCF); nil means DefaultCF.
	CF *CF
	// Exports answers Context.Exports (W-029); nil means none.
	Exports ExportsSource
	// ParentEnds says that parent is cancelled when the invocation ends, as an HTTP
	// request's context is. NewContext then makes no cancel of its own without asking
	// parent.Done(), which would make parent allocate its channel on every request.
	ParentEnds bool
}

type contextKey struct{}

// NewContext starts an invocation under parent. cancel ends the invocation's own context
// (not WaitUntil work); call it when the handler has returned. When parent can be
// cancelled (or o.ParentEnds says it is) and there is no wall limit, the invocation's
// context ends with parent and cancel does nothing: the caller ends parent when the
// invocation ends.
func NewContext(parent context.Context, o ContextOptions) (ctx *Context, cancel context.CancelFunc) {
	logger := o.Logger
	if logger == nil {
		logger = discardLogger
	}
	// One allocation for the Context and its invocation: this runs for every request.
	both := &struct {
		Context
		invocation
	}{}
	inv := &both.invocation
	inv.kind = o.Kind
	inv.logger = logger
	inv.props = o.Props
	inv.meter = meter{limits: o.Limits}
	inv.workerName = o.WorkerName
	inv.cf = o.CF
	inv.exports = o.Exports
	var c context.Context
	switch {
	case o.Limits.Wall > 0:
		c, cancel = context.WithTimeout(parent, o.Limits.Wall)
	case o.ParentEnds || parent.Done() != nil:
		// The parent already ends with the invocation (an HTTP request's context does):
		// a cancel of our own would only cost an allocation per request.
		c, cancel = parent, noCancel
	default:
		c, cancel = context.WithCancel(parent)
	}
	both.Context = Context{Context: c, inv: inv}
	return &both.Context, cancel
}

func noCancel() {}

var discardLogger = slog.New(slog.DiscardHandler)

// Value answers the keys this package looks up (the *Context itself for ContextFrom, the
// budget for Subrequest) and otherwise defers to the underlying context. Contexts derived
// from a *Context reach these answers through their parent chain.
func (c *Context) Value(key any) any {
	switch key.(type) {
	case contextKey:
		return c
	case meterKey:
		return &c.inv.meter
	}
	return c.Context.Value(key)
}

// ContextFrom returns the *Context that ctx is, or was derived from, or nil.
func ContextFrom(ctx context.Context) *Context {
	if c, ok := ctx.(*Context); ok {
		return c
	}
	c, _ := ctx.Value(contextKey{}).(*Context)
	return c
}

// Kind is the invocation kind given to NewContext.
func (c *Context) Kind() string { return c.inv.kind }

// Logger writes through the runner's log sink, tagged with the invocation.
func (c *Context) Logger() *slog.Logger { return c.inv.logger }

// Props returns the props a service binding or entrypoint was configured with (W-028), or nil.
func (c *Context) Props() json.RawMessage { return c.inv.props }

// Subrequests is how many subrequests the invocation has made so far.
func (c *Context) Subrequests() int { return int(c.inv.meter.subrequests.Load()) }

// Limits is the invocation's budget.
func (c *Context) Limits() Limits { return c.inv.meter.limits }

// PassThroughOnException asks that, if the handler later fails, the request is forwarded
// to the origin instead of answered with an error (W-010). Locally the origin is the
// runner's --upstream URL; without one the failure is a 500 as usual.
func (c *Context) PassThroughOnException() {
	c.inv.mu.Lock()
	c.inv.passThrough = true
	c.inv.mu.Unlock()
}

// PassThroughRequested reports whether PassThroughOnException was called.
func (c *Context) PassThroughRequested() bool {
	c.inv.mu.Lock()
	defer c.inv.mu.Unlock()
	return c.inv.passThrough
}

// WaitUntil runs fn beside the handler and keeps the invocation open until it returns, even
// after the response was sent (W-007). fn's context is not cancelled when the request ends;
// it is cancelled WaitUntilGrace after the runner starts waiting (W-009). Errors and panics
// of one task never stop the others (W-008); they are collected for Wait and logged.
func (c *Context) WaitUntil(fn func(ctx context.Context) error) {
	inv := c.inv
	inv.mu.Lock()
	inv.tasks++
	if inv.waitCtx == nil {
		inv.waitCtx, inv.stopWait = context.WithCancel(context.WithoutCancel(c))
	}
	waitCtx := inv.waitCtx
	inv.mu.Unlock()
	inv.pending.Add(1)
	go func() {
		defer inv.pending.Done()
		err := runTask(waitCtx, fn)
		if err != nil {
			inv.mu.Lock()
			inv.errs = append(inv.errs, err)
			inv.mu.Unlock()
			inv.logger.Error("waitUntil task failed", "error", err)
		}
	}()
}

func runTask(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fn(ctx)
}

// Wait blocks until every WaitUntil task has returned or the grace period has passed, and
// returns their errors joined (nil when all succeeded). Tasks still running after the grace
// period get their context cancelled and Wait reports ErrWaitUntilTimeout. The runner calls
// Wait after sending the response; workertest calls it to drain a test's invocation.
func (c *Context) Wait(ctx context.Context) error {
	inv := c.inv
	if !c.HasWaitUntil() {
		return nil
	}
	done := make(chan struct{})
	go func() { inv.pending.Wait(); close(done) }()
	timer := time.NewTimer(WaitUntilGrace)
	defer timer.Stop()
	var timedOut error
	select {
	case <-done:
	case <-timer.C:
		// Cancel what is left; a task that ignores its context is not waited for.
		timedOut = ErrWaitUntilTimeout
	case <-ctx.Done():
		timedOut = ctx.Err()
	}
	inv.stopWait()
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return errors.Join(append(append([]error(nil), inv.errs...), timedOut)...)
}

// HasWaitUntil reports whether WaitUntil was called, so that a runner can skip waiting.
func (c *Context) HasWaitUntil() bool {
	c.inv.mu.Lock()
	defer c.inv.mu.Unlock()
	return c.inv.tasks > 0
}
