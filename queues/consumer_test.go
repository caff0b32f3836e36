package queues_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

func ok(rec *recorder) func(*queues.Batch[Job], Env, *worker.Context) error {
	return func(b *queues.Batch[Job], _ Env, _ *worker.Context) error { rec.add(b); return nil }
}

func TestConsumer_Q010_FullBatchAtOncePartialAtTimeout(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		rec := &recorder{}
		h := start(t, open(), queues.Options{Consumers: cfg("jobs", func(c *queues.ConsumerConfig) {
			c.MaxBatchSize = 4
			c.MaxBatchTimeout = new(3 * time.Second)
		})}, "jobs", ok(rec))
		defer h.close()
		t0 := time.Now()
		h.send(Job{N: 1}, Job{N: 2}, Job{N: 3}, Job{N: 4}, Job{N: 5})
		synctest.Wait()
		if got := rec.batchSizes(); !slices.Equal(got, []int{4}) {
			t.Fatalf("right after 5 sends, batches %v; want one full batch of 4 at once", got)
		}
		if at := rec.deliveries()[0].At; !at.Equal(t0) {
			t.Errorf("full batch delivered after %v, want at once", at.Sub(t0))
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := rec.batchSizes(); len(got) != 1 {
			t.Fatalf("partial batch delivered before its timeout: %v", got)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		got := rec.deliveries()
		if sizes := rec.batchSizes(); !slices.Equal(sizes, []int{4, 1}) {
			t.Fatalf("batches %v, want [4 1]", sizes)
		}
		if at := got[4].At.Sub(t0); at != 3*time.Second {
			t.Errorf("partial batch delivered after %v, want the 3 s max_batch_timeout", at)
		}
	})
}

func TestConsumer_Q010_ZeroTimeoutDeliversAtOnce(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		rec := &recorder{}
		h := start(t, open(), queues.Options{Consumers: cfg("jobs", func(c *queues.ConsumerConfig) {
			c.MaxBatchTimeout = new(time.Duration(0))
		})}, "jobs", ok(rec))
		defer h.close()
		h.send(Job{N: 1})
		synctest.Wait()
		if got := rec.batchSizes(); !slices.Equal(got, []int{1}) {
			t.Fatalf("batches %v, want [1] at once", got)
		}
	})
}

func TestConsumer_Q011_ProductionDefaults(t *testing.T) {
	synctestRun(t, func(t *testing.T) {
		rec := &recorder{}
		h := start(t, queues.NewMemoryDriver(), queues.Options{}, "jobs", ok(rec))
		defer h.close()
		info := depth(t, h.e, "jobs")
		c := info.Consumer
		if c == nil || c.Type != queues.PushConsumer || !c.Running || c.MaxBatchSize != 10 || c.MaxBatchTimeout != 5*time.Second ||
			c.MaxRetries != 3 || c.MaxConcurrency != 250 || c.RetryDelay != 0 {
			t.Fatalf("consumer settings %+v, want production defaults 10 / 5 s / 3 retries", c)
		}
		t0 := time.Now()
		for i := range 25 {
			h.send(Job{N: i})
		}
		time.Sleep(6 * time.Second)
		synctest.Wait()
		if got := rec.batchSizes(); !slices.Equal(got, []int{10, 10, 5}) {
			t.Errorf("batches %v, want [10 10 5]", got)
		}
		if last := rec.deliveries()[24].At.Sub(t0); last != 5*time.Second {
			t.Errorf("partial batch after %v, want 5 s", last)
		}
	})
}

func TestConsumer_Q012_NoEmptyBatches(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		var calls atomic.Int32
		h := start(t, open(), queues.Options{}, "jobs", func(*queues.Batch[Job], Env, *worker.Context) error {
			calls.Add(1)
			return nil
		})
		defer h.close()
		time.Sleep(time.Hour)
		synctest.Wait()
		if calls.Load() != 0 {
			t.Fatalf("consumer called %d times on an empty queue", calls.Load())
		}
	})
}

func TestConsumer_Q013_Q014_BatchAndMessageFields(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		var got *queues.Batch[Job]
		var meta queues.Metadata
		h := start(t, open(), queues.Options{}, "jobs", func(b *queues.Batch[Job], _ Env, _ *worker.Context) error {
			got, meta = b, b.Metadata()
			return nil
		})
		defer h.close()
		sent := time.Now().Truncate(time.Millisecond)
		h.send(Job{N: 1, Name: "a"}, Job{N: 2, Name: "b"})
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if got == nil {
			t.Fatal("no batch")
		}
		if got.Queue != "jobs" || len(got.Messages) != 2 {
			t.Fatalf("batch queue %q with %d messages", got.Queue, len(got.Messages))
		}
		m := meta.Metrics
		if m.BacklogCount != 2 || m.BacklogBytes == 0 || !m.OldestMessageTimestamp.Equal(sent) {
			t.Errorf("metadata.metrics = %+v", m)
		}
		hex := regexp.MustCompile(`^[0-9a-f]{32}$`)
		for i, msg := range got.Messages {
			if !hex.MatchString(msg.ID) || !msg.Timestamp.Equal(sent) || msg.Attempts != 1 ||
				msg.Body.N != i+1 || msg.ContentType != queues.ContentJSON {
				t.Errorf("message %d = %+v", i, msg)
			}
		}
		if got.Messages[0].ID == got.Messages[1].ID {
			t.Error("ids are not unique")
		}
	})
}

// runBatch sends n jobs, lets the consumer fn handle them once (and any redeliveries for
// the next wait), and returns everything the consumer saw.
func runBatch(t *testing.T, open func() queues.Driver, n int, wait time.Duration, consumer queues.ConsumerConfig,
	fn func(call int, b *queues.Batch[Job], ctx *worker.Context) error) (*harness, *recorder) {
	rec := &recorder{}
	var calls atomic.Int32
	if consumer.MaxBatchTimeout == nil {
		consumer.MaxBatchTimeout = new(time.Second)
	}
	consumer.Queue = "jobs"
	h := start(t, open(), queues.Options{Consumers: []queues.ConsumerConfig{consumer}}, "jobs",
		func(b *queues.Batch[Job], _ Env, ctx *worker.Context) error {
			rec.add(b)
			return fn(int(calls.Add(1)), b, ctx)
		})
	for i := range n {
		h.send(Job{N: i})
	}
	time.Sleep(wait)
	synctest.Wait()
	return h, rec
}

func attemptsByBody(rec *recorder) map[int][]int {
	out := map[int][]int{}
	for _, d := range rec.deliveries() {
		out[d.Body.N] = append(out[d.Body.N], d.Attempts)
	}
	return out
}

func TestConsumer_Q015_SuccessAcksAll(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 3, time.Minute, queues.ConsumerConfig{}, func(_ int, _ *queues.Batch[Job], ctx *worker.Context) error {
			ctx.WaitUntil(func(context.Context) error { time.Sleep(time.Second); return nil })
			return nil
		})
		defer h.close()
		if n := len(rec.deliveries()); n != 3 {
			t.Errorf("%d deliveries, want 3 (no redelivery)", n)
		}
		if d := depth(t, h.e, "jobs").Messages; d != 0 {
			t.Errorf("%d messages left", d)
		}
	})
}

func TestConsumer_Q016_FailureRetriesAllButAcked(t *testing.T) {
	for _, mode := range []string{"error", "panic", "waitUntil"} {
		t.Run(mode, func(t *testing.T) {
			eachDriver(t, func(t *testing.T, open func() queues.Driver) {
				h, rec := runBatch(t, open, 3, 30*time.Second, queues.ConsumerConfig{}, func(call int, b *queues.Batch[Job], ctx *worker.Context) error {
					if call > 1 {
						return nil
					}
					b.Messages[0].Ack()
					switch mode {
					case "panic":
						panic("boom")
					case "waitUntil":
						ctx.WaitUntil(func(context.Context) error { return errors.New("background failed") })
						return nil
					}
					return errors.New("boom")
				})
				defer h.close()
				got := attemptsByBody(rec)
				if !slices.Equal(got[0], []int{1}) || !slices.Equal(got[1], []int{1, 2}) || !slices.Equal(got[2], []int{1, 2}) {
					t.Errorf("attempts per message %v; want the acked one once, the others twice", got)
				}
				if !h.log.has("QUEUE jobs 1/3 (0ms)") {
					t.Errorf("log lines %q lack the 1/3 QUEUE line", h.log.all())
				}
			})
		})
	}
}

func TestConsumer_Q017_RetryOneMessage(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 3, 30*time.Second, queues.ConsumerConfig{}, func(call int, b *queues.Batch[Job], _ *worker.Context) error {
			if call == 1 {
				b.Messages[1].Retry()
			}
			return nil
		})
		defer h.close()
		got := attemptsByBody(rec)
		if !slices.Equal(got[0], []int{1}) || !slices.Equal(got[1], []int{1, 2}) || !slices.Equal(got[2], []int{1}) {
			t.Errorf("attempts %v; want only message 1 redelivered with attempts 2", got)
		}
	})
}

func TestConsumer_Q018_RetryAllOnSuccess(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 2, 30*time.Second, queues.ConsumerConfig{}, func(call int, b *queues.Batch[Job], _ *worker.Context) error {
			if call == 1 {
				b.RetryAll()
			}
			return nil
		})
		defer h.close()
		got := attemptsByBody(rec)
		if !slices.Equal(got[0], []int{1, 2}) || !slices.Equal(got[1], []int{1, 2}) {
			t.Errorf("attempts %v; want every message redelivered once", got)
		}
		if !h.log.has("QUEUE jobs 0/2 (0ms)") || !h.log.has("QUEUE jobs 2/2 (0ms)") {
			t.Errorf("log %q", h.log.all())
		}
	})
}

func TestConsumer_Q019_FirstCallWins(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 4, 30*time.Second, queues.ConsumerConfig{}, func(call int, b *queues.Batch[Job], _ *worker.Context) error {
			if call > 1 {
				return nil
			}
			b.Messages[0].Ack()
			b.Messages[0].Retry() // ignored: ack came first
			b.Messages[1].Retry()
			b.Messages[1].Ack() // ignored: retry came first
			b.Messages[2].Ack()
			b.RetryAll() // a per-message call beats a later batch call
			return nil
		})
		defer h.close()
		got := attemptsByBody(rec)
		if !slices.Equal(got[0], []int{1}) || !slices.Equal(got[1], []int{1, 2}) ||
			!slices.Equal(got[2], []int{1}) || !slices.Equal(got[3], []int{1, 2}) {
			t.Errorf("attempts %v", got)
		}
	})
}

func TestConsumer_Q020_LateCallsWarn(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		var id string
		h, rec := runBatch(t, open, 2, 30*time.Second, queues.ConsumerConfig{}, func(call int, b *queues.Batch[Job], _ *worker.Context) error {
			if call > 1 {
				return nil
			}
			id = b.Messages[0].ID
			b.AckAll()
			b.Messages[0].Retry() // no effect
			b.RetryAll()          // no effect
			b.Messages[1].Ack()   // silently redundant
			return nil
		})
		defer h.close()
		if n := len(rec.deliveries()); n != 2 {
			t.Errorf("%d deliveries; ackAll must win over later calls", n)
		}
		for _, w := range []string{
			fmt.Sprintf("Received a call to retry() on message %s after ackAll() was already called. Calling retry() on a message after calling ackAll() has no effect.", id),
			"Received a call to retryAll() after ackAll() was already called. Calling retryAll() after calling ackAll() has no effect.",
		} {
			if !h.log.has(w) {
				t.Errorf("missing warning %q in %q", w, h.log.all())
			}
		}
	})
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		var id string
		h, _ := runBatch(t, open, 1, 2*time.Second, queues.ConsumerConfig{}, func(call int, b *queues.Batch[Job], _ *worker.Context) error {
			if call == 1 {
				id = b.Messages[0].ID
				b.RetryAll()
				b.Messages[0].Ack()
				b.AckAll()
			}
			return nil
		})
		defer h.close()
		for _, w := range []string{
			fmt.Sprintf("Received a call to ack() on message %s after retryAll() was already called. Calling ack() on a message after calling retryAll() has no effect.", id),
			"Received a call to ackAll() after retryAll() was already called. Calling ackAll() after calling retryAll() has no effect.",
		} {
			if !h.log.has(w) {
				t.Errorf("missing warning %q in %q", w, h.log.all())
			}
		}
	})
}

func TestConsumer_Q021_MaxRetriesThenDrop(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		var id string
		h, rec := runBatch(t, open, 1, 5*time.Minute, queues.ConsumerConfig{}, func(_ int, b *queues.Batch[Job], _ *worker.Context) error {
			id = b.Messages[0].ID
			return errors.New("always fails")
		})
		defer h.close()
		if got := attemptsByBody(rec)[0]; !slices.Equal(got, []int{1, 2, 3, 4}) {
			t.Errorf("attempts %v, want 4 deliveries (max_retries 3 + 1)", got)
		}
		want := fmt.Sprintf(`Dropped message "%s" on queue "jobs" after 4 failed attempts!`, id)
		if !h.log.has(want) {
			t.Errorf("missing %q in %q", want, h.log.all())
		}
		if d := depth(t, h.e, "jobs").Messages; d != 0 {
			t.Errorf("%d messages left after the drop", d)
		}
	})
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 1, 5*time.Minute, queues.ConsumerConfig{MaxRetries: new(0)}, func(int, *queues.Batch[Job], *worker.Context) error {
			return errors.New("fails")
		})
		defer h.close()
		if got := attemptsByBody(rec)[0]; !slices.Equal(got, []int{1}) {
			t.Errorf("max_retries 0: attempts %v, want one delivery", got)
		}
		if len(h.log.withPrefix(`Dropped message "`)) != 1 || !regexp.MustCompile(`after 1 failed attempt!$`).MatchString(h.log.withPrefix(`Dropped`)[0]) {
			t.Errorf("log %q", h.log.all())
		}
	})
}

func TestConsumer_Q022_DeadLetterQueue(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		d := open()
		lr := &logRecorder{}
		e, err := queues.NewEngine(d, queues.Options{Logger: lr.logger(), Consumers: []queues.ConsumerConfig{
			{Queue: "jobs", MaxRetries: new(1), DeadLetterQueue: "jobs-dlq", MaxBatchTimeout: new(time.Second)},
			{Queue: "jobs-dlq", MaxBatchTimeout: new(time.Second)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		app := newApp()
		var first []*queues.Message[Job]
		var mu sync.Mutex
		queues.Consume(app, "jobs", func(b *queues.Batch[Job], _ Env, _ *worker.Context) error {
			mu.Lock()
			if first == nil {
				first = b.Messages
			}
			mu.Unlock()
			return errors.New("fails")
		})
		dead := &recorder{}
		var deadMsgs []*queues.Message[Job]
		queues.Consume(app, "jobs-dlq", func(b *queues.Batch[Job], _ Env, _ *worker.Context) error {
			dead.add(b)
			mu.Lock()
			deadMsgs = append(deadMsgs, b.Messages...)
			mu.Unlock()
			return nil
		})
		if err := e.Start(Env{}, app.Registrations()); err != nil {
			t.Fatal(err)
		}
		p := queues.NewProducer[Job](e.Producer(queues.ProducerConfig{Queue: "jobs"}))
		if err := p.Send(context.Background(), Job{N: 9, Name: "dead"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if len(deadMsgs) != 1 {
			t.Fatalf("dead letter consumer got %d messages, want 1", len(deadMsgs))
		}
		orig, moved := first[0], deadMsgs[0]
		if moved.ID != orig.ID || !moved.Timestamp.Equal(orig.Timestamp) || moved.Body != orig.Body ||
			moved.ContentType != orig.ContentType || moved.Attempts != 1 {
			t.Errorf("moved message %+v, original %+v", moved, orig)
		}
		want := fmt.Sprintf(`Moving message "%s" on queue "jobs" to dead letter queue "jobs-dlq" after 2 failed attempts...`, orig.ID)
		if !lr.has(want) {
			t.Errorf("missing %q in %q", want, lr.all())
		}
	})
}

func TestConsumer_Q023_RetryDelayPrecedence(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 3, 2*time.Minute, queues.ConsumerConfig{RetryDelay: 40 * time.Second, MaxBatchSize: 3},
			func(call int, b *queues.Batch[Job], _ *worker.Context) error {
				if call > 1 {
					return nil
				}
				b.Messages[0].Retry(queues.Delay(10 * time.Second)) // message level
				b.Messages[1].Retry()                               // falls back to retryAll's delay
				b.RetryAll(queues.Delay(20 * time.Second))          // batch level (message 2)
				return nil
			})
		defer h.close()
		first := map[int]time.Time{}
		again := map[int]time.Duration{}
		for _, d := range rec.deliveries() {
			if d.Attempts == 1 {
				first[d.Body.N] = d.At
			} else {
				again[d.Body.N] = d.At.Sub(first[d.Body.N])
			}
		}
		// Redelivery is the delay plus the 1 s batch timeout.
		want := map[int]time.Duration{0: 11 * time.Second, 1: 21 * time.Second, 2: 21 * time.Second}
		for n, w := range want {
			if again[n] != w {
				t.Errorf("message %d redelivered after %v, want %v", n, again[n], w)
			}
		}
	})
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 1, 2*time.Minute, queues.ConsumerConfig{RetryDelay: 40 * time.Second},
			func(call int, b *queues.Batch[Job], _ *worker.Context) error {
				if call == 1 {
					return errors.New("fail: consumer retry_delay applies")
				}
				return nil
			})
		defer h.close()
		got := rec.deliveries()
		if len(got) != 2 || got[1].At.Sub(got[0].At) != 41*time.Second {
			t.Errorf("deliveries %+v; want a redelivery 40 s (+1 s batch timeout) later", got)
		}
	})
}

func TestConsumer_Q024_MaxConcurrency(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		var running, peak atomic.Int32
		h, rec := runBatch(t, open, 10, 5*time.Minute, queues.ConsumerConfig{MaxBatchSize: 1, MaxConcurrency: 3},
			func(_ int, _ *queues.Batch[Job], _ *worker.Context) error {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(10 * time.Second)
				running.Add(-1)
				return nil
			})
		defer h.close()
		if len(rec.deliveries()) != 10 || peak.Load() != 3 {
			t.Errorf("%d deliveries, peak concurrency %d; want 10 and 3", len(rec.deliveries()), peak.Load())
		}
	})
}

func TestConsumer_Q025_AllDeliveredBestEffortOrder(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 50, time.Minute, queues.ConsumerConfig{MaxConcurrency: 1}, func(int, *queues.Batch[Job], *worker.Context) error { return nil })
		defer h.close()
		var order []int
		for _, d := range rec.deliveries() {
			order = append(order, d.Body.N)
		}
		// Ordering is best-effort on the platform; locally one consumer sees send order.
		if len(order) != 50 || !slices.IsSorted(order) {
			t.Errorf("delivered %v", order)
		}
	})
}

func TestConsumer_Q026_WallTimeLimit(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		rec := &recorder{}
		release := make(chan struct{})
		var calls atomic.Int32
		h := start(t, open(), queues.Options{Limits: worker.Limits{Wall: time.Minute}, Consumers: cfg("jobs", func(c *queues.ConsumerConfig) {
			c.MaxBatchTimeout = new(time.Second)
		})}, "jobs", func(b *queues.Batch[Job], _ Env, ctx *worker.Context) error {
			rec.add(b)
			if calls.Add(1) == 1 {
				<-release // ignores its context: abandoned at the wall limit
			}
			return nil
		})
		defer h.close()
		defer close(release)
		h.send(Job{N: 1})
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		got := rec.deliveries()
		if len(got) != 2 || got[1].Attempts != 2 || got[1].At.Sub(got[0].At) != time.Minute+time.Second {
			t.Errorf("deliveries %+v; want a retry once the 1 min wall limit passed", got)
		}
	})
}

func TestConsumer_Q027_Retention(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h := start(t, open(), queues.Options{Retention: time.Hour}, "jobs", nil)
		defer h.close()
		orphan := h.producer("orphan")
		if err := orphan.Send(context.Background(), Job{}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(59 * time.Minute)
		if depth(t, h.e, "orphan").Messages != 1 {
			t.Fatal("message deleted before the retention period")
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if d := depth(t, h.e, "orphan").Messages; d != 0 {
			t.Errorf("%d messages kept past the retention period", d)
		}
	})
	if _, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{Retention: 15 * 24 * time.Hour}); !errors.Is(err, queues.ErrInvalidConfig) {
		t.Errorf("15 days retention accepted: %v", err)
	}
}

func TestConsumer_Q028_ContentTypesRoundTrip(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		e, err := queues.NewEngine(open(), queues.Options{Consumers: cfg("any", func(c *queues.ConsumerConfig) { c.MaxBatchTimeout = new(time.Duration(0)) })})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		app := newApp()
		var mu sync.Mutex
		got := map[queues.ContentType]any{}
		queues.Consume(app, "any", func(b *queues.Batch[any], _ Env, _ *worker.Context) error {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range b.Messages {
				got[m.ContentType] = m.Body
			}
			return nil
		})
		if err := e.Start(Env{}, app.Registrations()); err != nil {
			t.Fatal(err)
		}
		p := queues.NewProducer[any](e.Producer(queues.ProducerConfig{Queue: "any"}))
		ctx := context.Background()
		for _, s := range []struct {
			body any
			ct   queues.ContentType
		}{{map[string]any{"a": 1.0}, queues.ContentJSON}, {"txt", queues.ContentText}, {[]byte{0, 1, 2}, queues.ContentBytes}, {[]any{"x", true}, queues.ContentV8}} {
			if err := p.Send(ctx, s.body, s.ct); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Second)
		synctest.Wait()
		want := map[queues.ContentType]any{
			queues.ContentJSON: map[string]any{"a": 1.0}, queues.ContentText: "txt",
			queues.ContentBytes: []byte{0, 1, 2}, queues.ContentV8: []any{"x", true},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("decoded %#v, want %#v", got, want)
		}
	})
}

func TestConsumer_UndecodableBodyIsRetried(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		rec := &recorder{}
		h := start(t, open(), queues.Options{Consumers: cfg("jobs", func(c *queues.ConsumerConfig) {
			c.MaxRetries = new(0)
			c.MaxBatchTimeout = new(time.Duration(0))
		})}, "jobs", ok(rec))
		defer h.close()
		if err := queues.NewProducer[string](h.e.Producer(queues.ProducerConfig{Queue: "jobs"})).Send(context.Background(), "not a job", queues.ContentText); err != nil {
			t.Fatal(err)
		}
		h.send(Job{N: 1})
		time.Sleep(time.Second)
		synctest.Wait()
		if got := rec.deliveries(); len(got) != 1 || got[0].Body.N != 1 {
			t.Errorf("deliveries %+v; want only the decodable job", got)
		}
		if len(h.log.withPrefix("Dropped message")) != 1 {
			t.Errorf("undecodable message not dropped after its attempts: %q", h.log.all())
		}
	})
}

func TestConsumer_Q037_LogLine(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, _ := runBatch(t, open, 3, 10*time.Second, queues.ConsumerConfig{}, func(call int, b *queues.Batch[Job], _ *worker.Context) error {
			time.Sleep(1234 * time.Millisecond)
			if call == 1 {
				b.Messages[2].Retry()
			}
			return nil
		})
		defer h.close()
		if !h.log.has("QUEUE jobs 2/3 (1234ms)") || !h.log.has("QUEUE jobs 1/1 (1234ms)") {
			t.Errorf("log %q", h.log.all())
		}
	})
}

func TestConsumer_Q038_OddQueueNames(t *testing.T) {
	for _, name := range []string{"my queue", "a/b", "ümlaut & ?x=1"} {
		t.Run(name, func(t *testing.T) {
			eachDriver(t, func(t *testing.T, open func() queues.Driver) {
				rec := &recorder{}
				h := start(t, open(), queues.Options{}, name, ok(rec))
				defer h.close()
				h.send(Job{N: 5})
				time.Sleep(5 * time.Second)
				synctest.Wait()
				if got := rec.deliveries(); len(got) != 1 || got[0].Body.N != 5 {
					t.Errorf("queue %q delivered %+v", name, got)
				}
				if !h.log.has(fmt.Sprintf("QUEUE %s 1/1 (0ms)", name)) {
					t.Errorf("log %q", h.log.all())
				}
			})
		})
	}
}

func TestConsumer_CrashedLeaseComesBack(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		d := open()
		ctx := context.Background()
		// Another process leased the message and died: nothing settles its lease.
		rec0 := queues.Record{ID: fmt.Sprintf("%032x", 1), Timestamp: time.Now(), ContentType: queues.ContentJSON, Body: []byte(`{"n":3}`), VisibleAt: time.Now()}
		if err := d.Send(ctx, "jobs", []queues.Record{rec0}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Lease(ctx, "jobs", 10, time.Now(), time.Now().Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		h := start(t, d, queues.Options{}, "jobs", ok(rec))
		defer h.close()
		time.Sleep(29 * time.Second)
		synctest.Wait()
		if len(rec.deliveries()) != 0 {
			t.Fatal("a leased message was delivered before its lease ran out")
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		got := rec.deliveries()
		if len(got) != 1 || got[0].Attempts != 2 || got[0].Body.N != 3 {
			t.Errorf("deliveries %+v; want the message back with attempts 2", got)
		}
	})
}

func TestConsumer_LongHandlerKeepsLease(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		h, rec := runBatch(t, open, 1, 10*time.Minute, queues.ConsumerConfig{}, func(int, *queues.Batch[Job], *worker.Context) error {
			time.Sleep(5 * time.Minute) // ten lease periods: renewed all along
			return nil
		})
		defer h.close()
		if n := len(rec.deliveries()); n != 1 {
			t.Errorf("%d deliveries; a running batch's lease must not run out", n)
		}
	})
}

func TestConsumer_InvalidConfig(t *testing.T) {
	bad := []queues.ConsumerConfig{
		{Queue: "q", MaxBatchSize: 101},
		{Queue: "q", MaxBatchTimeout: new(61 * time.Second)},
		{Queue: "q", MaxRetries: new(101)},
		{Queue: "q", MaxConcurrency: 251},
		{Queue: "q", Type: "kafka"},
		{Queue: "q", RetryDelay: 13 * time.Hour},
		{Queue: "q", DeadLetterQueue: "q"},
	}
	for _, c := range bad {
		if _, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{Consumers: []queues.ConsumerConfig{c}}); !errors.Is(err, queues.ErrInvalidConfig) {
			t.Errorf("config %+v accepted: %v", c, err)
		}
	}
}

func TestConsumer_Q034_PushOnPullQueueRefused(t *testing.T) {
	e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{Consumers: []queues.ConsumerConfig{{Queue: "jobs", Type: queues.PullConsumer}}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	app := newApp()
	queues.Consume(app, "jobs", func(*queues.Batch[Job], Env, *worker.Context) error { return nil })
	if err := e.Start(Env{}, app.Registrations()); !errors.Is(err, queues.ErrConsumerType) {
		t.Errorf("Start = %v, want ErrConsumerType", err)
	}
}

func TestConsume_PanicsOnDuplicate(t *testing.T) {
	app := newApp()
	queues.Consume(app, "jobs", func(*queues.Batch[Job], Env, *worker.Context) error { return nil })
	defer func() {
		if recover() == nil {
			t.Error("second consumer for one queue did not panic")
		}
	}()
	queues.Consume(app, "jobs", func(*queues.Batch[Job], Env, *worker.Context) error { return nil })
}

// W-023: a queue whose consumer is configured but has no handler fails its deliveries with
// the platform's text; the message is retried and then dropped.
func TestConsumer_W023_NoHandlerFailsDeliveries(t *testing.T) {
	eachDriver(t, func(t *testing.T, open func() queues.Driver) {
		lr := &logRecorder{}
		e, err := queues.NewEngine(open(), queues.Options{Logger: lr.logger(), Consumers: []queues.ConsumerConfig{
			{Queue: "jobs", MaxRetries: new(1), MaxBatchTimeout: new(time.Second)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		if err := e.Start(Env{}, newApp().Registrations()); err != nil {
			t.Fatal(err)
		}
		p := queues.NewProducer[Job](e.Producer(queues.ProducerConfig{Queue: "jobs"}))
		if err := p.Send(context.Background(), Job{N: 1}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		failures := 0
		for _, l := range lr.errors() {
			if l == "Handler does not export a queue() function." {
				failures++
			}
		}
		if failures != 2 {
			t.Errorf("%d failed deliveries logged, want 2 (the first and one retry): %q", failures, lr.errors())
		}
		info, err := e.Info(context.Background(), "jobs")
		if err != nil {
			t.Fatal(err)
		}
		if info.Messages != 0 {
			t.Errorf("%d messages left after the retries, want 0", info.Messages)
		}
	})
}
