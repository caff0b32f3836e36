package host

import (
	"context"
	"fmt"
)

// openShared returns the binding resource of kind and id, opening it on first use: every
// binding to the same id, from any worker of this runner, shares one handle. close
// runs at shutdown.
func openShared[T any](r *Runner, kind, id string, open func() (T, func() error, error)) (T, error) {
	key := kind + "\x00" + id
	r.mu.Lock()
	if v, ok := r.shared[key]; ok {
		r.mu.Unlock()
		return v.(T), nil
	}
	r.mu.Unlock()
	v, closeFn, err := open()
	if err != nil {
		var zero T
		return zero, fmt.Errorf("open %s %q: %w", kind, id, err)
	}
	r.mu.Lock()
	if r.shared == nil {
		r.shared = map[string]any{}
	}
	r.shared[key] = v
	r.mu.Unlock()
	r.onClose(func(context.Context) error { return closeFn() })
	return v, nil
}
