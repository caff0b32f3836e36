package durableobject

import (
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/flarego/flarego/worker"
)

// MethodDesc is a typed descriptor of one RPC method of class T, made by Method. Calls go by
// name, so that the same call can cross processes (JSON-encoded) once objects live elsewhere;
// in process they are direct calls.
type MethodDesc[T, A, R any] struct {
	name string
	fn   func(T, context.Context, A) (R, error)
}

// Method describes the RPC method fn of class T under name, usually as a package variable:
//
//	var Post = durableobject.Method("Post", (*Room).Post)
//	n, err := Post.Call(ctx, env.Rooms.GetByName("lobby"), msg)
//
// A and R must be serializable to JSON: Method panics, at start-up, when they contain
// channels, functions, complex numbers or maps with keys JSON cannot encode. Values inside interfaces are checked only
// when the engine's Options.SerializeRPC is on. In process, the argument and result are
// passed as they are, not copied: treat them as handed over.
func Method[T, A, R any](name string, fn func(T, context.Context, A) (R, error)) *MethodDesc[T, A, R] {
	if name == "" || fn == nil {
		panic("durableobject.Method: empty name or nil function")
	}
	for _, t := range []reflect.Type{reflect.TypeFor[A](), reflect.TypeFor[R]()} {
		if err := checkSerializable(t); err != nil {
			panic(fmt.Sprintf("durableobject.Method %s: %v", name, err))
		}
	}
	return &MethodDesc[T, A, R]{name: name, fn: fn}
}

// Name is the method's name.
func (m *MethodDesc[T, A, R]) Name() string { return m.name }

// Call runs the method on the object stub reaches, as one event of that object (DO-010): it
// waits its turn behind the object's earlier events and returns once the result is allowed out
// (after the writes of the method's turn are durable). Errors the method returns come back
// wrapped in *RemoteError (DO-012); ErrOverloaded means the object's queue is full (DO-013); a
// *CycleError means the call would re-enter an object whose event is waiting on this call.
// Pass the calling handler's context: it carries the call chain and the budget.
func (m *MethodDesc[T, A, R]) Call(ctx context.Context, stub *Stub[T], arg A) (R, error) {
	var zero R
	if stub.ns.engine.opts.SerializeRPC {
		var err error
		if arg, err = roundTrip(arg); err != nil {
			return zero, err
		}
	}
	v, err := stub.call(ctx, evRPC, func(inst any, wctx *worker.Context) (any, error) {
		r, err := m.fn(inst.(T), wctx, arg)
		if err != nil {
			return nil, remote(err)
		}
		if stub.ns.engine.opts.SerializeRPC {
			return roundTrip(r)
		}
		return r, nil
	})
	if err != nil {
		return zero, err
	}
	r, _ := v.(R)
	return r, nil
}

// roundTrip copies v through JSON, as a remote call would.
func roundTrip[V any](v V) (V, error) {
	var out V
	b, err := json.Marshal(v)
	if err != nil {
		return out, fmt.Errorf("%w: %v", ErrNotSerializable, err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("%w: %v", ErrNotSerializable, err)
	}
	return out, nil
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// checkSerializable rejects types encoding/json cannot carry.
func checkSerializable(t reflect.Type) error {
	return checkType(t, map[reflect.Type]bool{})
}

func checkType(t reflect.Type, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	if t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return fmt.Errorf("%w: %v", ErrNotSerializable, t)
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return checkType(t.Elem(), seen)
	case reflect.Map:
		k := t.Key()
		switch {
		case k.Kind() == reflect.String, k.Kind() >= reflect.Int && k.Kind() <= reflect.Uintptr,
			k.Implements(textMarshaler), reflect.PointerTo(k).Implements(textMarshaler):
		default:
			return fmt.Errorf("%w: map key %v", ErrNotSerializable, k)
		}
		return checkType(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			if err := checkType(f.Type, seen); err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
	}
	return nil
}
