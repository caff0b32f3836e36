package durableobject

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sync"

	"github.com/flarego/flarego/internal/deferred"
	"github.com/flarego/flarego/worker"
)

// NamespaceHandle is the runtime of one Durable Object namespace (one class under one unique
// key): its live objects, its index and its alarm timer. It is the runner's API; a worker sees
// a namespace through the typed *Namespace[T] binding made from it (NewBindingValue, Bind).
// Make one with Engine.Namespace.
type NamespaceHandle struct {
	engine   *Engine
	class    *Class
	key      string // unique key
	nsk      *nsKey
	legacyKV bool
	index    *index // set once ready is done
	alarms   *alarmSched
	// ready is done once the index is open and the alarms loaded.
	ready *deferred.Value[struct{}]

	mu      sync.RWMutex
	objects map[[32]byte]*object
	// splits remembers how the SQL API's statement strings split (sqlcache.go).
	splits splitCache
	// retired are the stores of objects evicted while idle, their databases still open
	// (retire.go). retiredMu is taken after ns.mu or a store's mu, and nothing after it.
	retiredMu sync.Mutex
	retired   map[[32]byte]*store
}

// Class is the namespace's class.
func (ns *NamespaceHandle) Class() *Class { return ns.class }

// UniqueKey is the key that makes the namespace's IDs (and names its storage folder).
func (ns *NamespaceHandle) UniqueKey() string { return ns.key }

// opened waits for the namespace's index to open, giving up when ctx ends; it returns why
// the index could not be opened.
func (ns *NamespaceHandle) opened(ctx context.Context) error {
	_, err := ns.ready.GetContext(ctx)
	return err
}

// object returns the record of id, making it if needed. Callers have waited for opened.
func (ns *NamespaceHandle) object(id ID) *object {
	ns.mu.RLock()
	o := ns.objects[id.b]
	ns.mu.RUnlock()
	if o == nil {
		ns.mu.Lock()
		if o = ns.objects[id.b]; o == nil {
			o = newObject(ns, id)
			ns.objects[id.b] = o
		}
		ns.mu.Unlock()
	}
	if id.name != "" {
		o.setName(id.name)
	}
	return o
}

// lookup returns the record of id if it is in memory.
func (ns *NamespaceHandle) lookup(id ID) *object {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	return ns.objects[id.b]
}

// deliver enqueues ev for object id and waits for its outcome.
func (ns *NamespaceHandle) deliver(ctx context.Context, id ID, ev *event, bounded bool) (any, error) {
	if !ns.engine.started.Load() && ev.kind != evEvict && ev.kind != evInspect {
		return nil, ErrNotStarted
	}
	if err := ns.opened(ctx); err != nil {
		return nil, err
	}
	for {
		err := ns.object(id).enqueue(ev, bounded)
		if err == errDead {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	select {
	case out := <-ev.done:
		return out.val, out.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// call is a stub call from outside or from another object: it counts as a subrequest of the
// calling invocation, refuses call cycles, and first makes the calling object's writes
// durable, since the call is an output of the caller's turn (DO-018).
func (ns *NamespaceHandle) call(ctx context.Context, id ID, kind eventKind, run func(any, *worker.Context) (any, error)) (any, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := worker.Subrequest(ctx); err != nil {
		return nil, err
	}
	if err := cycle(ctx, ns, id); err != nil {
		return nil, err
	}
	if t := turnFrom(ctx); t != nil && !t.done.Load() {
		if err := t.obj.st.syncForOutput(); err != nil {
			return nil, err
		}
	}
	ev := &event{kind: kind, ctx: ctx, run: run, done: make(chan outcome, 1)}
	return ns.deliver(ctx, id, ev, true)
}

// Namespace is a Durable Object namespace binding (the platform's DurableObjectNamespace), the
// type of an Env field such as
//
//	Rooms *durableobject.Namespace[*Room] `binding:"ROOMS"`
//
// T is what the class's constructor returns. The zero value is not usable: the runner (or Bind)
// makes it.
type Namespace[T any] struct {
	h *NamespaceHandle
}

// bind is how NewBindingValue fills a *Namespace[T] it allocated through reflection.
func (n *Namespace[T]) bind(h *NamespaceHandle) error {
	if want := reflect.TypeFor[T](); h.class.Type != want {
		return fmt.Errorf("durableobject: binding of type *Namespace[%v] for class %s, whose constructor returns %v", want, h.class.Name, h.class.Type)
	}
	n.h = h
	return nil
}

type binder interface{ bind(*NamespaceHandle) error }

// IDFromName returns the ID for name: always the same within the namespace, across calls and
// restarts (DO-001, DO-003).
func (n *Namespace[T]) IDFromName(name string) ID { return n.h.nsk.fromName(name) }

// NewUniqueID returns a new random ID, with no name, different from every other (DO-004).
func (n *Namespace[T]) NewUniqueID() ID { return n.h.nsk.unique() }

// IDFromString parses the 64 hex digits of ID.String. It returns ErrIDFormat for anything
// else and ErrIDNamespace for an ID of another namespace (DO-005). The result has no name.
func (n *Namespace[T]) IDFromString(s string) (ID, error) { return n.h.nsk.parse(s) }

// Get returns a stub for the object id. It does no I/O: the object is constructed by its first
// call (DO-007). An ID of another namespace makes every call fail with ErrIDNamespace.
func (n *Namespace[T]) Get(id ID) *Stub[T] {
	return &Stub[T]{ns: n.h, id: id, invalid: !n.h.nsk.valid(id)}
}

// GetByName is Get(IDFromName(name)) (DO-008).
func (n *Namespace[T]) GetByName(name string) *Stub[T] {
	return &Stub[T]{ns: n.h, id: n.IDFromName(name)}
}

// Jurisdiction returns ErrJurisdiction: jurisdictions are a placement feature the local
// runtime does not have (DO-009).
func (n *Namespace[T]) Jurisdiction(name string) (*Namespace[T], error) { return nil, ErrJurisdiction }

// Stub reaches one object (the platform's DurableObjectStub): Fetch for HTTP, Method
// descriptors for RPC. Stubs are cheap values; make them per request.
type Stub[T any] struct {
	ns      *NamespaceHandle
	id      ID
	invalid bool // the ID belongs to another namespace
}

func (s *Stub[T]) call(ctx context.Context, kind eventKind, run func(any, *worker.Context) (any, error)) (any, error) {
	if s.invalid {
		return nil, ErrIDNamespace
	}
	return s.ns.call(ctx, s.id, kind, run)
}

// ID is the object's ID.
func (s *Stub[T]) ID() ID { return s.id }

// Name is the name the stub's ID came from, or "".
func (s *Stub[T]) Name() string { return s.id.name }

// Fetch sends req to the object's Fetch method and returns its response (DO-010). A 101
// response carries a WebSocket (worker.WebSocketFrom); a failing upgrade returns the error
// (DO-072). Errors of the object's own code come back wrapped in *RemoteError (DO-012).
func (s *Stub[T]) Fetch(ctx context.Context, req *http.Request) (*http.Response, error) {
	v, err := s.call(ctx, evFetch, func(inst any, wctx *worker.Context) (any, error) {
		f, ok := inst.(Fetcher)
		if !ok {
			return nil, ErrNoFetch
		}
		resp, err := f.Fetch(req.WithContext(wctx), wctx)
		if err != nil {
			return nil, remote(err)
		}
		return resp, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*http.Response), nil
}

// remote marks an error as coming from the object's own code, once.
func remote(err error) error {
	if err == nil || IsRemote(err) {
		return err
	}
	return &RemoteError{Err: err}
}
