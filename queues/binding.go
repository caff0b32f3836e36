package queues

import (
	"fmt"
	"reflect"
)

// producerBinder is implemented by every *Producer[T]: it lets NewBindingValue fill a
// producer whose T it does not know.
type producerBinder interface{ bindHandle(*ProducerHandle) }

// NewBindingValue makes the value of an Env field of type t (which must be *Producer[T] for
// some T) over h. It is the runner's API for Env injection: the runner finds a field tagged
// with a producer binding, asks Engine.Producer for its handle and sets the field to the
// returned value. It returns an error when t is not a producer type.
func NewBindingValue(t reflect.Type, h *ProducerHandle) (reflect.Value, error) {
	if h == nil {
		return reflect.Value{}, fmt.Errorf("queues: NewBindingValue: nil handle")
	}
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("queues: binding field of type %v, want *queues.Producer[T]", t)
	}
	v := reflect.New(t.Elem())
	b, ok := v.Interface().(producerBinder)
	if !ok {
		return reflect.Value{}, fmt.Errorf("queues: binding field of type %v, want *queues.Producer[T]", t)
	}
	b.bindHandle(h)
	return v, nil
}

// IsProducerType reports whether t is *Producer[T] for some T: lets the runner tell queue
// producer fields from other binding fields.
func IsProducerType(t reflect.Type) bool {
	return t != nil && t.Kind() == reflect.Pointer && t.Implements(reflect.TypeFor[producerBinder]())
}
