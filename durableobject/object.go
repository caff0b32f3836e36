package durableobject

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/worker"
)

type eventKind uint8

const (
	evFetch eventKind = iota
	evRPC
	evAlarm
	evWebSocket
	evBlock   // BlockConcurrencyWhile or Transaction called from outside a turn
	evEvict   // drop the instance and close storage once earlier events are done
	evInspect // run the inspection API's function on committed storage, without an instance
)

func (k eventKind) String() string {
	return [...]string{"fetch", "rpc", "alarm", "websocket", "block", "evict", "inspect"}[k]
}

// event is one thing for an object to handle in its own turn.
type event struct {
	kind eventKind
	// ctx is the caller's context: its cancellation and its call chain. nil for events the
	// engine makes itself (alarms, WebSocket messages).
	ctx context.Context
	// run calls the handler on the instance. Errors of the object's own code come back
	// wrapped in *RemoteError.
	run func(inst any, ctx *worker.Context) (any, error)
	// done receives the outcome once the output gate lets it go; nil when nobody waits.
	done chan outcome
	// alarm is set for alarm events.
	alarm alarmFire
	// wall overrides the invocation's wall-clock limit (alarms, WebSocket event timeout).
	wall time.Duration
}

type outcome struct {
	val any
	err error
}

func (ev *event) finish(val any, err error) {
	if ev.done != nil {
		ev.done <- outcome{val, err}
	}
}

// errDead is returned by enqueue when the object was evicted and dropped from its namespace
// after the caller found it: the caller looks it up again.
var errDead = errors.New("durableobject: object record retired")

// object is one Durable Object: its mailbox, its instance while it is in memory, its storage
// and its hibernatable WebSockets. Events run one at a time in arrival order on a goroutine
// that exists while there is work (loop); the record outlives the instance while sockets are
// open, so that an evicted object can be rebuilt when a message arrives.
type object struct {
	ns *NamespaceHandle
	st *store

	id ID // immutable; its name is the one it was first reached with (see name)

	nameMu sync.Mutex // a leaf lock: taken under mu or st.mu
	name   string     // the name the object was created under, once known (DO-011)

	mu           sync.Mutex
	q            []*event
	qhead        int
	running      bool // a loop goroutine is draining q
	parked       bool // … and is waiting for more work (linger)
	wake         chan struct{}
	lingerTimer  *time.Timer
	dead         bool // removed from ns.objects
	busy         bool // a turn is executing
	constructing bool
	resetAfter   bool // BlockConcurrencyWhile failed: reset once the event ends
	inst         any
	state        *State
	lastActive   time.Time
	idle         *time.Timer
	hib          hibernation

	pins  atomic.Int64      // WaitUntil work keeping the object from eviction (DO-025)
	waits []*worker.Context // invocations whose WaitUntil work is not waited for yet; loop only
}

func newObject(ns *NamespaceHandle, id ID) *object {
	o := &object{ns: ns, id: id, name: id.name, lastActive: time.Now(), wake: make(chan struct{}, 1)}
	o.st = ns.storeFor(o)
	return o
}

// fullID is the object's ID with its name.
func (o *object) fullID() ID {
	o.nameMu.Lock()
	defer o.nameMu.Unlock()
	id := o.id
	id.name = o.name
	return id
}

func (o *object) setName(name string) {
	o.nameMu.Lock()
	if o.name == "" {
		o.name = name
	}
	o.nameMu.Unlock()
}

func (o *object) qlen() int { return len(o.q) - o.qhead }

func (o *object) push(ev *event) {
	if len(o.q) == cap(o.q) && o.qhead > 0 {
		// Slide the live part down instead of growing forever under sustained load.
		n := copy(o.q, o.q[o.qhead:])
		clear(o.q[n:])
		o.q, o.qhead = o.q[:n], 0
	}
	o.q = append(o.q, ev)
}

func (o *object) pop() *event {
	if o.qhead == len(o.q) {
		return nil
	}
	ev := o.q[o.qhead]
	o.q[o.qhead] = nil
	o.qhead++
	if o.qhead == len(o.q) {
		o.q, o.qhead = o.q[:0], 0
	}
	return ev
}

// enqueue adds ev to the mailbox and starts the loop if it is not running. bounded events
// are refused with ErrOverloaded when the queue is full (DO-013); the engine's own events
// (alarms, WebSocket messages, whose pumps already wait for each event) are not.
func (o *object) enqueue(ev *event, bounded bool) error {
	e := o.ns.engine
	if e.closed.Load() {
		return ErrClosed
	}
	o.mu.Lock()
	if o.dead {
		o.mu.Unlock()
		return errDead
	}
	if bounded && o.qlen() >= e.opts.MaxQueued {
		o.mu.Unlock()
		return ErrOverloaded
	}
	o.push(ev)
	start := !o.running
	o.running = true
	if o.parked {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
	o.mu.Unlock()
	if start {
		e.startLoop(o)
	}
	return nil
}

// loop runs queued events one at a time. Between events it commits only when the queue is
// empty or the batch is full: turns that arrive while others run share one commit (group
// commit), and their results wait for it (the output gate).
func (o *object) loop() {
	defer o.ns.engine.loops.Done()
	yielded := false
	for {
		o.mu.Lock()
		ev := o.pop()
		if ev == nil {
			if o.st.needsFlush() {
				o.mu.Unlock()
				if !yielded {
					// Callers whose results the last commit released are runnable but may not
					// have had a processor yet: let them queue their next event, so that it
					// shares the coming commit instead of paying for one of its own.
					yielded = true
					runtime.Gosched()
					continue
				}
				yielded = false
				o.flush()
				continue
			}
			o.waitAll()
			o.parked = true
			o.mu.Unlock()
			woken := o.linger()
			o.mu.Lock()
			o.parked = false
			if woken || o.qlen() > 0 {
				o.mu.Unlock()
				continue
			}
			o.running = false
			o.armIdle()
			o.mu.Unlock()
			return
		}
		o.mu.Unlock()
		switch ev.kind {
		case evEvict:
			o.flush()
			o.reset()
			o.st.close()
			o.ns.engine.stats.evictions.Add(1)
			ev.finish(nil, nil)
			continue
		case evInspect:
			o.flush()
			ev.finish(ev.run(nil, nil))
			continue
		}
		o.runTurn(ev)
		if o.st.batchFull() {
			o.flush()
		}
	}
}

// lingerFor is how long an object's goroutine waits for more events before it exits. A new
// goroutine would have to grow its stack again through SQLite's deep frames, which costs more
// than the event itself; idle objects still give theirs up quickly.
const lingerFor = 10 * time.Millisecond

// linger waits for an event to arrive, and reports whether one did before lingerFor passed.
func (o *object) linger() bool {
	if o.lingerTimer == nil {
		o.lingerTimer = time.NewTimer(lingerFor)
	} else {
		o.lingerTimer.Reset(lingerFor)
	}
	select {
	case <-o.wake:
		o.lingerTimer.Stop()
		return true
	case <-o.lingerTimer.C:
		return false
	}
}

// flush commits what the last turns wrote and lets their held outputs go. A failed commit
// resets the object and turns every held output into that error (DO-018).
func (o *object) flush() {
	defer o.waitAll()
	outs, err := o.st.commit()
	if err != nil {
		o.ns.engine.log.Error("durable object commit failed", "class", o.ns.class.Name, "id", o.id.String(), "error", err)
		o.reset()
	}
	release(outs, err)
}

func (o *object) reset() {
	o.mu.Lock()
	o.inst, o.state = nil, nil
	o.mu.Unlock()
}

// runTurn handles one event: construct the instance if needed, run the handler inside the
// turn's savepoint, then end the turn and pass the outcome through the output gate.
func (o *object) runTurn(ev *event) {
	if ev.ctx != nil && ev.ctx.Err() != nil {
		ev.finish(nil, ev.ctx.Err()) // the caller gave up before the event started
		return
	}
	e := o.ns.engine
	o.mu.Lock()
	o.busy = true
	o.mu.Unlock()
	o.st.beginTurn()
	t := &turn{obj: o, parent: turnFrom(ev.ctx)}
	completed := false
	defer func() {
		if !completed {
			o.afterGoexit(ev, t)
		}
	}()
	val, err, reset := o.execute(ev, t)
	completed = true
	t.done.Store(true)
	o.mu.Lock()
	if o.resetAfter {
		o.resetAfter, reset = false, true
	}
	o.mu.Unlock()
	if reset {
		o.st.rollbackTurn()
	} else {
		o.st.endTurn()
	}
	if ev.kind == evAlarm {
		o.afterAlarm(ev, err, reset)
	}
	o.mu.Lock()
	o.busy = false
	if reset {
		o.inst, o.state = nil, nil
	}
	o.lastActive = time.Now()
	o.mu.Unlock()
	e.stats.turns.Add(1)
	o.st.deliver(ev, val, err)
}

// errGoexit is the error of an event whose handler called runtime.Goexit (t.FailNow does).
var errGoexit = errors.New("durableobject: handler called runtime.Goexit")

// afterGoexit cleans up after a handler that ended its goroutine with runtime.Goexit, which no
// recover stops: the turn is rolled back as after a panic, the caller gets an error, and
// another goroutine takes over the object's queue.
func (o *object) afterGoexit(ev *event, t *turn) {
	t.done.Store(true)
	o.st.rollbackTurn()
	o.mu.Lock()
	o.busy = false
	o.inst, o.state = nil, nil
	o.mu.Unlock()
	o.st.deliver(ev, nil, &RemoteError{Err: errGoexit})
	o.ns.engine.startLoop(o)
}

func (o *object) execute(ev *event, t *turn) (val any, err error, reset bool) {
	e := o.ns.engine
	inst, err := o.instance()
	if err != nil {
		return nil, err, true
	}
	parent := context.Background()
	if ev.ctx != nil {
		parent = ev.ctx
	}
	limits := e.opts.Limits
	if ev.wall > 0 {
		limits.Wall = ev.wall
	}
	wctx, cancel := worker.NewContext(withTurn(parent, t), worker.ContextOptions{
		Kind:       ev.kind.String(),
		WorkerName: e.opts.WorkerName,
		Limits:     limits,
		Logger:     e.log,
		Exports:    e.opts.Exports,
	})
	defer cancel()
	var p any
	var stack []byte
	var cpu time.Duration
	if limits.CPU > 0 {
		// Reading the thread's CPU clock is a system call on each side of the handler: only
		// paid when there is a CPU limit to enforce.
		cpu = worker.MeasureCPU(func() { val, err, p, stack = callHandler(ev.run, inst, wctx) })
	} else {
		val, err, p, stack = callHandler(ev.run, inst, wctx)
	}
	cancel()
	o.waitBackground(wctx)
	if p != nil {
		if a, ok := p.(abortSignal); ok {
			return nil, &RemoteError{Err: &AbortError{Reason: a.reason, noRetry: a.noRetry}}, true
		}
		e.log.Error("durable object handler panicked", "class", o.ns.class.Name, "id", o.id.String(), "panic", p, "stack", string(stack))
		return nil, &RemoteError{Err: &PanicError{Value: p, Stack: stack}}, true
	}
	if limits.CPU > 0 && cpu > limits.CPU {
		e.log.Error("durable object exceeded its CPU limit", "class", o.ns.class.Name, "id", o.id.String(), "cpu", cpu)
		return nil, fmt.Errorf("%w (%v used, %v allowed)", worker.ErrCPULimit, cpu, limits.CPU), true
	}
	return val, err, false
}

func callHandler(run func(any, *worker.Context) (any, error), inst any, ctx *worker.Context) (val any, err error, p any, stack []byte) {
	defer func() {
		if r := recover(); r != nil {
			p, stack = r, debug.Stack()
		}
	}()
	val, err = run(inst, ctx)
	return
}

// instance returns the live instance, running the constructor first if there is none. A
// constructor that panics leaves no instance; the next event tries again.
func (o *object) instance() (any, error) {
	e := o.ns.engine
	o.mu.Lock()
	if o.inst != nil {
		inst := o.inst
		o.mu.Unlock()
		return inst, nil
	}
	state := &State{o: o}
	o.constructing = true
	o.mu.Unlock()
	if o.fullID().name == "" {
		// Reached through an ID without its name (IDFromString): the name it was created
		// under, if any, is in the index (DO-011).
		if name := o.ns.index.name(context.Background(), o.id); name != "" {
			o.setName(name)
		}
	}

	inst, err, p := func() (inst any, err error, p any) {
		defer func() {
			if r := recover(); r != nil {
				p = r
				if a, ok := r.(abortSignal); ok {
					err = &RemoteError{Err: &AbortError{Reason: a.reason}}
				} else {
					err = &RemoteError{Err: &PanicError{Value: r, Stack: debug.Stack()}}
				}
			}
		}()
		inst, err = o.ns.class.construct(state, e.env)
		return inst, err, nil
	}()

	o.mu.Lock()
	o.constructing = false
	if err == nil {
		o.inst, o.state = inst, state
	}
	o.mu.Unlock()
	if p != nil {
		e.log.Error("durable object constructor panicked", "class", o.ns.class.Name, "id", o.id.String(), "panic", p)
	}
	if err == nil {
		e.stats.activations.Add(1)
	}
	return inst, err
}

// waitBackground queues the invocation for draining its WaitUntil work off the object's
// goroutine (waitAll), keeping the object from eviction meanwhile (DO-025).
func (o *object) waitBackground(ctx *worker.Context) {
	o.pins.Add(1)
	o.waits = append(o.waits, ctx)
}

// waitAll hands the invocations of the last turns to one goroutine that waits for their
// WaitUntil work: one goroutine per batch, not per event, so that the object's own goroutine
// keeps the processor.
func (o *object) waitAll() {
	if len(o.waits) == 0 {
		return
	}
	waits := o.waits
	o.waits = nil
	bg := &o.ns.engine.background
	bg.Add(1)
	go func() {
		defer bg.Done()
		for _, ctx := range waits {
			if err := ctx.Wait(context.Background()); err != nil {
				o.ns.engine.log.Error("durable object waitUntil failed", "class", o.ns.class.Name, "id", o.id.String(), "error", err)
			}
			o.pins.Add(-1)
		}
	}()
}

// armIdle starts or moves the eviction timer. o.mu is held.
func (o *object) armIdle() {
	d := o.idleLimit()
	if d < 0 {
		return
	}
	if o.idle == nil {
		o.idle = time.AfterFunc(d, o.onIdle)
	} else {
		o.idle.Reset(d)
	}
}

// idleLimit is how long the object may stay idle in memory: HibernateAfter when it holds
// hibernatable WebSockets (DO-073), EvictAfter otherwise (DO-074). o.mu is held.
func (o *object) idleLimit() time.Duration {
	if len(o.hib.sockets) > 0 {
		return o.ns.engine.opts.HibernateAfter
	}
	return o.ns.engine.opts.EvictAfter
}

func (o *object) onIdle() {
	ns := o.ns
	ns.mu.Lock()
	o.mu.Lock()
	if o.dead {
		o.mu.Unlock()
		ns.mu.Unlock()
		return
	}
	limit := o.idleLimit()
	if o.running || o.busy || o.pins.Load() > 0 || o.st.busy() {
		o.idle.Reset(limit)
		o.mu.Unlock()
		ns.mu.Unlock()
		return
	}
	if since := time.Since(o.lastActive); since < limit {
		o.idle.Reset(limit - since)
		o.mu.Unlock()
		ns.mu.Unlock()
		return
	}
	hadInstance := o.inst != nil
	o.inst, o.state = nil, nil
	keep := len(o.hib.sockets) > 0
	if !keep {
		o.dead = true
		delete(ns.objects, o.id.b)
	}
	o.mu.Unlock()
	ns.mu.Unlock()
	if keep || !ns.retire(o.id.b, o.st) {
		o.st.close()
	}
	if hadInstance {
		if keep {
			ns.engine.stats.hibernations.Add(1)
		} else {
			ns.engine.stats.evictions.Add(1)
		}
	}
}

// evictNow drops the instance and closes the object's database once the events queued
// before it are done, keeping storage (DO-077).
func (ns *NamespaceHandle) evictNow(ctx context.Context, id ID) error {
	if ns.lookup(id) == nil {
		return nil
	}
	_, err := ns.deliver(ctx, id, &event{kind: evEvict, ctx: ctx, done: make(chan outcome, 1)}, false)
	return err
}

// release hands held outputs on once the commit covering them is done, or fails them all.
func release(outs []output, err error) {
	for _, out := range outs {
		out.release(err)
	}
}
