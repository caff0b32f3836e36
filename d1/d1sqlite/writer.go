package d1sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/d1"
)

// The writer owns the database's single write connection. Single-statement writes that
// arrive while it is busy share one transaction (group commit), each inside a savepoint so
// that a failing write is undone alone; every caller hears back only after the commit that
// covers its write. Batches, Exec and texts of several statements run in transactions of
// their own. This is internal/groupcommit's scheme, run over the held driver connection
// because D1 needs the connection itself (its authorizer, its raw column values).

type opMode int

const (
	opGroup opMode = iota // one write, grouped with others
	opTx                  // a transaction of its own
	opBare                // no transaction: fn manages the connection (restore, checkpoint)
)

// maxGroup bounds how many writes share one commit.
const maxGroup = 256

type writeOp struct {
	ctx  context.Context
	mode opMode
	fn   func(t *wtx) error
	done chan error
	// rows are the results fn produced; their SizeAfter is filled in after the commit.
	rows []*d1.Rows
}

type writer struct {
	d *Driver
	c *conn
	// changes and rowID are total_changes() and last_insert_rowid() of the write connection
	// after the last write, while counted holds: they start the next write's meta.
	changes, rowID int64
	counted        bool
	ops            chan *writeOp
	// paused, set by tests, runs after each op's transaction, before the op ends.
	paused  atomic.Pointer[func()]
	closeMu sync.RWMutex
	closed  bool
	stopped chan struct{}
}

func newWriter(d *Driver, c *conn) *writer {
	w := &writer{d: d, c: c, ops: make(chan *writeOp, maxGroup), stopped: make(chan struct{})}
	go w.loop()
	return w
}

// submit runs op on the writer and returns its error once its transaction has committed or
// rolled back. ctx bounds the wait for a turn; once op has started it runs to the end
// (its statements see ctx and stop when it is done).
func (w *writer) submit(op *writeOp) error {
	op.done = make(chan error, 1)
	w.closeMu.RLock()
	if w.closed {
		w.closeMu.RUnlock()
		return d1.ErrClosed
	}
	select {
	case w.ops <- op:
	case <-op.ctx.Done():
		w.closeMu.RUnlock()
		return op.ctx.Err()
	}
	w.closeMu.RUnlock()
	return <-op.done
}

// close waits for the writes already submitted and stops the writer.
func (w *writer) close() {
	w.closeMu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ops)
	}
	w.closeMu.Unlock()
	<-w.stopped
}

func (w *writer) loop() {
	defer close(w.stopped)
	group := make([]*writeOp, 0, maxGroup)
	var next *writeOp
	for {
		op := next
		next = nil
		if op == nil {
			var ok bool
			if op, ok = <-w.ops; !ok {
				return
			}
		}
		if op.mode != opGroup {
			w.alone(op)
			continue
		}
		group = append(group[:0], op)
	fill:
		for len(group) < maxGroup {
			select {
			case o, ok := <-w.ops:
				if !ok {
					break fill
				}
				if o.mode != opGroup {
					next = o
					break fill
				}
				group = append(group, o)
			default:
				break fill
			}
		}
		w.grouped(group)
	}
}

var bg = context.Background()

// grouped runs writes in one transaction, each in a savepoint when there are several.
func (w *writer) grouped(ops []*writeOp) {
	live := ops[:0]
	for _, o := range ops {
		if err := o.ctx.Err(); err != nil {
			o.done <- err
			continue
		}
		live = append(live, o)
	}
	if len(live) == 0 {
		return
	}
	results := make([]error, len(live))
	w.d.file.beginWrite()
	err := w.c.raw(func(dc driver.Conn) error {
		if len(live) == 1 {
			// A lone statement is a transaction of its own (autocommit).
			if results[0] = w.call(dc, live[0]); results[0] != nil {
				return nil
			}
			return w.committed(dc, live)
		}
		if err := w.c.exec(bg, dc, "BEGIN IMMEDIATE"); err != nil {
			return sqliteError(err)
		}
		for i, o := range live {
			results[i] = w.savepoint(dc, o)
		}
		if err := w.c.exec(bg, dc, "COMMIT"); err != nil {
			w.c.exec(bg, dc, "ROLLBACK")
			return sqliteError(err)
		}
		return w.committed(dc, live)
	})
	w.pause()
	// Whatever committed is visible now: results cached before it must not be served to the
	// callers about to hear back, nor to anyone after them (sharedFile).
	w.d.file.endWrite()
	for i, o := range live {
		if err != nil {
			o.done <- err
		} else {
			o.done <- results[i]
		}
	}
}

// savepoint runs one write of a group so that its failure is undone alone.
func (w *writer) savepoint(dc driver.Conn, o *writeOp) error {
	if err := w.c.exec(bg, dc, "SAVEPOINT "+savepoint); err != nil {
		return sqliteError(err)
	}
	if err := w.call(dc, o); err != nil {
		w.c.exec(bg, dc, "ROLLBACK TO "+savepoint)
		w.c.exec(bg, dc, "RELEASE "+savepoint)
		o.rows = nil
		return err
	}
	if err := w.c.exec(bg, dc, "RELEASE "+savepoint); err != nil {
		return sqliteError(err)
	}
	return nil
}

// alone runs an op that is a transaction of its own (or manages the connection itself).
func (w *writer) alone(o *writeOp) {
	if err := o.ctx.Err(); err != nil {
		o.done <- err
		return
	}
	var result error
	w.d.file.beginWrite() // batches, restores, the driver's own writes: as in grouped
	err := w.c.raw(func(dc driver.Conn) error {
		if o.mode == opBare {
			w.counted = false
			if result = w.call(dc, o); result != nil {
				return nil
			}
			return w.committed(dc, []*writeOp{o})
		}
		if err := w.c.exec(bg, dc, "BEGIN IMMEDIATE"); err != nil {
			return sqliteError(err)
		}
		if result = w.call(dc, o); result != nil {
			w.c.exec(bg, dc, "ROLLBACK")
			return nil
		}
		if err := w.c.exec(bg, dc, "COMMIT"); err != nil {
			w.c.exec(bg, dc, "ROLLBACK")
			return sqliteError(err)
		}
		return w.committed(dc, []*writeOp{o})
	})
	w.pause()
	w.d.file.endWrite()
	if err != nil {
		result = err
	}
	o.done <- result
}

// pause runs the test hook, if any.
func (w *writer) pause() {
	if f := w.paused.Load(); f != nil {
		(*f)()
	}
}

// call runs an op's function, turning a panic into that op's error so that one bad write
// cannot stop the writer every other caller waits on.
func (w *writer) call(dc driver.Conn, o *writeOp) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("d1sqlite: write panicked: %v", p)
		}
		if err != nil {
			w.counted = false
		}
	}()
	return o.fn(&wtx{w: w, dc: dc, op: o})
}

// committed runs after every commit: the new size goes into the results' meta and the
// commit into the history.
func (w *writer) committed(dc driver.Conn, ops []*writeOp) error {
	pages, err := w.d.noteCommit(dc)
	if err != nil {
		return err
	}
	var size int64
	if pages > 0 {
		size = pages * w.d.pageSize
		w.d.size.Store(size)
	} else if size, err = w.d.refreshSize(dc); err != nil {
		return err
	}
	for _, o := range ops {
		for _, r := range o.rows {
			r.Meta.SizeAfter = size
		}
	}
	return nil
}

// wtx is what an op's function runs with: the write connection, inside the op's transaction.
type wtx struct {
	w  *writer
	dc driver.Conn
	op *writeOp
}

// run runs a query's statements on the write connection and returns the last one's rows,
// with the meta of them all.
func (t *wtx) run(ctx context.Context, p *plan, args []any) (*d1.Rows, error) {
	c := t.w.c
	changesBefore, rowIDBefore := t.w.changes, t.w.rowID
	if !t.w.counted {
		if err := c.ints(bg, t.dc, "SELECT total_changes(), last_insert_rowid()", &changesBefore, &rowIDBefore); err != nil {
			return nil, sqliteError(err)
		}
	}
	start := time.Now()
	out := &d1.Rows{}
	var returned int64
	for i, st := range p.stmts {
		var a []any
		if i == len(p.stmts)-1 {
			a = args
		}
		cs, err := c.prepare(t.dc, st.Text)
		if err != nil {
			return nil, sqliteError(err)
		}
		if len(a) != st.Params {
			return nil, d1.ErrWrongParamCount
		}
		cols, vals, err := c.query(ctx, cs, namedArgs(a))
		if err != nil {
			return nil, sqliteError(err)
		}
		returned += int64(len(vals))
		out.Columns, out.Values = cols, vals
	}
	var changes, rowID int64
	if err := c.ints(bg, t.dc, "SELECT total_changes(), last_insert_rowid()", &changes, &rowID); err != nil {
		return nil, sqliteError(err)
	}
	t.w.changes, t.w.rowID, t.w.counted = changes, rowID, true
	changes -= changesBefore
	out.Meta = d1.Meta{
		Duration:    millis(time.Since(start)),
		Changes:     changes,
		LastRowID:   rowID,
		ChangedDB:   changes > 0 || rowID != rowIDBefore,
		RowsRead:    returned + changes,
		RowsWritten: changes,
	}
	t.w.d.lastRowID.Store(rowID)
	t.op.rows = append(t.op.rows, out)
	return out, nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
