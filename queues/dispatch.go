package queues

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/flarego/flarego/worker"
)

// dispatcher delivers one queue's messages to its push consumer: a batch when max_batch_size
// messages are available or when the first available message has waited max_batch_timeout
// never an empty one, at most max_concurrency at once.
type dispatcher struct {
	e       *Engine
	s       consumerSettings
	deliver deliverFunc
	wake    *waker
	slots   chan struct{}
}

func (d *dispatcher) run(ctx context.Context) {
	q, size := d.s.queue, d.s.maxBatchSize
	var pending time.Time // when the batch being filled saw its first message; zero if none
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		// Take a slot before leasing, so that nothing is leased that cannot run now.
		select {
		case d.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		now := time.Now()
		if d.s.maxBatchTimeout == 0 {
			// No batching delay: lease at once, and ask when to look again only if
			// nothing was there.
			leased, err := d.e.driver.Lease(ctx, q, size, now, now.Add(d.e.opts.LeaseDuration))
			if err == nil && len(leased) > 0 {
				d.start(leased)
				continue
			}
		}
		mark := d.wake.added.Load()
		n, next, err := d.e.driver.Ready(ctx, q, now, size)
		if err != nil {
			if ctx.Err() != nil {
				<-d.slots
				return
			}
			d.e.log.Error("queue poll failed", "queue", q, "error", err)
			n, next = 0, now.Add(time.Second)
		}
		if n == 0 {
			pending = time.Time{}
		} else if pending.IsZero() {
			pending = now
		}
		if n > 0 && (n >= size || !now.Before(pending.Add(d.s.maxBatchTimeout))) {
			leased, err := d.e.driver.Lease(ctx, q, size, now, now.Add(d.e.opts.LeaseDuration))
			pending = time.Time{}
			if err == nil && len(leased) > 0 {
				d.start(leased)
				continue
			}
			if err != nil && ctx.Err() == nil {
				d.e.log.Error("queue lease failed", "queue", q, "error", err)
				next = now.Add(time.Second)
			}
		}
		<-d.slots

		// Sleep until something may have changed: the partial batch's timeout, the next
		// delayed or leased message becoming visible, a poll for other processes' sends, or
		// a wake-up from a send or settle in this process.
		var at time.Time
		if !pending.IsZero() {
			at = pending.Add(d.s.maxBatchTimeout)
		}
		if !next.IsZero() && (at.IsZero() || next.Before(at)) {
			at = next
		}
		if d.e.poll > 0 && (at.IsZero() || now.Add(d.e.poll).Before(at)) {
			at = now.Add(d.e.poll)
		}
		var fire <-chan time.Time
		if !at.IsZero() {
			timer.Reset(max(time.Until(at), 0))
			fire = timer.C
		}
	wait:
		for {
			select {
			case <-d.wake.ch:
				// While a partial batch waits for its timeout, look again only once enough
				// messages may have arrived to fill it.
				if pending.IsZero() || n+int(d.wake.added.Load()-mark) >= size {
					break wait
				}
			case <-fire:
				break wait
			case <-ctx.Done():
				return
			}
		}
		timer.Stop()
	}
}

// start handles leased in its own goroutine, which gives back the slot taken for it.
func (d *dispatcher) start(leased []Leased) {
	d.e.batches.Add(1)
	go func() {
		defer d.e.batches.Done()
		defer func() { <-d.slots }()
		d.handle(leased)
	}()
}

// handle runs one invocation on leased and settles every message.
func (d *dispatcher) handle(leased []Leased) {
	e, s := d.e, d.s
	ctx := context.Background()
	now := time.Now()
	var outcomes []Outcome
	batch := make([]Leased, 0, len(leased))
	for _, l := range leased {
		// A message whose lease ran out after its last attempt (its consumer crashed or
		// hung) is not delivered again.
		if l.Attempts > s.maxRetries+1 {
			outcomes = append(outcomes, e.exhausted(s, l, now))
			continue
		}
		batch = append(batch, l)
	}
	if len(batch) > 0 {
		outcomes = append(outcomes, d.invoke(ctx, batch)...)
	}
	if err := e.driver.Settle(ctx, s.queue, outcomes); err != nil {
		e.log.Error("queue settle failed; the batch's messages come back when their lease runs out", "queue", s.queue, "error", err)
	}
	e.notify(s.queue, len(outcomes))
	if s.deadLetterQueue != "" {
		e.notify(s.deadLetterQueue, len(outcomes))
	}
}

type invokeResult struct {
	n   int
	err error
	cpu time.Duration
}

// invoke runs the handler on batch in a fresh invocation and returns each message's outcome.
func (d *dispatcher) invoke(ctx context.Context, batch []Leased) []Outcome {
	e, s := d.e, d.s
	ictx, cancel := worker.NewContext(ctx, worker.ContextOptions{
		Kind: "queue", WorkerName: e.opts.WorkerName, Limits: e.opts.Limits, Logger: e.log,
		Exports: e.opts.Exports,
	})
	state := newBatchState(len(batch), ictx.Logger(), func() Metrics {
		st, err := e.backlog(ctx, s.queue)
		if err != nil {
			e.log.Error("queue metrics failed", "queue", s.queue, "error", err)
		}
		return metricsOf(st)
	})
	stopRenew := d.renew(batch)

	start := time.Now()
	done := make(chan invokeResult, 1)
	// A thread's CPU clock costs a system call each side and pins the goroutine to its
	// thread, which a consumer that waits on a binding pays in thread switches: measure it
	// only for a CPU limit or the log line that shows it.
	measure := e.opts.Limits.CPU > 0 || e.log.Enabled(ctx, slog.LevelInfo)
	go func() {
		var r invokeResult
		if measure {
			r.cpu = worker.MeasureCPU(func() { r.n, r.err = d.deliver(ictx, s.queue, batch, state) })
		} else {
			r.n, r.err = d.deliver(ictx, s.queue, batch, state)
		}
		done <- r
	}()
	var res invokeResult
	select {
	case res = <-done:
	case <-ictx.Done():
		// Over the wall budget: the invocation is abandoned and its batch fails.
		res = invokeResult{n: len(batch), err: fmt.Errorf("queues: consumer of %q exceeded its wall time: %w", s.queue, ictx.Err())}
	}
	wall := time.Since(start)
	cancel()
	waitErr := ictx.Wait(context.Background())
	stopRenew()

	if res.err == nil && e.opts.Limits.CPU > 0 && res.cpu > e.opts.Limits.CPU {
		res.err = &worker.LimitError{Limit: "cpu", Used: int64(res.cpu), Max: int64(e.opts.Limits.CPU)}
		res.err = fmt.Errorf("%w: %w", worker.ErrCPULimit, res.err)
	}
	failed := res.err != nil || waitErr != nil
	if res.err != nil {
		e.log.Error("queue consumer failed", "queue", s.queue, "error", res.err)
	}

	now := time.Now()
	outcomes := make([]Outcome, 0, len(batch))
	acked := 0
	for i, l := range batch {
		retry, delay := state.decide(i, failed, s.retryDelay)
		switch {
		case !retry:
			acked++
			outcomes = append(outcomes, Outcome{LeaseID: l.LeaseID, Action: Ack})
		case l.Attempts >= s.maxRetries+1:
			outcomes = append(outcomes, e.exhausted(s, l, now))
		default:
			outcomes = append(outcomes, Outcome{LeaseID: l.LeaseID, Action: Retry, VisibleAt: now.Add(delay)})
		}
	}
	if res.n > 0 {
		e.log.Info(fmt.Sprintf("QUEUE %s %d/%d (%dms)", s.queue, acked, len(batch), wall.Milliseconds()),
			"queue", s.queue, "acked", acked, "total", len(batch), "wall_ms", wall.Milliseconds(),
			"cpu_ms", res.cpu.Milliseconds(), "subrequests", ictx.Subrequests())
	}
	return outcomes
}

// renew keeps the batch's leases alive while its handler runs, so that a long handler is
// not raced by another consumer, while a crashed process's messages still come back soon.
func (d *dispatcher) renew(batch []Leased) (stop func()) {
	every := max(d.e.opts.LeaseDuration/3, time.Millisecond)
	quit, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				until := time.Now().Add(d.e.opts.LeaseDuration)
				out := make([]Outcome, len(batch))
				for i, l := range batch {
					out[i] = Outcome{LeaseID: l.LeaseID, Action: Extend, VisibleAt: until}
				}
				if err := d.e.driver.Settle(context.Background(), d.s.queue, out); err != nil {
					d.e.log.Warn("queue lease renewal failed", "queue", d.s.queue, "error", err)
				}
			}
		}
	}()
	return func() { close(quit); <-stopped }
}
