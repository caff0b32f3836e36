package durableobject

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/internal/deferred"
	"github.com/flarego/flarego/worker"
)

// Options configure an Engine. The zero value runs everything in memory with the platform's
// defaults.
type Options struct {
	// Dir is where state is kept (DirDriver(Dir)); "" keeps it in memory. Ignored when Driver
	// is set.
	Dir string
	// Driver overrides Dir.
	Driver Driver
	// Logger receives the engine's logs and is every handler's ctx.Logger(); nil discards.
	Logger *slog.Logger
	// WorkerName names the worker in invocation contexts and is the default prefix of
	// namespaces' unique keys.
	WorkerName string
	// Limits are each event's budget (DO-076); alarms get a 15-minute wall limit (DO-060).
	Limits worker.Limits
	// Exports is each event's ctx.Exports (W-029): the worker's own entrypoints and Durable
	// Object classes. nil gives none (worker.ErrNoExports).
	Exports worker.ExportsSource
	// MaxQueued is how many events may wait for one object before callers get ErrOverloaded
	// (DO-013); default 1000.
	MaxQueued int
	// EvictAfter is how long an idle object stays in memory (DO-074); default 70 s, the low
	// end of the platform's 70–140 s.
	EvictAfter time.Duration
	// HibernateAfter is how long an idle object that holds hibernatable WebSockets stays in
	// memory before it hibernates (DO-073); default 10 s.
	HibernateAfter time.Duration
	// MaxOpenDatabases bounds the object databases open at once, across namespaces, those of
	// evicted objects included; the least recently used idle ones are closed past it. Each
	// takes three file descriptors (database, WAL and its index). Default 1024.
	MaxOpenDatabases int
	// CacheBytes bounds each object's in-memory cache of KV values; default 1 MiB.
	CacheBytes int
	// SerializeRPC copies RPC arguments and results through JSON even in process, as a remote
	// call would: a strict mode for tests.
	SerializeRPC bool
}

// Stats are an Engine's counters since it started.
type Stats struct {
	// Turns counts events handled; Commits the transactions they committed (group commit
	// makes Commits smaller than Turns under load).
	Turns, Commits int64
	// Activations counts constructor runs; Evictions and Hibernations count instances dropped
	// for idleness (Hibernations: while WebSockets stayed open).
	Activations, Evictions, Hibernations int64
	// LiveObjects is how many objects are in memory now (instance or open sockets);
	// OpenDatabases how many object databases are open; WebSockets how many hibernatable
	// sockets are accepted.
	LiveObjects, OpenDatabases, WebSockets int64
}

// Engine runs the Durable Object namespaces of one worker: the runner's entry point. Make it
// with NewEngine before the Env exists, get a NamespaceHandle per configured class with
// Namespace, build the Env with NewBindingValue (or Bind), then Start it with the Env.
// Close it at shutdown.
type Engine struct {
	opts    Options
	driver  Driver
	ownsDrv bool
	log     *slog.Logger
	pool    dbPool
	env     any

	mu         sync.Mutex
	classes    map[string]*Class
	namespaces map[string]*NamespaceHandle

	started    atomic.Bool
	closed     atomic.Bool
	loops      sync.WaitGroup
	runners    runners
	sockets    sync.WaitGroup
	background sync.WaitGroup // WaitUntil work
	stats      struct {
		turns, commits, activations, evictions, hibernations, websockets atomic.Int64
	}
}

// NewEngine makes an engine for the classes registered on app (nil for none; see AddClass).
func NewEngine(app worker.Runnable, opts Options) (*Engine, error) {
	if opts.MaxQueued <= 0 {
		opts.MaxQueued = 1000
	}
	if opts.EvictAfter <= 0 {
		opts.EvictAfter = 70 * time.Second
	}
	if opts.HibernateAfter <= 0 {
		opts.HibernateAfter = 10 * time.Second
	}
	if opts.MaxOpenDatabases <= 0 {
		opts.MaxOpenDatabases = 1024
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 1 << 20
	}
	e := &Engine{opts: opts, classes: map[string]*Class{}, namespaces: map[string]*NamespaceHandle{}, runners: newRunners()}
	e.log = opts.Logger
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.pool.max = opts.MaxOpenDatabases
	e.driver = opts.Driver
	if e.driver == nil {
		e.ownsDrv = true
		if opts.Dir == "" {
			e.driver = MemoryDriver()
		} else {
			e.driver = DirDriver(opts.Dir)
		}
	}
	if app != nil {
		for _, r := range app.Registrations() {
			if r.Kind != RegistrationKind {
				continue
			}
			c, ok := r.Value.(*Class)
			if !ok {
				return nil, fmt.Errorf("durableobject: registration %q holds %T, want *Class", r.Name, r.Value)
			}
			if err := e.AddClass(c); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// AddClass adds a class made by NewClass.
func (e *Engine) AddClass(c *Class) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.classes[c.Name]; dup {
		return fmt.Errorf("durableobject: class %q added twice", c.Name)
	}
	e.classes[c.Name] = c
	return nil
}

// NamespaceConfig describes one namespace to Engine.Namespace, from the configuration's
// durable_objects bindings and migrations.
type NamespaceConfig struct {
	// Class is the class_name.
	Class string
	// UniqueKey identifies the namespace: its IDs and its storage derive from it. Default
	// "<WorkerName>-<Class>", or Class without a worker name. Keep it stable across restarts.
	UniqueKey string
	// LegacyKV declares a class with key-value storage (migrations' new_classes): no SQL API
	// and 128 KiB values. The zero value is a SQLite-backed class (new_sqlite_classes).
	LegacyKV bool
}

// Namespace returns the runtime of a namespace, opening its index (and loading its alarms)
// the first time. Bindings with the same unique key share one NamespaceHandle, so they reach
// the same objects and storage (DO-014).
func (e *Engine) Namespace(cfg NamespaceConfig) (*NamespaceHandle, error) {
	if e.closed.Load() {
		return nil, ErrClosed
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.classes[cfg.Class]
	if c == nil {
		return nil, fmt.Errorf("%w: %q (register it with durableobject.Register)", ErrUnknownClass, cfg.Class)
	}
	key := cfg.UniqueKey
	if key == "" {
		key = cfg.Class
		if e.opts.WorkerName != "" {
			key = e.opts.WorkerName + "-" + cfg.Class
		}
	}
	if ns := e.namespaces[key]; ns != nil {
		if ns.class != c {
			return nil, fmt.Errorf("durableobject: unique key %q used by classes %s and %s", key, ns.class.Name, c.Name)
		}
		return ns, nil
	}
	ns := &NamespaceHandle{engine: e, class: c, key: key, nsk: newNSKey(key), legacyKV: cfg.LegacyKV, objects: map[[32]byte]*object{}}
	ns.alarms = newAlarmSched(ns)
	// The index opens in the background, so that the runner serves while it does; every
	// use of the namespace waits for it (NamespaceHandle.opened).
	ns.ready = deferred.Start(func() (struct{}, error) {
		err := ns.openIndex(c.Name)
		if err != nil {
			e.log.Error("durableobject: open namespace", "namespace", key, "error", err)
		}
		return struct{}{}, err
	})
	e.namespaces[key] = ns
	return ns, nil
}

// openIndex opens the namespace's index and loads its alarms, starting them when the engine
// already runs.
func (ns *NamespaceHandle) openIndex(class string) error {
	ctx := context.Background()
	ix, err := openIndex(ctx, ns.engine.driver, ns.key, map[string]string{"unique_key": ns.key, "class": class})
	if err != nil {
		return fmt.Errorf("durableobject: open namespace %s: %w", ns.key, err)
	}
	rows, err := ix.rows(ctx, "WHERE alarm_ms IS NOT NULL")
	if err != nil {
		ix.close()
		return fmt.Errorf("durableobject: load alarms of %s: %w", ns.key, err)
	}
	ns.index = ix
	ns.alarms.load(rows)
	if ns.engine.started.Load() {
		ns.alarms.start()
	}
	return nil
}

// Start hands the engine the worker's Env, which constructors receive, and starts alarms:
// those that came due while the runner was down fire now (DO-061). Calls before Start fail
// with ErrNotStarted.
func (e *Engine) Start(env any) error {
	if e.closed.Load() {
		return ErrClosed
	}
	e.mu.Lock()
	e.env = env
	nss := e.sortedNamespaces()
	e.mu.Unlock()
	e.started.Store(true)
	for _, ns := range nss {
		ns.alarms.start()
	}
	return nil
}

// Lookup returns the namespace with the unique key, or nil when Namespace never made it.
func (e *Engine) Lookup(uniqueKey string) *NamespaceHandle {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.namespaces[uniqueKey]
}

func (e *Engine) sortedNamespaces() []*NamespaceHandle {
	out := make([]*NamespaceHandle, 0, len(e.namespaces))
	for _, ns := range e.namespaces {
		out = append(out, ns)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// Close stops the engine (DO-075): new calls fail with ErrClosed, alarms stop, events already
// queued and WaitUntil work run to the end (until ctx is done), pending writes commit,
// hibernatable WebSockets are closed with 1001 "Going Away", and every database is closed.
func (e *Engine) Close(ctx context.Context) error {
	if !e.closed.CompareAndSwap(false, true) {
		return nil
	}
	e.mu.Lock()
	nss := e.sortedNamespaces()
	e.mu.Unlock()
	for _, ns := range nss {
		ns.opened(context.Background()) // an index still opening would start the alarms after this
		ns.alarms.stop()
	}
	var errs []error
	if err := waitGroup(ctx, &e.loops); err != nil {
		errs = append(errs, fmt.Errorf("durableobject: close: events still running: %w", err))
	} else {
		close(e.runners.stop)
	}
	if err := waitGroup(ctx, &e.background); err != nil {
		errs = append(errs, fmt.Errorf("durableobject: close: waitUntil work still running: %w", err))
	}
	for _, ns := range nss {
		ns.mu.Lock()
		objs := make([]*object, 0, len(ns.objects))
		for _, o := range ns.objects {
			objs = append(objs, o)
		}
		ns.mu.Unlock()
		for _, o := range objs {
			o.closeSockets(1001, "Going Away")
			o.mu.Lock()
			if o.idle != nil {
				o.idle.Stop()
			}
			o.mu.Unlock()
			o.st.close()
		}
		ns.closeRetired()
	}
	e.sockets.Wait()
	e.pool.closing.Wait()
	for _, ns := range nss {
		if ns.opened(context.Background()) != nil {
			continue // no index was opened
		}
		if err := ns.index.close(); err != nil {
			errs = append(errs, err)
		}
	}
	if e.ownsDrv {
		errs = append(errs, e.driver.Close())
	}
	return errors.Join(errs...)
}

func waitGroup(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	s := Stats{
		Turns:         e.stats.turns.Load(),
		Commits:       e.stats.commits.Load(),
		Activations:   e.stats.activations.Load(),
		Evictions:     e.stats.evictions.Load(),
		Hibernations:  e.stats.hibernations.Load(),
		WebSockets:    e.stats.websockets.Load(),
		OpenDatabases: int64(e.pool.len()),
	}
	e.mu.Lock()
	for _, ns := range e.namespaces {
		ns.mu.RLock()
		s.LiveObjects += int64(len(ns.objects))
		ns.mu.RUnlock()
	}
	e.mu.Unlock()
	return s
}

// NewBindingValue makes the value of an Env field of type t for the namespace h: t must be
// *Namespace[T] with T the type h's class constructor returns. It is how the runner fills
// `binding:"…"` fields without knowing T.
func NewBindingValue(t reflect.Type, h *NamespaceHandle) (reflect.Value, error) {
	if t.Kind() != reflect.Pointer {
		return reflect.Value{}, fmt.Errorf("durableobject: cannot bind a namespace to a field of type %v", t)
	}
	v := reflect.New(t.Elem())
	b, ok := v.Interface().(binder)
	if !ok {
		return reflect.Value{}, fmt.Errorf("durableobject: cannot bind a namespace to a field of type %v, want *durableobject.Namespace[T]", t)
	}
	if err := b.bind(h); err != nil {
		return reflect.Value{}, err
	}
	return v, nil
}

// IsBindingType reports whether t is a *Namespace[T] field type.
func IsBindingType(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer && reflect.PointerTo(t.Elem()).Implements(reflect.TypeFor[binder]())
}

// Bind is the typed NewBindingValue, for tests and hand-built Envs.
func Bind[T any](h *NamespaceHandle) (*Namespace[T], error) {
	n := &Namespace[T]{}
	if err := n.bind(h); err != nil {
		return nil, err
	}
	return n, nil
}

// Exported returns the namespace of class from the invocation's ctx.exports (W-029): a
// class of the running worker, reached without a binding in its config. Errors: the
// runner's (no such class, worker.ErrNoExports outside a runner), or Bind's.
func Exported[T any](ctx *worker.Context, class string) (*Namespace[T], error) {
	h, err := ctx.Exports().Namespace(class)
	if err != nil {
		return nil, err
	}
	nh, ok := h.(*NamespaceHandle)
	if !ok {
		return nil, fmt.Errorf("durableobject: ctx.exports gave %T for class %q, want *NamespaceHandle", h, class)
	}
	return Bind[T](nh)
}
