package queues

import (
	"context"
	"time"

	"github.com/flarego/flarego/internal/deferred"
)

// deferredDriver is a Driver whose store opens in the background, so that the runner serves
// while the file opens: every call waits for the open, and fails with its error.
type deferredDriver struct {
	d      *deferred.Value[Driver]
	shared bool
}

func openDeferred(open func() (Driver, error), shared bool) *deferredDriver {
	return &deferredDriver{d: deferred.Start(open), shared: shared}
}

func (x *deferredDriver) Send(ctx context.Context, queue string, recs []Record) error {
	d, err := x.d.GetContext(ctx)
	if err != nil {
		return err
	}
	return d.Send(ctx, queue, recs)
}

func (x *deferredDriver) Lease(ctx context.Context, queue string, max int, now, until time.Time) ([]Leased, error) {
	d, err := x.d.GetContext(ctx)
	if err != nil {
		return nil, err
	}
	return d.Lease(ctx, queue, max, now, until)
}

func (x *deferredDriver) Settle(ctx context.Context, queue string, outcomes []Outcome) error {
	d, err := x.d.GetContext(ctx)
	if err != nil {
		return err
	}
	return d.Settle(ctx, queue, outcomes)
}

func (x *deferredDriver) Ready(ctx context.Context, queue string, now time.Time, max int) (int, time.Time, error) {
	d, err := x.d.GetContext(ctx)
	if err != nil {
		return 0, time.Time{}, err
	}
	return d.Ready(ctx, queue, now, max)
}

func (x *deferredDriver) Stats(ctx context.Context, queue string, now time.Time) (Stats, error) {
	d, err := x.d.GetContext(ctx)
	if err != nil {
		return Stats{}, err
	}
	return d.Stats(ctx, queue, now)
}

func (x *deferredDriver) Queues(ctx context.Context) ([]string, error) {
	d, err := x.d.GetContext(ctx)
	if err != nil {
		return nil, err
	}
	return d.Queues(ctx)
}

func (x *deferredDriver) Purge(ctx context.Context, queue string, before time.Time) (int, error) {
	d, err := x.d.GetContext(ctx)
	if err != nil {
		return 0, err
	}
	return d.Purge(ctx, queue, before)
}

// Backlog implements BacklogReader through the opened driver's, or its Stats.
func (x *deferredDriver) Backlog(ctx context.Context, queue string) (Stats, error) {
	d, err := x.d.GetContext(ctx)
	if err != nil {
		return Stats{}, err
	}
	if b, ok := d.(BacklogReader); ok {
		return b.Backlog(ctx, queue)
	}
	return d.Stats(ctx, queue, time.Now())
}

// Shared implements SharedStore: known before the store opens.
func (x *deferredDriver) Shared() bool { return x.shared }

// Close waits for the open and closes what it opened.
func (x *deferredDriver) Close() error {
	d, err := x.d.Get()
	if err != nil {
		return nil // nothing was opened
	}
	return d.Close()
}
