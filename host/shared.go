package host

import (
	"context"
	"fmt"
	"sync"
)

// sharedEntry is one binding resource, opened once.
type sharedEntry struct {
	once sync.Once
	v    any
	err  error
}

// openShared returns the binding resource of kind and id, opening it on first use: every
// binding to the same id, from any worker of this runner, shares one handle. close
// runs at shutdown. Safe for concurrent use; a failed open is remembered and returned again.
func openShared[T any](r *Runner, kind, id string, open func() (T, func() error, error)) (T, error) {
	key := kind + "\x00" + id
	r.mu.Lock()
	if r.shared == nil {
		r.shared = map[string]*sharedEntry{}
	}
	e, ok := r.shared[key]
	if !ok {
		e = &sharedEntry{}
		r.shared[key] = e
	}
	r.mu.Unlock()
	e.once.Do(func() {
		v, closeFn, err := open()
		if err != nil {
			e.err = fmt.Errorf("open %s %q: %w", kind, id, err)
			return
		}
		e.v = v
		r.onClose(func(context.Context) error { return closeFn() })
	})
	if e.err != nil {
		var zero T
		return zero, e.err
	}
	return e.v.(T), nil
}
