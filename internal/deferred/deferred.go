// Package deferred holds a value that is made in the background: a binding whose storage
// opens while the runner already serves, waited for by its first use.
package deferred

import (
	"context"
	"sync/atomic"
)

// Value is a T being made, or made. Safe for concurrent use; the zero value is not usable.
type Value[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// opening lets one open run at a time, process-wide, once SerializeOpens was called. Opens
// are CPU-bound (SQLite creating and checking files); run side by side they would take every
// processor from the requests the runner is already serving, and the first request would
// wait for them all.
var (
	opening   = make(chan struct{}, 1)
	serialize atomic.Bool
)

// SerializeOpens makes opens started from now on run one at a time. The runner's process
// entry calls it. Tests do not: a goroutine waiting for a channel made outside a
// testing/synctest bubble is not durably blocked, so a bubble whose open waits for the
// bubble's clock while another of its goroutines waits here would never advance.
func SerializeOpens() { serialize.Store(true) }

// Start makes a Value and runs open in a new goroutine to make it; when opens are
// serialised, not while another open runs. open must not wait for another Value: that one
// may be waiting for it.
func Start[T any](open func() (T, error)) *Value[T] {
	d := &Value[T]{done: make(chan struct{})}
	serial := serialize.Load()
	go func() {
		if serial {
			opening <- struct{}{}
			defer func() { <-opening }()
		}
		d.v, d.err = open()
		close(d.done)
	}()
	return d
}

// Get waits for the value and returns it, or the error open returned.
func (d *Value[T]) Get() (T, error) {
	<-d.done
	return d.v, d.err
}

// GetContext is Get, giving up with ctx's error when ctx ends first.
func (d *Value[T]) GetContext(ctx context.Context) (T, error) {
	select {
	case <-d.done:
		return d.v, d.err
	default:
	}
	select {
	case <-d.done:
		return d.v, d.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Wait waits for the value, giving up with ctx's error when ctx ends first, and returns
// the error open returned. A nil Value stands for one made already: Wait returns nil.
func (d *Value[T]) Wait(ctx context.Context) error {
	if d == nil {
		return nil
	}
	_, err := d.GetContext(ctx)
	return err
}

// Done is closed once the value is made.
func (d *Value[T]) Done() <-chan struct{} { return d.done }
