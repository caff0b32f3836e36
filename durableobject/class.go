package durableobject

import (
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/flarego/flarego/worker"
)

// RegistrationKind is the worker.Registration Kind of Durable Object classes.
const RegistrationKind = "durable-object"

// Fetcher is implemented by classes that take HTTP requests through Stub.Fetch (DO-010),
// including WebSocket upgrades (DO-072).
type Fetcher interface {
	Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error)
}

// Alarmer is implemented by classes that use alarms (DO-054…DO-061).
type Alarmer interface {
	Alarm(ctx *worker.Context, info AlarmInfo) error
}

// WebSocketMessageHandler receives messages of hibernatable WebSockets (DO-062).
type WebSocketMessageHandler interface {
	WebSocketMessage(ctx *worker.Context, ws *WebSocket, msg worker.Message) error
}

// WebSocketCloseHandler is told when a hibernatable WebSocket's peer closed it (DO-062).
type WebSocketCloseHandler interface {
	WebSocketClose(ctx *worker.Context, ws *WebSocket, code int, reason string, wasClean bool) error
}

// WebSocketErrorHandler is told when a hibernatable WebSocket failed (DO-062), for example
// on a message over 32 MiB (DO-071).
type WebSocketErrorHandler interface {
	WebSocketError(ctx *worker.Context, ws *WebSocket, err error) error
}

// AlarmInfo describes one run of an alarm handler (DO-057).
type AlarmInfo struct {
	// RetryCount is 0 on the first try and counts the retries after failures.
	RetryCount int
	// IsRetry is RetryCount > 0.
	IsRetry bool
	// ScheduledTime is when the alarm was set to fire.
	ScheduledTime time.Time
}

// Class is a registered Durable Object class: what Register records on the App and what
// Engine.Namespace runs. Its fields are read-only.
type Class struct {
	// Name is the class_name of the configuration.
	Name string
	// Type is the type the constructor returns (the T of Namespace[T]).
	Type reflect.Type

	construct func(state *State, env any) (any, error)
}

// Register attaches a Durable Object class to app under className, the configuration's
// class_name. ctor runs when an object is first needed and again after every eviction; it
// gets the object's State and the worker's Env. T is usually a pointer to a struct whose
// methods are the class's RPC methods (see Method) and optional handlers (Fetcher, Alarmer,
// WebSocketMessageHandler …). Register panics if className is empty, ctor is nil or the
// class is registered twice: those are programming errors.
func Register[E, T any](app *worker.App[E], className string, ctor func(state *State, env E) T) {
	if className == "" {
		panic("durableobject.Register: empty class name")
	}
	if ctor == nil {
		panic("durableobject.Register: nil constructor for " + className)
	}
	app.Register(worker.Registration{Kind: RegistrationKind, Name: className, Value: NewClass(className, ctor)})
}

// NewClass makes the Class that Register would record, for runners and tests that build an
// Engine without a worker.App.
func NewClass[E, T any](className string, ctor func(state *State, env E) T) *Class {
	return &Class{
		Name: className,
		Type: reflect.TypeFor[T](),
		construct: func(state *State, env any) (any, error) {
			var e E
			switch v := env.(type) {
			case E:
				e = v
			case *E:
				e = *v
			case nil:
			default:
				return nil, fmt.Errorf("durableobject: class %s: env is %T, want %v", className, env, reflect.TypeFor[E]())
			}
			return ctor(state, e), nil
		},
	}
}
