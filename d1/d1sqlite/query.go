package d1sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/flarego/flarego/d1"
	msqlite "modernc.org/sqlite"
)

// sqliteReadOnly is SQLITE_READONLY: a reader met a write.
const sqliteReadOnly = 8

// errWriter says a statement a reader compiled writes: it must go to the writer.
var errWriter = errors.New("d1sqlite: statement writes")

// Query runs one query (D1-009, D1-019). A single statement that only reads runs on a
// reader beside the writer; a write joins the writer's next group commit; a text of several
// statements runs as a transaction of its own.
func (d *Driver) Query(ctx context.Context, q d1.Query) (*d1.Rows, error) {
	if d.closed.Load() {
		return nil, d1.ErrClosed
	}
	p := d.plans.get(q.SQL)
	if p.err != nil {
		return nil, p.err
	}
	if len(p.stmts) == 1 && !p.write.Load() {
		r, err := d.read(ctx, p, q.Args)
		if err != errWriter {
			return r, err
		}
		p.write.Store(true)
	}
	mode := opGroup
	if len(p.stmts) > 1 {
		mode = opTx
	}
	var out *d1.Rows
	err := d.w.submit(&writeOp{ctx: ctx, mode: mode, fn: func(t *wtx) error {
		r, err := t.run(ctx, p, q.Args)
		out = r
		return err
	}})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Batch runs queries in one transaction of their own (D1-021, D1-022).
func (d *Driver) Batch(ctx context.Context, qs []d1.Query) ([]*d1.Rows, error) {
	if d.closed.Load() {
		return nil, d1.ErrClosed
	}
	plans := make([]*plan, len(qs))
	for i, q := range qs {
		p := d.plans.get(q.SQL)
		if p.err != nil {
			return nil, &d1.StatementError{Index: i, Err: p.err}
		}
		plans[i] = p
	}
	out := make([]*d1.Rows, len(qs))
	err := d.w.submit(&writeOp{ctx: ctx, mode: opTx, fn: func(t *wtx) error {
		for i, q := range qs {
			r, err := t.run(ctx, plans[i], q.Args)
			if err != nil {
				return &d1.StatementError{Index: i, Err: err}
			}
			out[i] = r
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// read runs a single statement on a reader, or returns errWriter when it writes. A pure
// read's result is served from, and kept in, the result cache (resultcache.go).
func (d *Driver) read(ctx context.Context, p *plan, args []any) (*d1.Rows, error) {
	st := p.stmts[0]
	var key *[]byte
	var gen uint64
	if d.cache != nil {
		if key = cacheKey(st.Text, args); key != nil {
			defer releaseCacheKey(key)
			// The generation is taken here, before the read transaction starts.
			r, g, ok := d.cache.lookup(*key)
			if r != nil {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				r.Meta.LastRowID, r.Meta.SizeAfter = d.lastRowID.Load(), d.size.Load()
				return r, nil
			}
			if !ok {
				key = nil // a write is in progress: neither served nor stored
			}
			gen = g
		}
	}
	var c *conn
	select {
	case c = <-d.readers:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-d.done:
		return nil, d1.ErrClosed
	}
	defer func() { d.readers <- c }()
	var out *d1.Rows
	pure := false
	err := c.raw(func(dc driver.Conn) error {
		cs, err := c.prepare(dc, st.Text)
		if err != nil {
			return sqliteError(err)
		}
		if cs.write {
			return errWriter
		}
		if len(args) != st.Params {
			return d1.ErrWrongParamCount
		}
		start := time.Now()
		cols, vals, err := c.query(ctx, cs, namedArgs(args))
		var me *msqlite.Error
		if errors.As(err, &me) && me.Code()&0xff == sqliteReadOnly {
			return errWriter
		}
		if err != nil {
			return sqliteError(err)
		}
		// Checked once per compilation, including one SQLite made as the statement ran
		// (after a schema change). A write since the read began keeps the result out of the
		// cache whatever the schema says now.
		if key != nil && cs.purity == purityUnknown {
			cs.purity = c.checkPure(dc, cs)
		}
		pure = cs.purity == purityPure
		out = &d1.Rows{Columns: cols, Values: vals, Meta: d1.Meta{
			Duration:  millis(time.Since(start)),
			LastRowID: d.lastRowID.Load(),
			SizeAfter: d.size.Load(),
			RowsRead:  int64(len(vals)),
		}}
		return nil
	})
	if err == nil && pure && key != nil {
		d.cache.store(*key, out, gen)
	}
	return out, err
}
