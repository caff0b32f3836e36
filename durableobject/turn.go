package durableobject

import (
	"context"
	"sync/atomic"
)

// turn is one event being handled by one object. Turns are chained through contexts: a turn
// that calls another object passes its context on, so the callee's turn knows its caller's.
// That chain is how a call cycle (A→B→A) is refused instead of deadlocking: A's turn is still
// running and waiting for B, so A's queue would never get to the new event.
type turn struct {
	obj    *object
	parent *turn
	done   atomic.Bool
}

type turnKey struct{}

func withTurn(ctx context.Context, t *turn) context.Context {
	return context.WithValue(ctx, turnKey{}, t)
}

func turnFrom(ctx context.Context) *turn {
	if ctx == nil {
		return nil
	}
	t, _ := ctx.Value(turnKey{}).(*turn)
	return t
}

// cycle returns a *CycleError when the call chain of ctx holds a running turn of the object
// ns/id.
func cycle(ctx context.Context, ns *NamespaceHandle, id ID) error {
	for t := turnFrom(ctx); t != nil; t = t.parent {
		if !t.done.Load() && t.obj.ns == ns && t.obj.id.b == id.b {
			return &CycleError{Class: ns.class.Name, ID: id.String()}
		}
	}
	return nil
}

// inTurn reports whether ctx belongs to a running turn of o.
func inTurn(ctx context.Context, o *object) bool {
	t := turnFrom(ctx)
	return t != nil && t.obj == o && !t.done.Load()
}
