package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
)

// MaxServiceDepth is how deep service calls may nest before the platform's loop error
// (W-012, error 1019).
const MaxServiceDepth = 16

// ErrServiceLoop is returned by a service call nested deeper than MaxServiceDepth.
var ErrServiceLoop = errors.New("Error 1019: Worker loop detected: service calls nested more than 16 deep")

// ErrNoEntrypointMethod is returned by Call when the target entrypoint has no such method.
var ErrNoEntrypointMethod = errors.New("worker: the entrypoint has no such RPC method")

// MaxRPCSize bounds serialised RPC arguments and results (W-026).
const MaxRPCSize = 32 << 20

// ServiceTarget is what a Service calls: another worker in this process or in another
// runner. The runner provides it.
type ServiceTarget interface {
	// Fetch runs the target worker's fetch handler.
	Fetch(req *http.Request) (*http.Response, error)
	// Call runs method on the target entrypoint with arg, in process (arg and result are Go
	// values) or remotely (JSON), and returns the result.
	Call(ctx context.Context, method string, arg any, result any) error
}

// Service is a service binding (the config's `services` entries): another worker reached
// without going over the network (W-024), by Fetch or by typed RPC through Method
// descriptors (W-025). A worker served by the same runner runs on the caller's goroutine
// and thread, so its CPU time counts against the caller's budget (W-030); one served by
// another runner's process is not counted.
type Service struct {
	name   string
	target ServiceTarget
}

// NewService makes a Service named name (for errors) over target.
func NewService(name string, target ServiceTarget) *Service {
	return &Service{name: name, target: target}
}

// Name is the bound service's name.
func (s *Service) Name() string { return s.name }

// Fetch sends req to the service's fetch handler. It counts as a subrequest and as one
// level of service nesting (W-012).
func (s *Service) Fetch(req *http.Request) (*http.Response, error) {
	ctx, err := enterService(req.Context())
	if err != nil {
		return nil, err
	}
	return s.target.Fetch(req.WithContext(ctx))
}

type depthKey struct{}

// ServiceDepth is how many service calls ctx is nested in.
func ServiceDepth(ctx context.Context) int {
	d, _ := ctx.Value(depthKey{}).(int)
	return d
}

// WithServiceDepth returns ctx marked as nested d service calls deep (runners use it for
// calls arriving from another process).
func WithServiceDepth(ctx context.Context, d int) context.Context {
	return context.WithValue(ctx, depthKey{}, d)
}

func enterService(ctx context.Context) (context.Context, error) {
	if err := Subrequest(ctx); err != nil {
		return nil, err
	}
	d := ServiceDepth(ctx) + 1
	if d > MaxServiceDepth {
		return nil, ErrServiceLoop
	}
	return WithServiceDepth(ctx, d), nil
}

// MethodDesc describes the RPC method Name of entrypoint type T, taking A and returning R.
// Make one with Method, usually as a package-level variable beside the type.
type MethodDesc[T any, A any, R any] struct {
	name string
	fn   func(T, context.Context, A) (R, error)
}

// Method declares fn as the RPC method name of T. Arguments and results must be
// JSON-serialisable, so that the same call can cross processes. Declaring two methods of
// one T under one name panics.
//
// Within one runner, arguments and results are passed as Go values: a result that is an
// object with methods (the platform's RpcTarget) is the callee's own object, and calls on
// it act on the callee's state for as long as the caller keeps it (W-027). Between runners
// they travel as JSON, so such an object arrives as a copy of its exported fields: stubs
// that call back into another process are not supported.
func Method[T any, A any, R any](name string, fn func(T, context.Context, A) (R, error)) *MethodDesc[T, A, R] {
	m := &MethodDesc[T, A, R]{name: name, fn: fn}
	registerMethod(reflect.TypeFor[T](), name, m)
	return m
}

// Name is the method's name.
func (m *MethodDesc[T, A, R]) Name() string { return m.name }

// Call calls the method on the entrypoint behind svc (W-025). The result comes back as R;
// an error returned by the method comes back as an error whose text is the same.
func (m *MethodDesc[T, A, R]) Call(ctx context.Context, svc *Service, arg A) (R, error) {
	var r R
	ctx, err := enterService(ctx)
	if err != nil {
		return r, err
	}
	err = svc.target.Call(ctx, m.name, arg, &r)
	return r, err
}

// invoke calls the method on target directly with Go values: the in-process path.
func (m *MethodDesc[T, A, R]) invoke(ctx context.Context, target any, arg any, result any) error {
	t, ok := target.(T)
	if !ok {
		return fmt.Errorf("%w: %q is a method of %v, the entrypoint is %T", ErrNoEntrypointMethod, m.name, reflect.TypeFor[T](), target)
	}
	a, ok := arg.(A)
	if !ok {
		return fmt.Errorf("worker: RPC %q: argument is %T, want %v", m.name, arg, reflect.TypeFor[A]())
	}
	r, err := m.fn(t, ctx, a)
	if err != nil {
		return err
	}
	*result.(*R) = r
	return nil
}

// invokeJSON calls the method with a JSON argument and returns a JSON result: the path of
// calls that crossed processes.
func (m *MethodDesc[T, A, R]) invokeJSON(ctx context.Context, target any, arg json.RawMessage) (json.RawMessage, error) {
	t, ok := target.(T)
	if !ok {
		return nil, fmt.Errorf("%w: %q is a method of %v, the entrypoint is %T", ErrNoEntrypointMethod, m.name, reflect.TypeFor[T](), target)
	}
	var a A
	if len(arg) > 0 {
		if err := json.Unmarshal(arg, &a); err != nil {
			return nil, fmt.Errorf("worker: RPC %q: decode argument: %w", m.name, err)
		}
	}
	r, err := m.fn(t, ctx, a)
	if err != nil {
		return nil, err
	}
	return EncodeRPC(r)
}

type invoker interface {
	invoke(ctx context.Context, target any, arg any, result any) error
	invokeJSON(ctx context.Context, target any, arg json.RawMessage) (json.RawMessage, error)
}

var methods sync.Map // methodKey → invoker

type methodKey struct {
	t    reflect.Type
	name string
}

func registerMethod(t reflect.Type, name string, inv invoker) {
	if _, dup := methods.LoadOrStore(methodKey{t, name}, inv); dup {
		panic(fmt.Sprintf("worker.Method: %v already has a method %q", t, name))
	}
}

func lookupMethod(target any, name string) (invoker, error) {
	v, ok := methods.Load(methodKey{reflect.TypeOf(target), name})
	if !ok {
		return nil, fmt.Errorf("%w: %T has no method %q declared with worker.Method", ErrNoEntrypointMethod, target, name)
	}
	return v.(invoker), nil
}

// InvokeMethod runs the method name of an entrypoint value in process (runners call it).
func InvokeMethod(ctx context.Context, target any, name string, arg any, result any) error {
	inv, err := lookupMethod(target, name)
	if err != nil {
		return err
	}
	return inv.invoke(ctx, target, arg, result)
}

// InvokeMethodJSON runs the method name of an entrypoint value with a JSON argument and
// returns its JSON result (runners call it for calls from another process).
func InvokeMethodJSON(ctx context.Context, target any, name string, arg json.RawMessage) (json.RawMessage, error) {
	inv, err := lookupMethod(target, name)
	if err != nil {
		return nil, err
	}
	return inv.invokeJSON(ctx, target, arg)
}

// EncodeRPC serialises an RPC argument or result, enforcing the 32 MiB limit with the
// platform's message (W-026).
func EncodeRPC(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("worker: RPC value is not serialisable: %w", err)
	}
	if len(b) > MaxRPCSize {
		return nil, fmt.Errorf("Serialized RPC arguments or return values are limited to 32MiB, but the size of this value was: %d bytes.", len(b))
	}
	return b, nil
}
