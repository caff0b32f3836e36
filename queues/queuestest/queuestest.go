package queuestest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/flarego/flarego/queues"
)

// t0 is the suite's clock: drivers never read a clock, so the suite passes times explicitly.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Run runs the conformance suite against drivers made by newDriver, one fresh driver per
// test. The suite closes each driver.
func Run(t *testing.T, newDriver func(t testing.TB) queues.Driver) {
	tests := []struct {
		name string
		fn   func(t *testing.T, d queues.Driver)
	}{
		{"SendLeaseAck", testSendLeaseAck},
		{"LeaseHidesUntilDeadline", testLeaseHides},
		{"LeaseTakesOldestFirst", testLeaseOrder},
		{"DelayedMessage", testDelayed},
		{"Retry", testRetry},
		{"Extend", testExtend},
		{"DeadLetterKeepsMessage_Q022", testDeadLetter},
		{"LateAckAccepted_Q033", testLateAck},
		{"SettleMissingMessage", testSettleMissing},
		{"InvalidLease", testInvalidLease},
		{"Stats", testStats},
		{"Purge", testPurge},
		{"OddQueueNames_Q038", testOddNames},
		{"ConcurrentLeasesDisjoint", testConcurrentLeases},
		{"BatchSendAtomicVisible", testBatchSend},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t)
			t.Cleanup(func() { d.Close() })
			tc.fn(t, d)
		})
	}
}

func rec(i int, at time.Time) queues.Record {
	return queues.Record{
		ID:          fmt.Sprintf("%032x", i+1),
		Timestamp:   at.Truncate(time.Millisecond),
		ContentType: queues.ContentJSON,
		Body:        []byte(fmt.Sprintf(`{"n":%d}`, i)),
		VisibleAt:   at,
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func send(t *testing.T, d queues.Driver, q string, recs ...queues.Record) {
	t.Helper()
	must(t, d.Send(context.Background(), q, recs))
}

func lease(t *testing.T, d queues.Driver, q string, max int, now, until time.Time) []queues.Leased {
	t.Helper()
	got, err := d.Lease(context.Background(), q, max, now, until)
	must(t, err)
	return got
}

func settle(t *testing.T, d queues.Driver, q string, out ...queues.Outcome) {
	t.Helper()
	must(t, d.Settle(context.Background(), q, out))
}

func stats(t *testing.T, d queues.Driver, q string, now time.Time) queues.Stats {
	t.Helper()
	s, err := d.Stats(context.Background(), q, now)
	must(t, err)
	return s
}

func ids(ls []queues.Leased) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

func testSendLeaseAck(t *testing.T, d queues.Driver) {
	send(t, d, "q", rec(0, t0), rec(1, t0), rec(2, t0))
	got := lease(t, d, "q", 10, t0, t0.Add(time.Minute))
	if len(got) != 3 {
		t.Fatalf("leased %d messages, want 3", len(got))
	}
	for i, l := range got {
		want := rec(i, t0)
		if l.ID != want.ID || string(l.Body) != string(want.Body) || l.ContentType != want.ContentType ||
			!l.Timestamp.Equal(want.Timestamp) || l.Attempts != 1 || l.LeaseID == "" {
			t.Errorf("message %d = %+v, want %+v with Attempts 1 and a lease id", i, l, want)
		}
	}
	if n, _, err := d.Ready(context.Background(), "q", t0, 10); err != nil || n != 0 {
		t.Errorf("Ready after lease = %d, %v; want 0", n, err)
	}
	out := make([]queues.Outcome, len(got))
	for i, l := range got {
		out[i] = queues.Outcome{LeaseID: l.LeaseID, Action: queues.Ack}
	}
	settle(t, d, "q", out...)
	if s := stats(t, d, "q", t0); s != (queues.Stats{}) {
		t.Errorf("Stats after ack = %+v, want zero", s)
	}
	qs, err := d.Queues(context.Background())
	must(t, err)
	if len(qs) != 0 {
		t.Errorf("Queues after ack = %q, want none", qs)
	}
}

func testLeaseHides(t *testing.T, d queues.Driver) {
	send(t, d, "q", rec(0, t0))
	first := lease(t, d, "q", 10, t0, t0.Add(30*time.Second))
	if len(first) != 1 {
		t.Fatalf("leased %d, want 1", len(first))
	}
	if again := lease(t, d, "q", 10, t0.Add(10*time.Second), t0.Add(time.Minute)); len(again) != 0 {
		t.Fatalf("a leased message was leased again before its deadline: %v", ids(again))
	}
	n, next, err := d.Ready(context.Background(), "q", t0.Add(10*time.Second), 10)
	must(t, err)
	if n != 0 || !next.Equal(t0.Add(30*time.Second)) {
		t.Errorf("Ready = %d, next %v; want 0, next at the lease deadline %v", n, next, t0.Add(30*time.Second))
	}
	back := lease(t, d, "q", 10, t0.Add(30*time.Second), t0.Add(time.Minute))
	if len(back) != 1 || back[0].ID != first[0].ID || back[0].Attempts != 2 || back[0].LeaseID == first[0].LeaseID {
		t.Fatalf("after the deadline got %+v, want the same message with Attempts 2 and a new lease", back)
	}
}

func testLeaseOrder(t *testing.T, d queues.Driver) {
	// Sent in order 0..4, with message 3 visible earliest and message 0 latest.
	vis := []time.Duration{4, 2, 3, 0, 1}
	for i, v := range vis {
		r := rec(i, t0)
		r.VisibleAt = t0.Add(v * time.Second)
		send(t, d, "q", r)
	}
	got := lease(t, d, "q", 2, t0.Add(10*time.Second), t0.Add(time.Minute))
	want := map[string]bool{rec(3, t0).ID: true, rec(4, t0).ID: true}
	if len(got) != 2 || !want[got[0].ID] || !want[got[1].ID] {
		t.Fatalf("leased %v, want the two visible earliest (%v)", ids(got), want)
	}
	if got[0].ID != rec(3, t0).ID {
		t.Errorf("leased in order %v, want send order", ids(got))
	}
}

func testDelayed(t *testing.T, d queues.Driver) {
	r := rec(0, t0)
	r.VisibleAt = t0.Add(10 * time.Second)
	send(t, d, "q", r)
	if got := lease(t, d, "q", 10, t0, t0.Add(time.Minute)); len(got) != 0 {
		t.Fatalf("delayed message leased early: %v", ids(got))
	}
	n, next, err := d.Ready(context.Background(), "q", t0, 10)
	must(t, err)
	if n != 0 || !next.Equal(r.VisibleAt) {
		t.Errorf("Ready = %d, next %v; want 0, %v", n, next, r.VisibleAt)
	}
	if s := stats(t, d, "q", t0); s.Delayed != 1 || s.InFlight != 0 || s.Messages != 1 || s.Ready() != 0 {
		t.Errorf("Stats = %+v, want 1 delayed", s)
	}
	if got := lease(t, d, "q", 10, r.VisibleAt, r.VisibleAt.Add(time.Minute)); len(got) != 1 {
		t.Fatalf("delayed message not leased when due")
	}
}

func testRetry(t *testing.T, d queues.Driver) {
	send(t, d, "q", rec(0, t0))
	l := lease(t, d, "q", 1, t0, t0.Add(time.Minute))[0]
	settle(t, d, "q", queues.Outcome{LeaseID: l.LeaseID, Action: queues.Retry, VisibleAt: t0.Add(5 * time.Second)})
	if s := stats(t, d, "q", t0.Add(time.Second)); s.Delayed != 1 || s.InFlight != 0 {
		t.Errorf("Stats after a delayed retry = %+v, want 1 delayed, 0 in flight", s)
	}
	if got := lease(t, d, "q", 1, t0.Add(4*time.Second), t0.Add(time.Minute)); len(got) != 0 {
		t.Fatal("retried message leased before its delay")
	}
	got := lease(t, d, "q", 1, t0.Add(5*time.Second), t0.Add(time.Minute))
	if len(got) != 1 || got[0].Attempts != 2 {
		t.Fatalf("after the retry delay got %+v, want the message with Attempts 2", got)
	}
}

func testExtend(t *testing.T, d queues.Driver) {
	send(t, d, "q", rec(0, t0))
	l := lease(t, d, "q", 1, t0, t0.Add(10*time.Second))[0]
	settle(t, d, "q", queues.Outcome{LeaseID: l.LeaseID, Action: queues.Extend, VisibleAt: t0.Add(time.Minute)})
	if got := lease(t, d, "q", 1, t0.Add(30*time.Second), t0.Add(2*time.Minute)); len(got) != 0 {
		t.Fatal("extended lease did not hold")
	}
	// Once the lease ran out and another consumer took the message, the old lease cannot
	// extend it any more.
	l2 := lease(t, d, "q", 1, t0.Add(time.Minute), t0.Add(70*time.Second))
	if len(l2) != 1 {
		t.Fatal("message not leased after the extended deadline")
	}
	settle(t, d, "q", queues.Outcome{LeaseID: l.LeaseID, Action: queues.Extend, VisibleAt: t0.Add(time.Hour)})
	if got := lease(t, d, "q", 1, t0.Add(70*time.Second), t0.Add(2*time.Minute)); len(got) != 1 {
		t.Fatal("a stale lease extended a message leased by someone else")
	}
}

func testDeadLetter(t *testing.T, d queues.Driver) {
	r := rec(0, t0)
	r.ContentType = queues.ContentText
	r.Body = []byte("hello")
	send(t, d, "q", r)
	l := lease(t, d, "q", 1, t0, t0.Add(time.Minute))[0]
	settle(t, d, "q", queues.Outcome{LeaseID: l.LeaseID, Action: queues.DeadLetter, To: "dlq", VisibleAt: t0})
	if s := stats(t, d, "q", t0); s.Messages != 0 {
		t.Errorf("source queue still holds %d messages", s.Messages)
	}
	got := lease(t, d, "dlq", 10, t0, t0.Add(time.Minute))
	if len(got) != 1 {
		t.Fatalf("dead letter queue holds %d messages, want 1", len(got))
	}
	m := got[0]
	if m.ID != r.ID || !m.Timestamp.Equal(r.Timestamp) || m.ContentType != queues.ContentText || string(m.Body) != "hello" || m.Attempts != 1 {
		t.Errorf("moved message = %+v, want id, timestamp, content type and body kept, Attempts restarting at 1", m)
	}
}

func testLateAck(t *testing.T, d queues.Driver) {
	send(t, d, "q", rec(0, t0))
	old := lease(t, d, "q", 1, t0, t0.Add(time.Second))[0]
	lease(t, d, "q", 1, t0.Add(time.Second), t0.Add(time.Minute)) // lease ran out; taken again
	settle(t, d, "q", queues.Outcome{LeaseID: old.LeaseID, Action: queues.Ack})
	if s := stats(t, d, "q", t0.Add(2*time.Second)); s.Messages != 0 {
		t.Errorf("late ack not accepted: %d messages left", s.Messages)
	}
}

func testSettleMissing(t *testing.T, d queues.Driver) {
	send(t, d, "q", rec(0, t0))
	l := lease(t, d, "q", 1, t0, t0.Add(time.Minute))[0]
	settle(t, d, "q", queues.Outcome{LeaseID: l.LeaseID, Action: queues.Ack})
	for _, a := range []queues.Action{queues.Ack, queues.Retry, queues.Extend, queues.DeadLetter} {
		if err := d.Settle(context.Background(), "q", []queues.Outcome{{LeaseID: l.LeaseID, Action: a, To: "dlq", VisibleAt: t0}}); err != nil {
			t.Errorf("Settle(%v) of a message already acked = %v, want nil", a, err)
		}
	}
	if s := stats(t, d, "dlq", t0); s.Messages != 0 {
		t.Errorf("dead-lettering a missing message created %d messages", s.Messages)
	}
}

func testInvalidLease(t *testing.T, d queues.Driver) {
	err := d.Settle(context.Background(), "q", []queues.Outcome{{LeaseID: "not a lease", Action: queues.Ack}})
	if !errors.Is(err, queues.ErrInvalidLease) {
		t.Errorf("Settle with a malformed lease id = %v, want ErrInvalidLease", err)
	}
}

func testStats(t *testing.T, d queues.Driver) {
	for i := range 4 {
		r := rec(i, t0.Add(time.Duration(i)*time.Second))
		r.VisibleAt = t0
		send(t, d, "q", r)
	}
	delayed := rec(9, t0.Add(10*time.Second))
	delayed.VisibleAt = t0.Add(time.Hour)
	send(t, d, "q", delayed)
	lease(t, d, "q", 1, t0, t0.Add(time.Minute))
	s := stats(t, d, "q", t0)
	wantBytes := int64(0)
	for _, i := range []int{0, 1, 2, 3, 9} {
		wantBytes += int64(len(rec(i, t0).Body))
	}
	want := queues.Stats{Messages: 5, Bytes: wantBytes, Oldest: t0, InFlight: 1, Delayed: 1}
	if !s.Oldest.Equal(want.Oldest) || s.Messages != want.Messages || s.Bytes != want.Bytes ||
		s.InFlight != want.InFlight || s.Delayed != want.Delayed || s.Ready() != 3 {
		t.Errorf("Stats = %+v, want %+v (3 ready)", s, want)
	}
	// An expired lease counts as ready again.
	if s := stats(t, d, "q", t0.Add(2*time.Minute)); s.InFlight != 0 || s.Ready() != 4 {
		t.Errorf("Stats after the lease ran out = %+v, want 0 in flight, 4 ready", s)
	}
	if s := stats(t, d, "empty", t0); s != (queues.Stats{}) {
		t.Errorf("Stats of an unknown queue = %+v, want zero", s)
	}
	if b, ok := d.(queues.BacklogReader); ok {
		bs, err := b.Backlog(context.Background(), "q")
		must(t, err)
		if bs.Messages != 5 || bs.Bytes != wantBytes || !bs.Oldest.Equal(t0) {
			t.Errorf("Backlog = %+v, want the figures of Stats", bs)
		}
	}
}

func testPurge(t *testing.T, d queues.Driver) {
	for i := range 5 {
		send(t, d, "q", rec(i, t0.Add(time.Duration(i)*time.Minute)))
	}
	send(t, d, "other", rec(10, t0))
	n, err := d.Purge(context.Background(), "q", t0.Add(2*time.Minute))
	must(t, err)
	if n != 2 {
		t.Errorf("Purge(before) deleted %d, want 2", n)
	}
	lease(t, d, "q", 1, t0.Add(time.Hour), t0.Add(2*time.Hour)) // in flight messages are purged too
	n, err = d.Purge(context.Background(), "q", time.Time{})
	must(t, err)
	if n != 3 {
		t.Errorf("Purge(all) deleted %d, want 3", n)
	}
	if s := stats(t, d, "other", t0); s.Messages != 1 {
		t.Errorf("Purge touched another queue: %+v", s)
	}
	qs, err := d.Queues(context.Background())
	must(t, err)
	if len(qs) != 1 || qs[0] != "other" {
		t.Errorf("Queues = %q, want [other]", qs)
	}
}

func testOddNames(t *testing.T, d queues.Driver) {
	names := []string{"my queue", "a/b/c", "émoji 🚀", "q'; DROP TABLE messages; --", "%2F"}
	for i, q := range names {
		send(t, d, q, rec(i, t0))
	}
	for i, q := range names {
		got := lease(t, d, q, 10, t0, t0.Add(time.Minute))
		if len(got) != 1 || got[0].ID != rec(i, t0).ID {
			t.Errorf("queue %q leased %v, want its own message", q, ids(got))
		}
	}
	qs, err := d.Queues(context.Background())
	must(t, err)
	if len(qs) != len(names) {
		t.Errorf("Queues = %q, want %d names", qs, len(names))
	}
}

func testConcurrentLeases(t *testing.T, d queues.Driver) {
	const n = 200
	recs := make([]queues.Record, 0, n)
	for i := range n {
		recs = append(recs, rec(i, t0))
		if len(recs) == 50 {
			send(t, d, "q", recs...)
			recs = recs[:0]
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				got, err := d.Lease(context.Background(), "q", 7, t0, t0.Add(time.Hour))
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, l := range got {
					seen[l.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("leased %d distinct messages, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("message %s leased %d times under unexpired leases", id, c)
		}
	}
}

func testBatchSend(t *testing.T, d queues.Driver) {
	recs := []queues.Record{rec(0, t0), rec(1, t0), rec(2, t0)}
	send(t, d, "q", recs...)
	if s := stats(t, d, "q", t0); s.Messages != 3 {
		t.Errorf("after one Send of 3 records the queue holds %d", s.Messages)
	}
}

func testClosed(t *testing.T, d queues.Driver) {
	must(t, d.Close())
	if err := d.Send(context.Background(), "q", []queues.Record{rec(0, t0)}); !errors.Is(err, queues.ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
	if _, err := d.Lease(context.Background(), "q", 1, t0, t0); !errors.Is(err, queues.ErrClosed) {
		t.Errorf("Lease after Close = %v, want ErrClosed", err)
	}
}
