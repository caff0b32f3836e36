package main

import (
	"time"

	"github.com/flarego/flarego/worker"
)

// Scheduled runs on the config's cron trigger, every night at 03:00 UTC: it deletes the
// sessions that expired. Expired sessions are already refused when used; the sweep
// keeps the namespace from growing with logins nobody came back to.
func (a *App) Scheduled(ev worker.ScheduledEvent, env Env, ctx *worker.Context) error {
	n, err := sweepSessions(ctx, env.Sessions, ev.ScheduledTime)
	if err != nil {
		return err // the runner logs it; the next night tries again
	}
	ctx.Logger().Info("expired sessions deleted", "count", n, "at", ev.ScheduledTime.Format(time.RFC3339))
	return nil
}
