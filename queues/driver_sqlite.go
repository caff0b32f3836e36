package queues

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/internal/groupcommit"
	"github.com/flarego/flarego/internal/sqlitedb"
)

// schema: one table of messages for every queue. visible_at (Unix ns) is when a message may
// be leased: its send time plus delay, its retry time, or its lease deadline while in flight
// (lease not NULL). seq never repeats (AUTOINCREMENT), so a lease id names one message for
// ever and a late ack cannot hit a newer message. queue_stats is kept by triggers so that
// backlog metrics cost one row read at any depth: inserts add to it once per write (see
// addStats), deletes through a trigger.
const sqliteSchema = `
CREATE TABLE IF NOT EXISTS messages (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	queue        TEXT    NOT NULL,
	id           TEXT    NOT NULL,
	ts           INTEGER NOT NULL,
	content_type TEXT    NOT NULL,
	body         BLOB    NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	visible_at   INTEGER NOT NULL,
	lease        TEXT
);
CREATE INDEX IF NOT EXISTS messages_visible ON messages(queue, visible_at);
CREATE INDEX IF NOT EXISTS messages_age ON messages(queue, ts);
CREATE TABLE IF NOT EXISTS queue_stats (
	queue    TEXT PRIMARY KEY,
	messages INTEGER NOT NULL,
	bytes    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS messages_removed AFTER DELETE ON messages BEGIN
	UPDATE queue_stats SET messages = messages - 1, bytes = bytes - length(old.body) WHERE queue = old.queue;
END;
`

// OpenSQLiteDriver opens (creating it) the SQLite queue store at path, or a private
// in-memory one when path is "". Every process that opens the same file shares its queues:
// leases are taken in write transactions, so two consumers never hold the same message.
// Writes go through group commit and are on disk when the method returns.
func OpenSQLiteDriver(path string) (Driver, error) {
	db, err := sqlitedb.Open(path, sqlitedb.Options{})
	if err != nil {
		return nil, fmt.Errorf("queues: %w", err)
	}
	if _, err := db.Write.Exec(sqliteSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("queues: create schema in %s: %w", path, err)
	}
	d := &sqliteDriver{
		db: db, gc: groupcommit.New(db.Write), shared: path != "",
		sends: make(chan *pendingSend, 1024), flushed: make(chan struct{}), inserts: map[int]*sql.Stmt{},
	}
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = db.Write.Prepare(q)
		return s
	}
	for n := 1; n <= maxInsertRows; n *= 2 {
		d.inserts[n] = prep(insertSQL(n))
	}
	d.addStats = prep(`INSERT INTO queue_stats(queue, messages, bytes) VALUES (?, ?, ?)
		ON CONFLICT(queue) DO UPDATE SET messages = messages + excluded.messages, bytes = bytes + excluded.bytes`)
	d.lease = prep(`UPDATE messages SET lease = ?1, attempts = attempts + 1, visible_at = ?2
		WHERE seq IN (SELECT seq FROM messages INDEXED BY messages_visible WHERE queue = ?3 AND visible_at <= ?4 ORDER BY visible_at, seq LIMIT ?5)
		RETURNING seq, id, ts, content_type, body, attempts`)
	d.ack = prep(`DELETE FROM messages WHERE seq = ? AND queue = ?`)
	d.ackMany = prep(`DELETE FROM messages WHERE seq IN (SELECT value FROM json_each(?2)) AND +queue = ?1`)
	d.retry = prep(`UPDATE messages SET visible_at = ?, lease = NULL WHERE seq = ? AND queue = ?`)
	d.extend = prep(`UPDATE messages SET visible_at = ? WHERE seq = ? AND queue = ? AND lease = ?`)
	d.move = prep(`INSERT INTO messages(queue, id, ts, content_type, body, attempts, visible_at)
		SELECT ?, id, ts, content_type, body, 0, ? FROM messages WHERE seq = ? AND queue = ?
		RETURNING length(body)`)
	// The dispatcher asks Ready after every batch; prepared once, it skips compiling its
	// text on each call.
	prepRead := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = db.Read.Prepare(q)
		return s
	}
	d.ready = prepRead(readySQL)
	d.backlog = prepRead(backlogSQL)
	if err != nil {
		d.closed.Store(true)
		d.gc.Close()
		db.Close()
		return nil, fmt.Errorf("queues: prepare statements: %w", err)
	}
	go d.flush()
	return d, nil
}

type sqliteDriver struct {
	db     *sqlitedb.DB
	gc     *groupcommit.Committer
	shared bool
	closed atomic.Bool

	// Sends are coalesced by one flusher into multi-row inserts: one write per group of
	// concurrent senders instead of one savepoint and statement per message.
	sendMu  sync.RWMutex
	sends   chan *pendingSend
	flushed chan struct{}
	inserts map[int]*sql.Stmt // multi-row INSERTs of 1, 2, 4 … maxInsertRows rows

	addStats, lease, ack, ackMany, retry, extend, move *sql.Stmt
	ready, backlog                                     *sql.Stmt // on the read pool
}

type pendingSend struct {
	queue string
	recs  []Record
	done  chan error
}

// maxInsertRows bounds one INSERT statement (7 parameters a row, well under SQLite's limit).
const maxInsertRows = 128

// maxFlushRows bounds one coalesced write.
const maxFlushRows = 2048

// Shared implements SharedStore: a file may be written by other processes.
func (d *sqliteDriver) Shared() bool { return d.shared }

func (d *sqliteDriver) do(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if d.closed.Load() {
		return ErrClosed
	}
	err := d.gc.Do(ctx, fn)
	if errors.Is(err, groupcommit.ErrClosed) {
		return ErrClosed
	}
	return err
}

func (d *sqliteDriver) Send(ctx context.Context, queue string, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	p := &pendingSend{queue: queue, recs: recs, done: make(chan error, 1)}
	d.sendMu.RLock()
	if d.closed.Load() {
		d.sendMu.RUnlock()
		return ErrClosed
	}
	select {
	case d.sends <- p:
	case <-ctx.Done():
		d.sendMu.RUnlock()
		return ctx.Err()
	}
	d.sendMu.RUnlock()
	return <-p.done
}

// flush writes the pending sends, as many as are waiting, in one group-committed write each.
func (d *sqliteDriver) flush() {
	defer close(d.flushed)
	var batch []*pendingSend
	for first := range d.sends {
		batch = append(batch[:0], first)
		rows := len(first.recs)
		// Take what is waiting; yield once when that was something, so that senders just
		// woken by the previous commit can join this one.
		for yielded := false; rows < maxFlushRows; {
			select {
			case p, ok := <-d.sends:
				if !ok {
					yielded = true
					break
				}
				batch = append(batch, p)
				rows += len(p.recs)
				continue
			default:
			}
			if yielded {
				break
			}
			yielded = true
			runtime.Gosched()
		}
		err := d.gc.Do(context.Background(), func(tx *sql.Tx) error { return d.insertAll(tx, batch) })
		if errors.Is(err, groupcommit.ErrClosed) {
			err = ErrClosed
		}
		if err != nil && len(batch) > 1 {
			// Keep one sender's failure from failing the others.
			for _, p := range batch {
				p.done <- d.gc.Do(context.Background(), func(tx *sql.Tx) error { return d.insertAll(tx, []*pendingSend{p}) })
			}
			continue
		}
		for _, p := range batch {
			p.done <- err
		}
	}
}

func (d *sqliteDriver) insertAll(tx *sql.Tx, batch []*pendingSend) error {
	type sums struct{ n, bytes int64 }
	stats := map[string]*sums{}
	args := make([]any, 0, 7*maxInsertRows)
	n := 0
	// exec inserts the rows in args with the prepared statements, largest first: 37 rows
	// are one INSERT of 32, one of 4 and one of 1.
	exec := func() error {
		for done := 0; done < n; {
			size := maxInsertRows
			for size > n-done {
				size /= 2
			}
			if _, err := tx.Stmt(d.inserts[size]).Exec(args[7*done : 7*(done+size)]...); err != nil {
				return err
			}
			done += size
		}
		args, n = args[:0], 0
		return nil
	}
	for _, p := range batch {
		s := stats[p.queue]
		if s == nil {
			s = &sums{}
			stats[p.queue] = s
		}
		for _, r := range p.recs {
			args = append(args, p.queue, r.ID, r.Timestamp.UnixMilli(), string(r.ContentType), r.Body, r.Attempts, r.VisibleAt.UnixNano())
			n++
			s.n++
			s.bytes += int64(len(r.Body))
			if n == maxInsertRows {
				if err := exec(); err != nil {
					return err
				}
			}
		}
	}
	if err := exec(); err != nil {
		return err
	}
	for q, s := range stats {
		if _, err := tx.Stmt(d.addStats).Exec(q, s.n, s.bytes); err != nil {
			return err
		}
	}
	return nil
}

// readySQL counts up to ?3 messages of queue ?1 visible at ?2, and finds when the next
// becomes visible.
const readySQL = `SELECT
	(SELECT count(*) FROM (SELECT 1 FROM messages INDEXED BY messages_visible WHERE queue = ?1 AND visible_at <= ?2 LIMIT ?3)),
	(SELECT min(visible_at) FROM messages INDEXED BY messages_visible WHERE queue = ?1 AND visible_at > ?2)`

// backlogSQL reads queue ?1's message count and bytes from its running totals, and the
// send time of its oldest message.
const backlogSQL = `SELECT
	coalesce((SELECT messages FROM queue_stats WHERE queue = ?1), 0),
	coalesce((SELECT bytes FROM queue_stats WHERE queue = ?1), 0),
	(SELECT min(ts) FROM messages INDEXED BY messages_age WHERE queue = ?1)`

// insertSQL is an INSERT of n rows.
func insertSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO messages(queue, id, ts, content_type, body, attempts, visible_at) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
	}
	return b.String()
}

func (d *sqliteDriver) Lease(ctx context.Context, queue string, max int, now, until time.Time) ([]Leased, error) {
	token := newID()[:16]
	var out []Leased
	err := d.do(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.Stmt(d.lease).Query(token, until.UnixNano(), queue, now.UnixNano(), max)
		if err != nil {
			return err
		}
		defer rows.Close()
		type row struct {
			seq int64
			l   Leased
		}
		var got []row
		for rows.Next() {
			var r row
			var ts int64
			var ct string
			if err := rows.Scan(&r.seq, &r.l.ID, &ts, &ct, &r.l.Body, &r.l.Attempts); err != nil {
				return err
			}
			r.l.Timestamp = time.UnixMilli(ts)
			r.l.ContentType = ContentType(ct)
			r.l.VisibleAt = until
			r.l.LeaseID = strconv.FormatInt(r.seq, 10) + "." + token
			got = append(got, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// RETURNING gives no order; restore the queue's.
		slices.SortFunc(got, func(a, b row) int { return cmp.Compare(a.seq, b.seq) })
		for _, r := range got {
			out = append(out, r.l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (d *sqliteDriver) Settle(ctx context.Context, queue string, outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	seqs := make([]int64, len(outcomes))
	tokens := make([]string, len(outcomes))
	for i, o := range outcomes {
		seq, token, err := parseLease(o.LeaseID)
		if err != nil {
			return err
		}
		seqs[i], tokens[i] = seq, token
	}
	// Acks, the common outcome, are deleted by one statement.
	var acks []byte
	for i, o := range outcomes {
		if o.Action == Ack {
			if acks == nil {
				acks = append(acks, '[')
			} else {
				acks = append(acks, ',')
			}
			acks = strconv.AppendInt(acks, seqs[i], 10)
		}
	}
	return d.do(ctx, func(tx *sql.Tx) error {
		if acks != nil {
			if _, err := tx.Stmt(d.ackMany).Exec(queue, string(append(acks, ']'))); err != nil {
				return err
			}
		}
		for i, o := range outcomes {
			var err error
			switch o.Action {
			case Ack:
			case Retry:
				_, err = tx.Stmt(d.retry).Exec(o.VisibleAt.UnixNano(), seqs[i], queue)
			case Extend:
				_, err = tx.Stmt(d.extend).Exec(o.VisibleAt.UnixNano(), seqs[i], queue, tokens[i])
			case DeadLetter:
				var size int64
				err = tx.Stmt(d.move).QueryRow(o.To, o.VisibleAt.UnixNano(), seqs[i], queue).Scan(&size)
				if errors.Is(err, sql.ErrNoRows) {
					err = nil // already gone
					break
				}
				if err == nil {
					_, err = tx.Stmt(d.addStats).Exec(o.To, 1, size)
				}
				if err == nil {
					_, err = tx.Stmt(d.ack).Exec(seqs[i], queue)
				}
			default:
				err = fmt.Errorf("queues: unknown action %d", o.Action)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (d *sqliteDriver) Ready(ctx context.Context, queue string, now time.Time, max int) (int, time.Time, error) {
	if d.closed.Load() {
		return 0, time.Time{}, ErrClosed
	}
	var n int
	var next sql.NullInt64
	err := d.ready.QueryRowContext(ctx, queue, now.UnixNano(), max).Scan(&n, &next)
	if err != nil {
		return 0, time.Time{}, err
	}
	var at time.Time
	if next.Valid {
		at = time.Unix(0, next.Int64)
	}
	return n, at, nil
}

func (d *sqliteDriver) Stats(ctx context.Context, queue string, now time.Time) (Stats, error) {
	if d.closed.Load() {
		return Stats{}, ErrClosed
	}
	var s Stats
	var oldest sql.NullInt64
	var notReady, leased int
	err := d.db.Read.QueryRowContext(ctx, `SELECT
		coalesce((SELECT messages FROM queue_stats WHERE queue = ?1), 0),
		coalesce((SELECT bytes FROM queue_stats WHERE queue = ?1), 0),
		(SELECT min(ts) FROM messages INDEXED BY messages_age WHERE queue = ?1),
		(SELECT count(*) FROM messages INDEXED BY messages_visible WHERE queue = ?1 AND visible_at > ?2),
		(SELECT count(lease) FROM messages INDEXED BY messages_visible WHERE queue = ?1 AND visible_at > ?2)`,
		queue, now.UnixNano()).Scan(&s.Messages, &s.Bytes, &oldest, &notReady, &leased)
	if err != nil {
		return Stats{}, err
	}
	if oldest.Valid {
		s.Oldest = time.UnixMilli(oldest.Int64)
	}
	s.InFlight, s.Delayed = leased, notReady-leased
	return s, nil
}

// Backlog implements BacklogReader: two index lookups, whatever the depth.
func (d *sqliteDriver) Backlog(ctx context.Context, queue string) (Stats, error) {
	if d.closed.Load() {
		return Stats{}, ErrClosed
	}
	var s Stats
	var oldest sql.NullInt64
	err := d.backlog.QueryRowContext(ctx, queue).Scan(&s.Messages, &s.Bytes, &oldest)
	if err != nil {
		return Stats{}, err
	}
	if oldest.Valid {
		s.Oldest = time.UnixMilli(oldest.Int64)
	}
	return s, nil
}

func (d *sqliteDriver) Queues(ctx context.Context) ([]string, error) {
	if d.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := d.db.Read.QueryContext(ctx, `SELECT queue FROM queue_stats WHERE messages > 0 ORDER BY queue`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			return nil, err
		}
		names = append(names, q)
	}
	return names, rows.Err()
}

func (d *sqliteDriver) Purge(ctx context.Context, queue string, before time.Time) (int, error) {
	var n int64
	err := d.do(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if before.IsZero() {
			res, err = tx.Exec(`DELETE FROM messages WHERE queue = ?`, queue)
		} else {
			res, err = tx.Exec(`DELETE FROM messages INDEXED BY messages_age WHERE queue = ? AND ts < ?`, queue, before.UnixMilli())
		}
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

func (d *sqliteDriver) Close() error {
	d.sendMu.Lock()
	if d.closed.Swap(true) {
		d.sendMu.Unlock()
		return nil
	}
	close(d.sends)
	d.sendMu.Unlock()
	<-d.flushed
	d.gc.Close()
	var errs []error
	for _, st := range d.inserts {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, s := range []*sql.Stmt{d.addStats, d.lease, d.ack, d.ackMany, d.retry, d.extend, d.move, d.ready, d.backlog} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	errs = append(errs, d.db.Close())
	return errors.Join(errs...)
}
