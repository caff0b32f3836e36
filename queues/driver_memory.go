package queues

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// NewMemoryDriver returns a Driver that keeps messages in process memory: a simple fake for
// tests and the reference the conformance suite (queuestest) checks other drivers against.
// Lease scans the queue, so it is meant for small queues; Open("") gives a fast in-memory
// store for running workers.
func NewMemoryDriver() Driver {
	return &memDriver{queues: map[string]map[int64]*memMessage{}}
}

type memMessage struct {
	Record
	seq   int64
	lease string
}

type memDriver struct {
	mu     sync.Mutex
	seq    int64
	leases int64
	closed bool
	queues map[string]map[int64]*memMessage
}

func (d *memDriver) check() error {
	if d.closed {
		return ErrClosed
	}
	return nil
}

func (d *memDriver) Send(ctx context.Context, queue string, recs []Record) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return err
	}
	q := d.queues[queue]
	if q == nil {
		q = map[int64]*memMessage{}
		d.queues[queue] = q
	}
	for _, r := range recs {
		d.seq++
		r.Body = slices.Clone(r.Body)
		q[d.seq] = &memMessage{Record: r, seq: d.seq}
	}
	return nil
}

// available returns queue's messages visible at now, oldest VisibleAt first.
func (d *memDriver) available(queue string, now time.Time) []*memMessage {
	var out []*memMessage
	for _, m := range d.queues[queue] {
		if !m.VisibleAt.After(now) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b *memMessage) int {
		if c := a.VisibleAt.Compare(b.VisibleAt); c != 0 {
			return c
		}
		return int(a.seq - b.seq)
	})
	return out
}

func (d *memDriver) Lease(ctx context.Context, queue string, max int, now, until time.Time) ([]Leased, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return nil, err
	}
	avail := d.available(queue, now)
	if len(avail) > max {
		avail = avail[:max]
	}
	// Hand them out in send order, as the SQLite driver does.
	slices.SortFunc(avail, func(a, b *memMessage) int { return int(a.seq - b.seq) })
	d.leases++
	token := strconv.FormatInt(d.leases, 36)
	out := make([]Leased, len(avail))
	for i, m := range avail {
		m.Attempts++
		m.VisibleAt = until
		m.lease = token
		r := m.Record
		r.Body = slices.Clone(r.Body)
		out[i] = Leased{Record: r, LeaseID: strconv.FormatInt(m.seq, 10) + "." + token}
	}
	return out, nil
}

func parseLease(id string) (seq int64, token string, err error) {
	s, token, ok := strings.Cut(id, ".")
	seq, perr := strconv.ParseInt(s, 10, 64)
	if !ok || perr != nil || token == "" {
		return 0, "", fmt.Errorf("%w: %q", ErrInvalidLease, id)
	}
	return seq, token, nil
}

func (d *memDriver) Settle(ctx context.Context, queue string, outcomes []Outcome) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return err
	}
	type parsed struct {
		seq   int64
		token string
	}
	ps := make([]parsed, len(outcomes))
	for i, o := range outcomes {
		seq, token, err := parseLease(o.LeaseID)
		if err != nil {
			return err
		}
		ps[i] = parsed{seq, token}
	}
	q := d.queues[queue]
	for i, o := range outcomes {
		m := q[ps[i].seq]
		if m == nil {
			continue
		}
		switch o.Action {
		case Ack:
			delete(q, m.seq)
		case Retry:
			m.VisibleAt, m.lease = o.VisibleAt, ""
		case Extend:
			if m.lease == ps[i].token {
				m.VisibleAt = o.VisibleAt
			}
		case DeadLetter:
			delete(q, m.seq)
			r := m.Record
			r.Attempts, r.VisibleAt = 0, o.VisibleAt
			dq := d.queues[o.To]
			if dq == nil {
				dq = map[int64]*memMessage{}
				d.queues[o.To] = dq
			}
			d.seq++
			dq[d.seq] = &memMessage{Record: r, seq: d.seq}
		default:
			return fmt.Errorf("queues: unknown action %d", o.Action)
		}
	}
	d.gc(queue)
	return nil
}

// gc forgets an empty queue so that Queues lists only queues holding messages.
func (d *memDriver) gc(queue string) {
	if len(d.queues[queue]) == 0 {
		delete(d.queues, queue)
	}
}

func (d *memDriver) Ready(ctx context.Context, queue string, now time.Time, max int) (int, time.Time, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return 0, time.Time{}, err
	}
	n := 0
	var next time.Time
	for _, m := range d.queues[queue] {
		if !m.VisibleAt.After(now) {
			n++
		} else if next.IsZero() || m.VisibleAt.Before(next) {
			next = m.VisibleAt
		}
	}
	return min(n, max), next, nil
}

func (d *memDriver) Stats(ctx context.Context, queue string, now time.Time) (Stats, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return Stats{}, err
	}
	var s Stats
	for _, m := range d.queues[queue] {
		s.Messages++
		s.Bytes += int64(len(m.Body))
		if s.Oldest.IsZero() || m.Timestamp.Before(s.Oldest) {
			s.Oldest = m.Timestamp
		}
		if m.VisibleAt.After(now) {
			if m.lease != "" {
				s.InFlight++
			} else {
				s.Delayed++
			}
		}
	}
	return s, nil
}

func (d *memDriver) Queues(ctx context.Context) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return nil, err
	}
	var names []string
	for q, msgs := range d.queues {
		if len(msgs) > 0 {
			names = append(names, q)
		}
	}
	slices.Sort(names)
	return names, nil
}

func (d *memDriver) Purge(ctx context.Context, queue string, before time.Time) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return 0, err
	}
	n := 0
	for seq, m := range d.queues[queue] {
		if before.IsZero() || m.Timestamp.Before(before) {
			delete(d.queues[queue], seq)
			n++
		}
	}
	d.gc(queue)
	return n, nil
}

func (d *memDriver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}
