package durableobject

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/flarego/flarego/worker"
)

// blockTimeout is how long BlockConcurrencyWhile's function may run before the object is
// reset (DO-023).
const blockTimeout = 30 * time.Second

// waitUntilLimit bounds State.WaitUntil work (DO-025).
const waitUntilLimit = 15 * time.Minute

// State is what an object's constructor gets: its ID, its storage, WaitUntil,
// BlockConcurrencyWhile, Abort and the hibernatable WebSocket API. A State belongs to one
// instance; after eviction the next instance gets a new one over the same storage.
type State struct {
	o       *object
	storage *Storage
}

// ID is the object's ID. Its Name is the name it was created from, in every handler and after
// eviction (DO-011), or "" for a unique ID.
func (s *State) ID() ID { return s.o.fullID() }

// Storage is the object's storage.
func (s *State) Storage() *Storage {
	if s.storage == nil {
		s.storage = &Storage{o: s.o, st: s.o.st}
	}
	return s.storage
}

// Logger is the engine's logger, tagged with the object.
func (s *State) Logger() *slog.Logger {
	return s.o.ns.engine.log.With("class", s.o.ns.class.Name, "id", s.o.id.String())
}

// WaitUntil runs fn beside the object's events and keeps the object from eviction until fn
// returns or 15 minutes pass (DO-025). It does not delay any response. fn's context is
// cancelled at the limit; its error is logged.
func (s *State) WaitUntil(fn func(ctx context.Context) error) {
	o := s.o
	o.pins.Add(1)
	bg := &o.ns.engine.background
	bg.Add(1)
	go func() {
		defer bg.Done()
		defer o.pins.Add(-1)
		ctx, cancel := context.WithTimeout(context.Background(), waitUntilLimit)
		defer cancel()
		if err := runTask(ctx, fn); err != nil {
			o.ns.engine.log.Error("durable object waitUntil failed", "class", o.ns.class.Name, "id", o.id.String(), "error", err)
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

// BlockConcurrencyWhile runs fn with no other event delivered to the object until it returns,
// and returns fn's error (DO-022). Inside a handler or the constructor, events are already held
// off (a turn holds the object), so fn simply runs; called from a goroutine of the object's
// own, fn runs as an event of its own. Pass the handler's context: that is how a call from
// inside the handler is told apart. If fn fails, or runs past 30 seconds, the object is reset
// after the event: its in-memory state is dropped, the event's writes are rolled back, and
// the next event runs the constructor again (DO-023).
func (s *State) BlockConcurrencyWhile(ctx context.Context, fn func(ctx context.Context) error) error {
	o := s.o
	if !o.mayRunInline(ctx) {
		_, err := o.runBlock(ctx, func(ctx context.Context) error { return s.BlockConcurrencyWhile(ctx, fn) })
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	bctx, cancel := context.WithTimeout(ctx, blockTimeout)
	defer cancel()
	err := fn(bctx)
	if err == nil && errors.Is(bctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("durableobject: blockConcurrencyWhile() callback ran longer than %v: %w", blockTimeout, context.DeadlineExceeded)
	}
	if err != nil {
		o.mu.Lock()
		o.resetAfter = true
		o.mu.Unlock()
	}
	return err
}

// abortSignal is what Abort panics with; the engine recovers it.
type abortSignal struct {
	reason  string
	noRetry bool
}

// AbortOption changes what Abort does.
type AbortOption func(*abortSignal)

// WithoutAlarmRetry keeps an alarm that Abort interrupts from being retried (the platform's
// retryAlarm: false).
func WithoutAlarmRetry() AbortOption { return func(a *abortSignal) { a.noRetry = true } }

// Abort resets the object at once and does not return (DO-024): the event's writes are rolled
// back, its caller gets an *AbortError (wrapped in *RemoteError) with reason, and the next event
// runs the constructor again. An alarm it interrupts is retried unless WithoutAlarmRetry is
// given. Like a JavaScript exception that cannot be caught, it unwinds the handler with a panic
// that the engine recovers; do not recover it yourself.
func (s *State) Abort(reason string, opts ...AbortOption) {
	if reason == "" {
		reason = "Application called abort() to reset Durable Object."
	}
	a := abortSignal{reason: reason}
	for _, o := range opts {
		o(&a)
	}
	panic(a)
}

// mayRunInline reports whether code calling with ctx already runs inside the object's event
// (or constructor), so that an operation that must exclude other events can run at once.
// When unsure (another event is running and ctx does not say whose code this is), it also
// answers yes: waiting for that event could be waiting for ourselves.
func (o *object) mayRunInline(ctx context.Context) bool {
	if ctx != nil && inTurn(ctx, o) {
		return true
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.constructing || o.busy
}

// runBlock runs fn as an event of the object and waits for it.
func (o *object) runBlock(ctx context.Context, fn func(context.Context) error) (any, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ev := &event{kind: evBlock, ctx: ctx, done: make(chan outcome, 1), run: func(_ any, wctx *worker.Context) (any, error) {
		return nil, fn(wctx)
	}}
	return o.ns.deliver(ctx, o.id, ev, false)
}
