package worker

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
)

// ErrNoScheduledHandler is returned when a cron event reaches a worker without a Scheduled
// method (CR-016); its text is the platform's.
var ErrNoScheduledHandler = errors.New("Received a ScheduledEvent but we lack a handler for ScheduledEvents (a.k.a. Cron Triggers). Did you remember to export a scheduled() function?")

// Registration is something another package attached to an App: a Durable Object class,
// a queue consumer, a workflow, an RPC entrypoint. Value is that package's own type, already
// closed over the App's Env type so that the runner can use it without knowing E.
type Registration struct {
	// Kind names the registering package's kind, e.g. "durable-object", "queue-consumer".
	Kind string
	// Name is the class name or queue name it was registered under.
	Name string
	// Value is the registering package's record.
	Value any
}

// Runnable is what a runner needs from an App whatever its Env type. *App[E] implements it.
type Runnable interface {
	// Name is the worker's name: Named's, else "" (the runner then uses the config's name).
	Name() string
	// EnvType is E.
	EnvType() reflect.Type
	// Registrations lists what was registered, in registration order.
	Registrations() []Registration
	// Bind pairs the handler with an Env value, which must be an E.
	Bind(env any) (Bound, error)
}

// Bound is an App paired with its Env: what a runner invokes.
type Bound interface {
	// Env returns the E given to Bind.
	Env() any
	// Fetch runs the fetch handler.
	Fetch(req *http.Request, ctx *Context) (*http.Response, error)
	// Scheduled runs the scheduled handler, or returns ErrNoScheduledHandler.
	Scheduled(ev ScheduledEvent, ctx *Context) error
	// HasScheduled reports whether the worker has a scheduled handler.
	HasScheduled() bool
}

// App is a worker definition: a handler over the Env type E, and what other packages
// registered on it. Make one with New. Registration is for start-up; an App is safe to
// read from many goroutines once the runner starts.
type App[E any] struct {
	name    string
	handler Handler[E]

	mu   sync.Mutex
	regs []Registration
}

// Option configures an App.
type Option interface{ apply(*appOptions) }

type appOptions struct{ name string }

type optionFunc func(*appOptions)

func (f optionFunc) apply(o *appOptions) { f(o) }

// Named gives the worker a name, used for service bindings between workers and in
// logs, instead of the config's `name`.
func Named(name string) Option { return optionFunc(func(o *appOptions) { o.name = name }) }

// New makes an App from a handler. It panics if h is nil or E is not a struct type, because
// both are programming errors found at start-up.
func New[E any](h Handler[E], opts ...Option) *App[E] {
	if h == nil {
		panic("worker.New: nil handler")
	}
	if t := reflect.TypeFor[E](); t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("worker.New: Env type %v is not a struct", t))
	}
	var o appOptions
	for _, opt := range opts {
		opt.apply(&o)
	}
	return &App[E]{name: o.name, handler: h}
}

// Name implements Runnable.
func (a *App[E]) Name() string { return a.name }

// EnvType implements Runnable.
func (a *App[E]) EnvType() reflect.Type { return reflect.TypeFor[E]() }

// Handler returns the handler given to New.
func (a *App[E]) Handler() Handler[E] { return a.handler }

// Register attaches r. It panics when something of the same Kind and Name is already
// registered: two classes under one name is a programming error.
func (a *App[E]) Register(r Registration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, have := range a.regs {
		if have.Kind == r.Kind && have.Name == r.Name {
			panic(fmt.Sprintf("worker: %s %q registered twice", r.Kind, r.Name))
		}
	}
	a.regs = append(a.regs, r)
}

// Registrations implements Runnable.
func (a *App[E]) Registrations() []Registration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Registration(nil), a.regs...)
}

// Bind implements Runnable. env must be an E (or *E).
func (a *App[E]) Bind(env any) (Bound, error) {
	var e E
	switch v := env.(type) {
	case E:
		e = v
	case *E:
		e = *v
	default:
		return nil, fmt.Errorf("worker: Bind: env is %T, want %v", env, reflect.TypeFor[E]())
	}
	return a.BindEnv(e), nil
}

// BindEnv pairs the handler with e.
func (a *App[E]) BindEnv(e E) *BoundApp[E] {
	h := a.handler
	if p, ok := h.(envPreparer[E]); ok {
		h = p.prepare(e)
	}
	b := &BoundApp[E]{env: e, fetch: h}
	b.scheduled, _ = a.handler.(ScheduledHandler[E])
	return b
}

// envPreparer is implemented by handlers that build something once per Env (FromHTTP
// builds its http.Handler once, not per request).
type envPreparer[E any] interface {
	prepare(env E) Handler[E]
}

// BoundApp is an App bound to its Env; it implements Bound.
type BoundApp[E any] struct {
	env       E
	fetch     Handler[E]
	scheduled ScheduledHandler[E]
}

// Env implements Bound.
func (b *BoundApp[E]) Env() any { return b.env }

// TypedEnv returns the Env.
func (b *BoundApp[E]) TypedEnv() E { return b.env }

// Fetch implements Bound.
func (b *BoundApp[E]) Fetch(req *http.Request, ctx *Context) (*http.Response, error) {
	return b.fetch.Fetch(req, b.env, ctx)
}

// Scheduled implements Bound.
func (b *BoundApp[E]) Scheduled(ev ScheduledEvent, ctx *Context) error {
	if b.scheduled == nil {
		return ErrNoScheduledHandler
	}
	return b.scheduled.Scheduled(ev, b.env, ctx)
}

// HasScheduled implements Bound.
func (b *BoundApp[E]) HasScheduled() bool { return b.scheduled != nil }

// DirectHTTP is implemented by a Bound that can serve a net/http handler straight onto the
// connection, streaming, instead of through an *http.Response. ServeHTTPDirect returns false,
// having written nothing, when the worker's handler is not such a handler.
type DirectHTTP interface {
	ServeHTTPDirect(w http.ResponseWriter, r *http.Request, ctx *Context) bool
}

// ServeHTTPDirect implements DirectHTTP when the handler came from FromHTTP; ok is false
// otherwise and nothing was written.
func (b *BoundApp[E]) ServeHTTPDirect(w http.ResponseWriter, r *http.Request, ctx *Context) bool {
	h, ok := b.fetch.(*httpHandler[E])
	if !ok {
		return false
	}
	h.serve(w, r, b.env, ctx)
	return true
}
