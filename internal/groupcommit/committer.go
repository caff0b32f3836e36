package groupcommit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// ErrClosed is returned by Do after Close.
var ErrClosed = errors.New("groupcommit: committer closed")

// maxBatch bounds how many writes share one transaction, so one commit never holds
// thousands of callers waiting on it.
const maxBatch = 512

// Tx is the transaction a write runs in. It is shared with other writes of the same batch,
// so a write must not Commit or Rollback it; returning an error rolls back that write only.
type Tx = *sql.Tx

type op struct {
	ctx  context.Context
	fn   func(Tx) error
	done chan error
}

// Committer serialises writes to one database and groups them into shared transactions.
// The zero value is not usable; call New.
type Committer struct {
	db      *sql.DB
	ops     chan *op
	closeMu sync.RWMutex
	closed  bool
	stopped chan struct{}
}

// New starts a committer over db, which should be a single-connection write pool
// (sqlitedb.DB.Write). Close stops it.
func New(db *sql.DB) *Committer {
	c := &Committer{db: db, ops: make(chan *op, maxBatch), stopped: make(chan struct{})}
	go c.loop()
	return c
}

// Do runs fn in a transaction, possibly together with other callers' writes, and returns once
// that transaction has committed (nil) or fn's error once fn's own changes were rolled back.
// If the commit itself fails, every write of the batch gets that error. ctx only bounds the
// wait for a place in a batch; once fn has started it runs to the end.
func (c *Committer) Do(ctx context.Context, fn func(Tx) error) error {
	c.closeMu.RLock()
	if c.closed {
		c.closeMu.RUnlock()
		return ErrClosed
	}
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case c.ops <- o:
	case <-ctx.Done():
		c.closeMu.RUnlock()
		return ctx.Err()
	}
	c.closeMu.RUnlock()
	return <-o.done
}

// Close waits for the writes already submitted and stops the committer. It does not close db.
func (c *Committer) Close() error {
	c.closeMu.Lock()
	if !c.closed {
		c.closed = true
		close(c.ops)
	}
	c.closeMu.Unlock()
	<-c.stopped
	return nil
}

func (c *Committer) loop() {
	defer close(c.stopped)
	batch := make([]*op, 0, maxBatch)
	for first := range c.ops {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-c.ops:
				if !ok {
					break fill
				}
				batch = append(batch, o)
			default:
				break fill
			}
		}
		c.run(batch)
	}
}

func (c *Committer) run(batch []*op) {
	// Drop callers that gave up before their write started: nothing of theirs ran.
	live := batch[:0]
	for _, o := range batch {
		if err := o.ctx.Err(); err != nil {
			o.done <- err
			continue
		}
		live = append(live, o)
	}
	if len(live) == 0 {
		return
	}
	tx, err := c.db.Begin()
	if err != nil {
		for _, o := range live {
			o.done <- fmt.Errorf("groupcommit: begin: %w", err)
		}
		return
	}
	results := make([]error, len(live))
	if len(live) == 1 {
		// A batch of one needs no savepoint: on failure the whole transaction is its own.
		if results[0] = c.call(tx, live[0]); results[0] != nil {
			tx.Rollback()
			live[0].done <- results[0]
			return
		}
	} else {
		for i, o := range live {
			results[i] = c.apply(tx, o)
		}
	}
	if err := tx.Commit(); err != nil {
		for _, o := range live {
			o.done <- fmt.Errorf("groupcommit: commit: %w", err)
		}
		return
	}
	for i, o := range live {
		o.done <- results[i]
	}
}

// apply runs one write of a shared batch inside a savepoint so that its failure is undone alone.
func (c *Committer) apply(tx *sql.Tx, o *op) error {
	if _, err := tx.Exec("SAVEPOINT w"); err != nil {
		return fmt.Errorf("groupcommit: savepoint: %w", err)
	}
	if err := c.call(tx, o); err != nil {
		tx.Exec("ROLLBACK TO w")
		tx.Exec("RELEASE w")
		return err
	}
	if _, err := tx.Exec("RELEASE w"); err != nil {
		return fmt.Errorf("groupcommit: release: %w", err)
	}
	return nil
}

// call runs the caller's function, turning a panic into that caller's error so that one bad
// write cannot take down the writer every other caller waits on.
func (c *Committer) call(tx *sql.Tx, o *op) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("groupcommit: write panicked: %v", p)
		}
	}()
	return o.fn(tx)
}
