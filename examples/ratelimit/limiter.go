package main

import (
	"context"
	"math"
	"time"

	"github.com/flarego/flarego/durableobject"
)

// Limiter is the rate limiter of one tenant: a Durable Object, so every request of that
// tenant, wherever it arrives, is counted by this one instance, one at a time.
//
// It keeps a sliding-window counter: requests are counted in fixed windows, and the count
// over the last period is estimated as this window's count plus the previous window's
// count weighted by how much of it the sliding window still covers. Two integers per
// tenant instead of a timestamp per request, and no burst at window boundaries.
type Limiter struct {
	storage *durableobject.Storage
	limit   int
	period  time.Duration
	w       window
}

// window is the limiter's state, kept in storage so that it survives eviction.
type window struct {
	Start    time.Time `json:"start"`    // when the current fixed window began
	Current  int       `json:"current"`  // requests allowed in it so far
	Previous int       `json:"previous"` // requests allowed in the one before
}

// Decision is the answer to one request.
type Decision struct {
	Allowed    bool          `json:"allowed"`
	Limit      int           `json:"limit"`
	Remaining  int           `json:"remaining"`
	RetryAfter time.Duration `json:"retryAfter"` // when refused: how long until a request would pass
}

// NewLimiter loads the tenant's counts. BlockConcurrencyWhile keeps every request out until
// they are loaded; if loading fails, the object is reset and the next request tries again.
func NewLimiter(state *durableobject.State, env Env) *Limiter {
	l := &Limiter{storage: state.Storage(), limit: env.Limit, period: time.Duration(env.WindowSeconds) * time.Second}
	state.BlockConcurrencyWhile(context.Background(), func(ctx context.Context) error {
		_, err := l.storage.Get(ctx, "window", &l.w)
		return err
	})
	return l
}

// Check counts one request if the tenant is under its limit.
func (l *Limiter) Check(ctx context.Context, _ struct{}) (Decision, error) {
	now := time.Now()
	l.roll(now)
	elapsed := now.Sub(l.w.Start)
	weight := 1 - float64(elapsed)/float64(l.period) // share of the previous window still inside
	estimate := float64(l.w.Previous)*weight + float64(l.w.Current)

	if estimate+1 > float64(l.limit) {
		return Decision{Limit: l.limit, RetryAfter: l.retryAfter(elapsed)}, nil
	}
	l.w.Current++
	// The write is durable before the decision leaves the object (the output gate), so a
	// crash cannot forget a request that was let through.
	if err := l.storage.Put(ctx, "window", l.w); err != nil {
		return Decision{}, err
	}
	remaining := int(math.Floor(float64(l.limit) - estimate - 1))
	return Decision{Allowed: true, Limit: l.limit, Remaining: max(remaining, 0)}, nil
}

// roll moves the fixed windows forward to the one containing now.
func (l *Limiter) roll(now time.Time) {
	start := now.Truncate(l.period)
	switch {
	case start.Equal(l.w.Start):
	case start.Equal(l.w.Start.Add(l.period)):
		l.w = window{Start: start, Previous: l.w.Current}
	default: // a first request, or a quiet period of more than one window
		l.w = window{Start: start}
	}
}

// retryAfter is how long until the estimate drops enough for one more request, from
// elapsed into the current window.
func (l *Limiter) retryAfter(elapsed time.Duration) time.Duration {
	room := float64(l.limit - 1) // the estimate must fall to this
	p := float64(l.period)
	if float64(l.w.Current) > room {
		// This window alone is over: wait for it to end, then for its weight to fall.
		wait := (p - float64(elapsed)) + p*(1-room/float64(l.w.Current))
		return time.Duration(math.Ceil(wait))
	}
	// The previous window's share must fall: previous·(1 − t/p) ≤ room − current.
	t := p * (1 - (room-float64(l.w.Current))/float64(l.w.Previous))
	return time.Duration(math.Ceil(t - float64(elapsed)))
}

// Check as a typed RPC descriptor, for the worker to call.
var Check = durableobject.Method("Check", (*Limiter).Check)
