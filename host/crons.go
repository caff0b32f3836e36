package host

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/flarego/flarego/cron"
	"go.uber.org/zap"
)

// trigger is one configured cron of a worker.
type trigger struct {
	w        *workerSlot
	schedule *cron.Schedule
}

// startCrons parses w's triggers.crons (an invalid one stops the start, naming it) and,
// unless --no-crons, fires them on time: the platform's local tools never do (CR-015).
// Each tick fires once, in its own goroutine so that a slow run never delays another
// trigger or the next tick. Ticks missed while the runner was not running are not replayed:
// the first tick is the first one after start.
func (r *Runner) startCrons(w *workerSlot) error {
	var triggers []trigger
	for _, expr := range w.cfg.Triggers.Crons {
		s, err := cron.Parse(expr)
		if err != nil {
			return fmt.Errorf("triggers.crons: %w", err)
		}
		triggers = append(triggers, trigger{w: w, schedule: s})
	}
	if len(triggers) == 0 || r.opts.NoCrons {
		return nil
	}
	if !w.bound.HasScheduled() {
		r.log.Warn("triggers.crons is set but the worker has no Scheduled method", zap.String("worker", w.name))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r.onClose(func(context.Context) error { cancel(); <-done; return nil })
	go func() {
		defer close(done)
		r.cronLoop(ctx, triggers)
	}()
	return nil
}

func (r *Runner) cronLoop(ctx context.Context, triggers []trigger) {
	next := make([]time.Time, len(triggers))
	now := time.Now()
	for i, t := range triggers {
		next[i] = t.schedule.Next(now)
	}
	for {
		soonest := time.Time{}
		for _, n := range next {
			if !n.IsZero() && (soonest.IsZero() || n.Before(soonest)) {
				soonest = n
			}
		}
		if soonest.IsZero() {
			return
		}
		timer := time.NewTimer(time.Until(soonest))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		for i, t := range triggers {
			if next[i].Equal(soonest) {
				due := next[i]
				r.background.Add(1)
				go func() {
					defer r.background.Done()
					r.RunScheduled(ctx, t.w, t.schedule.String(), due)
				}()
				next[i] = t.schedule.Next(due)
			}
		}
	}
}

func init() {
	addCommand(&command{
		name:    "cron",
		summary: `cron trigger "EXPR": run the scheduled handler now (on the running runner when there is one)`,
		run:     runCronCommand,
	})
}

func runCronCommand(ctx context.Context, c *cmdEnv, args []string) error {
	if len(args) < 1 || args[0] != "trigger" {
		return fmt.Errorf(`usage: cron trigger "EXPR" [--time EPOCH_MS]`)
	}
	expr := ""
	if len(args) > 1 {
		expr = args[1]
	}
	if expr != "" {
		if _, err := cron.Parse(expr); err != nil {
			return err
		}
	}
	at := time.Now()
	// A runner already serving this config answers on its port: trigger it there, so the
	// handler runs in that process with its in-memory state.
	target := fmt.Sprintf("http://%s:%d/cdn-cgi/handler/scheduled?cron=%s", c.opts.IP, c.opts.Port, url.QueryEscape(expr))
	client := &http.Client{Timeout: 16 * time.Minute}
	if resp, err := client.Get(target); err == nil {
		defer resp.Body.Close()
		fmt.Fprintf(c.stdout, "triggered on the running runner: %s\n", resp.Status)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("scheduled handler failed (see the runner's log)")
		}
		return nil
	}
	opts := c.opts
	opts.NoCrons = true
	r, err := New(ctx, opts, c.app)
	if err != nil {
		return err
	}
	defer r.Close(context.Background())
	res := r.RunScheduled(ctx, r.primary, expr, at)
	fmt.Fprintf(c.stdout, "outcome: %s\n", res.Outcome)
	if res.Err != nil {
		return res.Err
	}
	return nil
}
