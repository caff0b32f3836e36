package workflows

import (
	"time"

	"github.com/flarego/flarego/workflows/driver"
)

// The scheduler is the engine's one goroutine. Sleeping and waiting instances are rows with
// a wake-up time; the scheduler keeps the soonest one in next, with a single timer for it.
// Everything in this process that sets a wake-up time tells it (wakeAt), a run ending frees
// a slot (wake), and every PollInterval it reads the soonest wake-up from the store to see
// what another process (the CLI) wrote. When something is due it starts due instances,
// returning ones before newly queued ones (WF-028), while fewer than MaxConcurrent run.
func (e *Engine) schedule() {
	defer close(e.schedEnd)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	next, _ := e.soonest(time.Unix(0, 0))
	lastPoll := time.Now()
	for {
		now := time.Now()
		if h := e.takeHint(); !h.IsZero() && (next.IsZero() || h.Before(next)) {
			next = h
		}
		if e.o.PollInterval > 0 && now.Sub(lastPoll) >= e.o.PollInterval {
			if w, ok := e.soonest(time.Unix(0, 0)); ok && (next.IsZero() || w.Before(next)) {
				next = w
			}
			lastPoll = now
		}
		if !next.IsZero() && !next.After(now) {
			if drained, ok := e.dispatch(now); ok && drained {
				next, _ = e.soonest(now)
			}
		}
		d := time.Hour
		if e.o.PollInterval > 0 {
			d = max(e.o.PollInterval-now.Sub(lastPoll), 0)
		}
		if !next.IsZero() && next.After(now) {
			d = min(d, next.Sub(now))
		}
		// With work due and no free slot, only a run ending (a poke) changes anything. Reset
		// drops a value the timer may have sent meanwhile (Go 1.23 timers).
		timer.Reset(d)
		select {
		case <-e.stop:
			return
		case <-e.poke:
		case <-timer.C:
		}
	}
}

// soonest returns the soonest wake-up time after the given time.
func (e *Engine) soonest(after time.Time) (time.Time, bool) {
	var (
		next time.Time
		ok   bool
	)
	err := e.drv.View(e.baseCtx, func(tx driver.ReadTx) error {
		var err error
		next, ok, err = tx.NextWake(after)
		return err
	})
	if err != nil {
		e.schedErr(err)
		return time.Now().Add(time.Second), true
	}
	return next, ok
}

// dispatch starts due instances while slots are free. drained reports that nothing else is
// due now; ok is false when the store could not be read.
func (e *Engine) dispatch(now time.Time) (drained, ok bool) {
	e.mu.Lock()
	free := e.o.MaxConcurrent - len(e.live)
	nlive := len(e.live)
	e.mu.Unlock()
	if free <= 0 {
		return false, true
	}
	drained = true
	for _, queued := range []bool{false, true} {
		if free <= 0 {
			return false, true
		}
		limit := free + nlive // live instances woken again are due too, but cannot start
		var ids []string
		err := e.drv.View(e.baseCtx, func(tx driver.ReadTx) error {
			var err error
			ids, err = tx.Due(now, queued, limit)
			return err
		})
		if err != nil {
			e.schedErr(err)
			return false, false
		}
		if len(ids) == limit {
			drained = false
		}
		for _, id := range ids {
			if free <= 0 {
				return false, true
			}
			if e.startPass(id) {
				free--
			}
		}
	}
	return drained, true
}

func (e *Engine) schedErr(err error) {
	if e.baseCtx.Err() == nil {
		e.log.Error("workflows: scheduler", "error", err)
	}
}

// wakeAt tells the scheduler that an instance is due at t.
func (e *Engine) wakeAt(t time.Time) {
	e.hintMu.Lock()
	if e.hint.IsZero() || t.Before(e.hint) {
		e.hint = t
	}
	e.hintMu.Unlock()
	e.wake()
}

func (e *Engine) takeHint() time.Time {
	e.hintMu.Lock()
	defer e.hintMu.Unlock()
	h := e.hint
	e.hint = time.Time{}
	return h
}

// wake makes the scheduler look again (a slot was freed, or a hint is waiting).
func (e *Engine) wake() {
	select {
	case e.poke <- struct{}{}:
	default:
	}
}

// startPass starts a run of id unless one is live already; that run then asks for
// another look when it ends. It reports whether a run started.
func (e *Engine) startPass(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	if p := e.live[id]; p != nil {
		p.rerun.Store(true)
		return false
	}
	p := newPass(e, id)
	e.live[id] = p
	e.passes.Add(1)
	go p.execute()
	return true
}

// passDone releases p's slot.
func (e *Engine) passDone(p *pass) {
	e.mu.Lock()
	if e.live[p.id] == p {
		delete(e.live, p.id)
	}
	e.mu.Unlock()
	if p.rerun.Load() {
		e.wakeAt(time.Now())
	} else {
		e.wake()
	}
}
