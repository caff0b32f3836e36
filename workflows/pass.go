package workflows

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows/driver"
)

// stopKind says why a run is unwinding; a larger value wins.
type stopKind int

const (
	notStopped  stopKind = iota
	stopSuspend          // a sleep, an event wait or a retry delay: continue at wake
	stopPause            // a pause was requested: become paused at the end of the run
	stopFatal            // a fatal error: the instance ends errored
	stopAbort            // terminated, restarted, deleted or the engine closed: write nothing
)

type stepKey struct {
	kind driver.StepKind
	name string
	occ  int
}

type nameKey struct {
	kind driver.StepKind
	name string
}

// Internal outcomes of a pass's writes.
var (
	errFenced   = errors.New("workflows: instance changed generation or status")
	errPauseNow = errors.New("workflows: pause requested")
	errNoChange = errors.New("workflows: nothing to write")
)

// pass is one run of an instance: from the top of run until it returns. It holds the
// instance's stored steps (the replay cache) only while it lasts.
type pass struct {
	e      *Engine
	id     string
	ctx    context.Context
	cancel context.CancelFunc

	// pausePending is set when this process asks the instance to pause during the run, so
	// that no new attempt starts; a pause from another process is seen at the next write.
	pausePending atomic.Bool
	// rerun is set when the scheduler found the instance due while this run was live.
	rerun atomic.Bool

	mu         sync.Mutex
	gen        int64
	steps      map[stepKey]driver.Step
	counts     map[nameKey]int
	doCount    int
	seq        int64 // the last Step.Seq or DoneSeq handed out; one run writes at a time
	stateBytes int64 // stored step results and events, against Options.MaxStateBytes
	stop       stopKind
	fatal      *Error
	wake       time.Time
	// deferred are sleep steps begun or finished in this run and not yet stored: they go
	// with the run's next write or its end. Losing them to a crash only restarts a sleep
	// or repeats its completion.
	deferred []driver.Step
}

func newPass(e *Engine, id string) *pass {
	ctx, cancel := context.WithCancel(e.baseCtx)
	return &pass{e: e, id: id, ctx: ctx, cancel: cancel, gen: -1, counts: map[nameKey]int{}}
}

// abort stops the run without further writes and cancels its callbacks.
func (p *pass) abort() {
	p.mu.Lock()
	p.stop = stopAbort
	p.mu.Unlock()
	p.cancel()
}

// abortBefore aborts the run if it belongs to a generation before gen.
func (p *pass) abortBefore(gen int64) {
	p.mu.Lock()
	old := p.gen >= 0 && p.gen < gen
	p.mu.Unlock()
	if old {
		p.abort()
	}
}

func (p *pass) execute() {
	e := p.e
	defer e.passes.Done()
	meta, params, ok, err := p.begin()
	if err != nil {
		// Storage trouble: hold the slot a moment so that the scheduler does not spin,
		// then have it try again.
		e.log.Error("workflows: start instance", "instance", p.id, "error", err)
		p.rerun.Store(true)
		t := time.NewTimer(time.Second)
		select {
		case <-t.C:
		case <-p.ctx.Done():
			t.Stop()
		}
	}
	if !ok {
		p.cancel()
		e.passDone(p)
		return
	}
	wctx, cancel := worker.NewContext(p.ctx, worker.ContextOptions{
		Kind:       "workflow",
		WorkerName: e.o.WorkerName,
		Limits:     e.o.Limits,
		Logger:     e.log.With("instance", p.id),
		Exports:    e.o.Exports,
	})
	out, runErr := p.call(wctx, meta, params)
	cancel()
	p.finish(out, runErr)
	e.passDone(p)
	if err := wctx.Wait(e.baseCtx); err != nil {
		e.log.Warn("workflows: waitUntil work failed", "instance", p.id, "error", err)
	}
	p.cancel()
}

func (p *pass) call(ctx *worker.Context, meta eventMeta, params []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return p.e.run(ctx, meta, params, &Step{p: p})
}

// begin marks the instance running and loads its params and steps. ok is false when the
// instance is not to run (gone, finished, paused).
func (p *pass) begin() (meta eventMeta, params []byte, ok bool, err error) {
	e := p.e
	now := time.Now()
	var (
		in      driver.Instance
		changed bool
	)
	err = e.drv.Update(p.ctx, func(tx driver.Tx) error {
		var err error
		ok, changed = false, false
		if in, err = tx.Instance(p.id); errors.Is(err, driver.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		switch {
		case in.Status.Finished() || in.Status == StatusPaused:
			in.WakeAt = time.Time{}
			return tx.Update(in)
		case in.Status == StatusWaitingForPause:
			// Paused while it waited for its turn (WF-009).
			in.Status, in.Paused, in.WakeAt = StatusPaused, now, time.Time{}
			changed = true
			return tx.Update(in)
		}
		changed = in.Status != StatusRunning
		in.Status, in.WakeAt, in.Queued = StatusRunning, time.Time{}, false
		if in.Started.IsZero() {
			in.Started = now
		}
		if err := tx.Update(in); err != nil {
			return err
		}
		params, err = tx.Params(p.id)
		ok = err == nil
		return err
	})
	if err != nil {
		return meta, nil, false, err
	}
	if changed {
		e.notify()
	}
	if !ok {
		return meta, nil, false, nil
	}
	var steps []driver.Step
	err = e.drv.View(p.ctx, func(tx driver.ReadTx) error {
		var err error
		steps, err = tx.Steps(p.id)
		return err
	})
	if err != nil {
		return meta, nil, false, err
	}
	p.mu.Lock()
	p.gen = in.Gen
	p.stateBytes = in.EventBytes
	p.steps = make(map[stepKey]driver.Step, len(steps))
	for _, s := range steps {
		p.steps[stepKey{s.Kind, s.Name, s.Occurrence}] = s
		p.seq = max(p.seq, s.Seq, s.DoneSeq)
		p.stateBytes += int64(len(s.Output))
	}
	p.pausePending.Store(in.Status == StatusWaitingForPause)
	p.mu.Unlock()
	return eventMeta{instanceID: p.id, workflowName: e.o.Name, created: in.Created}, params, true, nil
}

// finish records how the run ended: suspended (waiting or paused), complete or errored.
func (p *pass) finish(out []byte, runErr error) {
	p.mu.Lock()
	stop, fatal, wake := p.stop, p.fatal, p.wake
	p.mu.Unlock()
	if stop == stopAbort {
		return
	}
	now := time.Now()
	if stop == notStopped && runErr == nil && len(out) > MaxPayloadBytes {
		runErr = &Error{Name: NameError, Message: "The value returned by the Workflow instance exceeds the maximum size of 1MiB"}
	}
	p.mu.Lock()
	gen, deferred := p.gen, p.deferred
	p.deferred = nil
	p.mu.Unlock()
	var wakeAt time.Time
	err := p.e.drv.Update(p.ctx, func(tx driver.Tx) error {
		in, err := tx.Instance(p.id)
		if errors.Is(err, driver.ErrNotFound) {
			return errFenced
		}
		if err != nil {
			return err
		}
		if in.Gen != gen || (in.Status != StatusRunning && in.Status != StatusWaitingForPause) {
			return errFenced
		}
		for _, s := range deferred {
			if err := tx.PutStep(s); err != nil {
				return err
			}
		}
		switch {
		case fatal != nil:
			in.Status, in.Error, in.Ended = StatusErrored, &ErrorInfo{Name: fatal.Name, Message: fatal.Message}, now
			in.WakeAt = time.Time{}
		case stop == stopSuspend || stop == stopPause:
			if in.Status == StatusWaitingForPause {
				in.Status, in.Paused, in.WakeAt = StatusPaused, now, time.Time{}
				break
			}
			if stop == stopPause {
				// The pause was cancelled by a resume before the run ended: go on now.
				wake = now
			}
			in.Status, in.Queued = StatusWaiting, false
			if in.WakeAt.IsZero() || wake.Before(in.WakeAt) {
				in.WakeAt = wake
			}
		case runErr != nil:
			in.Status, in.Error, in.Ended, in.WakeAt = StatusErrored, errorInfo(runErr), now, time.Time{}
		default:
			if out == nil {
				out = []byte("null")
			}
			in.Status, in.Output, in.Ended, in.WakeAt = StatusComplete, out, now, time.Time{}
		}
		wakeAt = in.WakeAt
		return tx.Update(in)
	})
	if err != nil && !errors.Is(err, errFenced) {
		p.e.log.Error("workflows: record end of run", "instance", p.id, "error", err)
	}
	if err == nil && !wakeAt.IsZero() {
		p.e.wakeAt(wakeAt)
	}
	p.e.notify()
}

// update runs fn in a write transaction once the instance is known to be in this run's
// generation and running (or waiting to pause). paused reports a pending pause.
func (p *pass) update(fn func(tx driver.Tx) error) (paused bool, err error) {
	p.mu.Lock()
	gen, deferred := p.gen, p.deferred
	p.deferred = nil
	p.mu.Unlock()
	err = p.e.drv.Update(p.ctx, func(tx driver.Tx) error {
		g, status, err := tx.Head(p.id)
		if errors.Is(err, driver.ErrNotFound) {
			return errFenced
		}
		if err != nil {
			return err
		}
		if g != gen || (status != StatusRunning && status != StatusWaitingForPause) {
			return errFenced
		}
		paused = status == StatusWaitingForPause
		for _, s := range deferred {
			if err := tx.PutStep(s); err != nil {
				return err
			}
		}
		return fn(tx)
	})
	if err != nil && len(deferred) > 0 && !errors.Is(err, errFenced) {
		p.mu.Lock()
		p.deferred = append(deferred, p.deferred...) // not written: keep them for the next write
		p.mu.Unlock()
	}
	return paused, err
}

// writeErr turns a failed write into what the step function returns.
func (p *pass) writeErr(err error) error {
	if errors.Is(err, errFenced) || p.ctx.Err() != nil {
		return p.abortErr()
	}
	if errors.Is(err, errPauseNow) {
		return p.pauseStop()
	}
	// Storage trouble: stop here and try again shortly.
	p.e.log.Error("workflows: store step", "instance", p.id, "error", err)
	return p.suspend(time.Now().Add(time.Second))
}

// halted is the error every step call returns once the run is aborted or has failed
// fatally. p.mu is held.
func (p *pass) halted() error {
	if p.stop >= stopFatal {
		return p.stopped()
	}
	return nil
}

// stopped is the error a step call that would start new work (an attempt, a sleep, an
// event wait) returns once the run is unwinding. Stored results are still returned, and
// sleeps that are over still end: that starts nothing. p.mu is held.
func (p *pass) stopped() error {
	switch p.stop {
	case notStopped:
		return nil
	case stopFatal:
		return p.fatal
	default:
		return errSuspend
	}
}

// checkStopped is stopped with the lock taken.
func (p *pass) checkStopped() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopped()
}

// checkPaused is the error a new sleep or event wait returns: they may still begin while
// the run unwinds from a suspension (a parallel branch started them, and the time they
// measure starts now), but not once a pause is pending.
func (p *pass) checkPaused() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop > stopSuspend {
		return p.stopped()
	}
	return nil
}

func (p *pass) suspend(wake time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop = max(p.stop, stopSuspend)
	if p.wake.IsZero() || wake.Before(p.wake) {
		p.wake = wake
	}
	return p.stopped()
}

func (p *pass) pauseStop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop = max(p.stop, stopPause)
	return p.stopped()
}

func (p *pass) abortErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop = stopAbort
	return errSuspend
}

// setFatal records the run's fatal error (the first one wins). p.mu is held.
func (p *pass) setFatal(f *Error) *Error {
	if p.fatal == nil {
		p.fatal = f
	}
	if p.stop < stopFatal {
		p.stop = stopFatal
	}
	return p.fatal
}

// next returns the key of the next call of kind and name in this run (WF-015). p.mu is held.
func (p *pass) next(kind driver.StepKind, name string) stepKey {
	k := nameKey{kind, name}
	p.counts[k]++
	return stepKey{kind, name, p.counts[k]}
}

// deferStep stores s with the run's next write.
func (p *pass) deferStep(s driver.Step) {
	p.mu.Lock()
	p.deferred = append(p.deferred, s)
	p.mu.Unlock()
}

// nextSeq numbers a step start or completion.
func (p *pass) nextSeq() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	return p.seq
}

func (p *pass) cache(k stepKey, s driver.Step) {
	p.mu.Lock()
	p.steps[k] = s
	p.mu.Unlock()
}

// recordAfter is how long an attempt runs before its start is stored. Short attempts are
// stored once, with their outcome; a longer one is stored as running too, so that describe
// shows it and a crash during it counts as a failed attempt. A crash during a shorter
// attempt reruns it as if it had not started.
const recordAfter = 10 * time.Millisecond

// attempt runs fn once under timeout. running is the step as it is while the attempt runs
// (stored if the attempt outlasts recordAfter). aborted is true when the run was stopped
// meanwhile; fn is then abandoned with its context cancelled.
func (p *pass) attempt(fn func(context.Context) ([]byte, error), timeout time.Duration, running driver.Step) (out []byte, err error, aborted bool) {
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	type result struct {
		out []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if x := recover(); x != nil {
				r = result{err: panicError(x)}
			}
			ch <- r
		}()
		r.out, r.err = fn(ctx)
	}()
	recorded := make(chan struct{})
	record := time.AfterFunc(recordAfter, func() {
		defer close(recorded)
		if _, err := p.update(func(tx driver.Tx) error { return tx.PutStep(running) }); err != nil {
			p.writeErr(err)
			if errors.Is(err, errFenced) {
				p.cancel()
			}
		}
	})
	defer func() {
		if !record.Stop() {
			<-recorded // the outcome is written after the start, never before
		}
	}()
	select {
	case r := <-ch:
		if p.ctx.Err() != nil {
			return nil, nil, true
		}
		if r.err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, timeoutError(timeout), false
		}
		return r.out, r.err, false
	case <-ctx.Done():
		if p.ctx.Err() != nil {
			return nil, nil, true
		}
		return nil, timeoutError(timeout), false
	}
}

func timeoutError(d time.Duration) *Error {
	return &Error{Name: NameTimeout, Message: "Execution timed out after " + strconv.FormatInt(d.Milliseconds(), 10) + "ms"}
}

func cloneStep(s driver.Step) driver.Step {
	s.Attempts = slices.Clone(s.Attempts)
	return s
}
