package kv

import (
	"context"
	"time"
)

// Expired keys are hidden by the drivers at once; purging only reclaims their storage. A
// Namespace keeps one timer, set for the earliest expiration it knows of: the one the driver
// reported after the last purge, or a later write's, whichever comes first. No goroutine
// waits between purges.

// schedulePurge arranges a purge at t unless one is already due by then.
func (ns *Namespace) schedulePurge(t time.Time) {
	if _, ok := ns.d.(Purger); !ok {
		return
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if ns.closed.Load() || (!ns.timerAt.IsZero() && !t.Before(ns.timerAt)) {
		return
	}
	if ns.timer != nil {
		ns.timer.Stop()
	}
	ns.timerAt = t
	ns.timer = time.AfterFunc(time.Until(t), ns.purge)
}

func (ns *Namespace) purge() {
	ns.mu.Lock()
	if ns.closed.Load() {
		ns.mu.Unlock()
		return
	}
	ns.timerAt = time.Time{}
	ns.inflight.Add(1)
	ns.mu.Unlock()
	defer ns.inflight.Done()

	next, err := ns.d.(Purger).PurgeExpired(context.Background(), time.Now())
	if err != nil {
		ns.log.Warn("kv: purging expired keys failed", "err", err)
		// Try again a little later rather than leave expired data behind for good.
		next = time.Now().Add(MinExpirationTTL)
	}
	if !next.IsZero() {
		// Never sooner than a second: a key another process wrote cannot make this spin.
		ns.schedulePurge(later(next, time.Now().Add(time.Second)))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
