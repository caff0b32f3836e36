package kv

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/internal/deferred"
	"github.com/flarego/flarego/worker"
)

// Namespace is a KV namespace binding: what a worker's Env holds for a `kv_namespaces`
// entry. It is safe for concurrent use. Every method that touches storage counts one
// subrequest against the calling invocation (worker.Subrequest) before anything else.
//
// The zero value is not usable: build one with New (over any Driver), NewMemory, or the
// sqlite driver's OpenNamespace.
type Namespace struct {
	d Driver
	// later, when not nil, is d still opening (NewDeferred): d is set before later is done,
	// and every use of d waits for it.
	later       *deferred.Value[Driver]
	minCacheTTL time.Duration
	log         *slog.Logger

	closed atomic.Bool

	// Background purge of expired keys (see purge.go); mu also orders Close against it.
	mu       sync.Mutex
	timer    *time.Timer
	timerAt  time.Time
	inflight sync.WaitGroup
}

// New returns a Namespace over d. The Namespace owns d from then on: Close closes it. When d
// is a Purger, New schedules a purge of expired keys at once and after every write that sets
// an expiration.
func New(d Driver, opts Options) *Namespace {
	ns := newNamespace(opts)
	ns.d = d
	ns.schedulePurge(time.Now())
	return ns
}

// NewDeferred returns a Namespace at once and runs open in the background: the runner
// serves while a namespace's file opens. Operations wait for open to finish; if it failed,
// they return its error.
func NewDeferred(open func() (Driver, error), opts Options) *Namespace {
	ns := newNamespace(opts)
	ns.later = deferred.Start(func() (Driver, error) {
		d, err := open()
		if err != nil {
			return nil, err
		}
		ns.d = d
		ns.schedulePurge(time.Now())
		return d, nil
	})
	return ns
}

func newNamespace(opts Options) *Namespace {
	ns := &Namespace{minCacheTTL: opts.MinCacheTTL, log: opts.Logger}
	if ns.minCacheTTL <= 0 {
		ns.minCacheTTL = DefaultMinCacheTTL
	}
	if ns.log == nil {
		ns.log = slog.New(slog.DiscardHandler)
	}
	return ns
}

// NewMemory returns a ready Namespace over a new, empty in-memory driver: what unit tests
// put in a struct-literal Env. Its data lives as long as the Namespace.
func NewMemory() *Namespace { return New(NewMemoryDriver(), Options{}) }

// Driver returns the driver under ns, for capabilities beyond the binding's API. It waits
// for a deferred open, and is nil when that failed.
func (ns *Namespace) Driver() Driver {
	if ns.later.Wait(context.Background()) != nil {
		return nil
	}
	return ns.d
}

// Close stops background work, waits for the purge in progress, if any, and closes the
// driver. Operations after Close return ErrClosed or the driver's error.
func (ns *Namespace) Close() error {
	ns.mu.Lock()
	if ns.closed.Swap(true) {
		ns.mu.Unlock()
		return nil
	}
	if ns.timer != nil {
		ns.timer.Stop()
	}
	ns.mu.Unlock()
	if ns.later.Wait(context.Background()) != nil {
		return nil // nothing was opened
	}
	ns.inflight.Wait()
	return ns.d.Close()
}

// MarshalJSON always fails with ErrNotSerializable: a binding cannot be sent over RPC or
// stored (KV-039).
func (ns *Namespace) MarshalJSON() ([]byte, error) { return nil, ErrNotSerializable }

// GobEncode always fails with ErrNotSerializable (KV-039).
func (ns *Namespace) GobEncode() ([]byte, error) { return nil, ErrNotSerializable }

// begin is the start of every operation: the subrequest budget, then whether ns is open.
func (ns *Namespace) begin(ctx context.Context) error {
	if err := worker.Subrequest(ctx); err != nil {
		return err
	}
	if ns.closed.Load() {
		return ErrClosed
	}
	if err := ns.later.Wait(ctx); err != nil {
		return driverError("open", err)
	}
	return nil
}

// driverError turns a driver failure into the platform's failed-request error (KV-006),
// keeping the cause reachable. Cancellation and ErrNotFound pass through unchanged.
func driverError(op string, err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var kvErr *Error
	if errors.As(err, &kvErr) {
		return err
	}
	e := newError(op, 500, ErrInternal, "Internal Server Error")
	e.cause = err
	return e
}
