package queues_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

// Benchmarks run on the SQLite driver over a file (the embedded default), with 64 concurrent
// senders as the runner would have under load. They report msgs/s.
//
//	go test ./queues -run '^$' -bench . -benchtime 20000x
//	QUEUES_BENCH_1M=1 go test ./queues -run '^$' -bench 1M -benchtime 20000x
const senders = 64

func openBenchDriver(b *testing.B) queues.Driver {
	d, err := queues.OpenSQLiteDriver(filepath.Join(b.TempDir(), "queues.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

func benchRecord(i int) queues.Record {
	now := time.Now()
	return queues.Record{ID: fmt.Sprintf("%032x", i), Timestamp: now, ContentType: queues.ContentJSON,
		Body: []byte(`{"n":1,"name":"a typical small job body"}`), VisibleAt: now}
}

// parallel runs fn(i) for i in [0, n) on senders goroutines.
func parallel(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// drain leases batches of 100 and acks them until n messages were consumed.
func drain(b *testing.B, d queues.Driver, n int) {
	ctx := context.Background()
	for done := 0; done < n; {
		now := time.Now()
		ls, err := d.Lease(ctx, "bench", 100, now, now.Add(time.Minute))
		if err != nil {
			b.Error(err)
			return
		}
		if len(ls) == 0 {
			time.Sleep(100 * time.Microsecond)
			continue
		}
		out := make([]queues.Outcome, len(ls))
		for i, l := range ls {
			out[i] = queues.Outcome{LeaseID: l.LeaseID, Action: queues.Ack}
		}
		if err := d.Settle(ctx, "bench", out); err != nil {
			b.Error(err)
			return
		}
		done += len(ls)
	}
}

// BenchmarkDriverSend: durable single-message sends from 64 goroutines (group commit).
func BenchmarkDriverSend(b *testing.B) {
	d := openBenchDriver(b)
	ctx := context.Background()
	b.ResetTimer()
	parallel(b.N, func(i int) {
		if err := d.Send(ctx, "bench", []queues.Record{benchRecord(i)}); err != nil {
			b.Error(err)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkDriverSendReceiveAck: 64 senders and one consumer leasing and acking batches of
// 100 at the same time; a message counts when it has been sent, received and acked.
func BenchmarkDriverSendReceiveAck(b *testing.B) {
	benchCycle(b, openBenchDriver(b))
}

func benchCycle(b *testing.B, d queues.Driver) {
	ctx := context.Background()
	b.ResetTimer()
	var wg sync.WaitGroup
	wg.Go(func() { drain(b, d, b.N) })
	parallel(b.N, func(i int) {
		if err := d.Send(ctx, "bench", []queues.Record{benchRecord(i)}); err != nil {
			b.Error(err)
		}
	})
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkEngineEndToEnd: Producer.Send from 64 goroutines through the Engine to a push
// consumer (max_batch_size 100, max_batch_timeout 1 s) that acknowledges everything. Use a
// -benchtime count that is a multiple of 100, or the last partial batch waits for its timeout.
func BenchmarkEngineEndToEnd(b *testing.B) {
	d := openBenchDriver(b)
	e, err := queues.NewEngine(d, queues.Options{Consumers: []queues.ConsumerConfig{{
		Queue: "bench", MaxBatchSize: 100, MaxBatchTimeout: new(time.Second),
	}}})
	if err != nil {
		b.Fatal(err)
	}
	var consumed atomic.Int64
	all := make(chan struct{})
	app := newApp()
	queues.Consume(app, "bench", func(batch *queues.Batch[Job], _ Env, _ *worker.Context) error {
		if consumed.Add(int64(len(batch.Messages))) == int64(b.N) {
			close(all)
		}
		return nil
	})
	if err := e.Start(Env{}, app.Registrations()); err != nil {
		b.Fatal(err)
	}
	defer e.Close(context.Background())
	p := queues.NewProducer[Job](e.Producer(queues.ProducerConfig{Queue: "bench"}))
	ctx := context.Background()
	b.ResetTimer()
	parallel(b.N, func(i int) {
		if err := p.Send(ctx, Job{N: i, Name: "a typical small job"}); err != nil {
			b.Error(err)
		}
	})
	<-all
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkDriver1MQueued: the send/receive/ack cycle with one million messages already
// waiting (ready) in the queue; the consumer takes the oldest first. Opt-in (QUEUES_BENCH_1M=1): filling the queue takes a while.
func BenchmarkDriver1MQueued(b *testing.B) {
	if os.Getenv("QUEUES_BENCH_1M") == "" {
		b.Skip("set QUEUES_BENCH_1M=1 to run")
	}
	d := openBenchDriver(b)
	ctx := context.Background()
	fill := time.Now()
	const total, chunk = 1_000_000, 1000
	for i := 0; i < total; i += chunk {
		recs := make([]queues.Record, chunk)
		for j := range recs {
			recs[j] = benchRecord(total + i + j)
		}
		if err := d.Send(ctx, "bench", recs); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("queued %d messages in %v", total, time.Since(fill))
	st, err := d.Stats(ctx, "bench", time.Now())
	if err != nil || st.Messages != total {
		b.Fatal(st, err)
	}
	benchCycle(b, d)
	start := time.Now()
	if _, err := d.Stats(ctx, "bench", time.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("Stats at %d queued: %v", total, time.Since(start))
	start = time.Now()
	if _, err := d.(queues.BacklogReader).Backlog(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Logf("Backlog at %d queued: %v", total, time.Since(start))
}

// Conformance items proven by the tests here (their names carry the IDs without the hyphen):
// Q-001 Q-002 Q-003 Q-004 Q-005 Q-006 Q-007 Q-008 Q-009 Q-010 Q-011 Q-012 Q-013 Q-014 Q-015
// Q-016 Q-017 Q-018 Q-019 Q-020 Q-021 Q-022 Q-023 Q-024 Q-025 Q-026 Q-027 Q-028 Q-029 Q-030
// Q-031 Q-032 Q-033 Q-034 Q-035 Q-036 Q-037 Q-038
