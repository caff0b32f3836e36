package queues_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

func newEngine(t *testing.T, opts queues.Options) *queues.Engine {
	t.Helper()
	e, err := queues.NewEngine(queues.NewMemoryDriver(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

func producerOf[T any](e *queues.Engine, queue string) *queues.Producer[T] {
	return queues.NewProducer[T](e.Producer(queues.ProducerConfig{Queue: queue}))
}

func wantErr(t *testing.T, err error, sentinel error, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want %q", text)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %v does not wrap %v", err, sentinel)
	}
	if err.Error() != text {
		t.Errorf("error text\n got %q\nwant %q", err.Error(), text)
	}
}

func depth(t *testing.T, e *queues.Engine, q string) queues.QueueInfo {
	t.Helper()
	info, err := e.Info(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestSend_Q001_StoredBeforeReturn(t *testing.T) {
	e := newEngine(t, queues.Options{})
	p := producerOf[Job](e, "jobs")
	if err := p.Send(context.Background(), Job{N: 1}); err != nil {
		t.Fatal(err)
	}
	if got := depth(t, e, "jobs").Messages; got != 1 {
		t.Fatalf("depth after Send = %d, want 1", got)
	}
}

func TestSend_Q002_UndefinedBody(t *testing.T) {
	e := newEngine(t, queues.Options{})
	p := producerOf[any](e, "jobs")
	wantErr(t, p.Send(context.Background(), nil), queues.ErrInvalidMessage, "Message body cannot be undefined")
	err := p.SendBatch(context.Background(), []queues.BatchMessage[any]{{Body: 1}, {Body: nil}})
	wantErr(t, err, queues.ErrInvalidMessage, "Message body cannot be undefined")
	// null is a value: a nil pointer is sent as JSON null.
	if err := queues.NewProducer[*Job](e.Producer(queues.ProducerConfig{Queue: "jobs"})).Send(context.Background(), nil); err != nil {
		t.Errorf("Send(nil pointer) = %v, want nil (JSON null)", err)
	}
}

func TestSend_Q003_ContentTypes(t *testing.T) {
	e := newEngine(t, queues.Options{})
	p := producerOf[any](e, "jobs")
	for _, ct := range []queues.ContentType{"", queues.ContentJSON, queues.ContentText, "TEXT", queues.ContentBytes, queues.ContentV8} {
		body := any("hello")
		if strings.EqualFold(string(ct), "bytes") {
			body = []byte("hello")
		}
		if err := p.Send(context.Background(), body, ct); err != nil {
			t.Errorf("Send with content type %q: %v", ct, err)
		}
	}
	wantErr(t, p.Send(context.Background(), "x", queues.ContentType("xml")), queues.ErrInvalidMessage,
		"Unsupported queue message content type: xml")
	err := p.SendBatch(context.Background(), []queues.BatchMessage[any]{{Body: "x", ContentType: "yaml"}})
	wantErr(t, err, queues.ErrInvalidMessage, "Unsupported queue message content type: yaml")
}

func TestSend_Q004_ContentTypeMismatch(t *testing.T) {
	e := newEngine(t, queues.Options{})
	p := producerOf[any](e, "jobs")
	wantErr(t, p.Send(context.Background(), 42, queues.ContentText), queues.ErrInvalidMessage,
		`Content Type "text" requires a value of type string, but received: number`)
	wantErr(t, p.Send(context.Background(), Job{}, queues.ContentText), queues.ErrInvalidMessage,
		`Content Type "text" requires a value of type string, but received: object`)
	wantErr(t, p.Send(context.Background(), "str", queues.ContentBytes), queues.ErrInvalidMessage,
		`Content Type "bytes" requires a value of type ArrayBufferView, but received: string`)
	wantErr(t, p.Send(context.Background(), true, queues.ContentBytes), queues.ErrInvalidMessage,
		`Content Type "bytes" requires a value of type ArrayBufferView, but received: boolean`)
}

func TestSend_Q005_MessageSize(t *testing.T) {
	e := newEngine(t, queues.Options{})
	p := producerOf[string](e, "jobs")
	if err := p.Send(context.Background(), strings.Repeat("a", 128000), queues.ContentText); err != nil {
		t.Errorf("a 128,000-byte message: %v", err)
	}
	wantErr(t, p.Send(context.Background(), strings.Repeat("a", 128001), queues.ContentText), queues.ErrTooLarge,
		"Queue send failed: message length of 128001 bytes exceeds limit of 128000")
	err := p.SendBatch(context.Background(), []queues.BatchMessage[string]{{Body: strings.Repeat("a", 128001), ContentType: queues.ContentText}})
	wantErr(t, err, queues.ErrTooLarge,
		"Queue sendBatch failed: message in batch has length 128001 bytes which exceeds single message size limit of 128000")
	if got := depth(t, e, "jobs").Messages; got != 1 {
		t.Errorf("depth = %d, want 1: refused messages must not be stored", got)
	}
}

func TestSendBatch_Q006_Limits(t *testing.T) {
	e := newEngine(t, queues.Options{})
	p := producerOf[string](e, "jobs")
	wantErr(t, p.SendBatch(context.Background(), nil), queues.ErrInvalidMessage, "sendBatch() requires at least one message")

	msgs := make([]queues.BatchMessage[string], 101)
	for i := range msgs {
		msgs[i].Body = "x"
	}
	wantErr(t, p.SendBatch(context.Background(), msgs), queues.ErrTooLarge,
		"Queue sendBatch failed: batch message count of 101 exceeds limit of 100")

	big := []queues.BatchMessage[string]{}
	for range 3 {
		big = append(big, queues.BatchMessage[string]{Body: strings.Repeat("b", 100000), ContentType: queues.ContentText})
	}
	wantErr(t, p.SendBatch(context.Background(), big), queues.ErrTooLarge,
		"Queue sendBatch failed: batch size of 300000 bytes exceeds limit of 256000")

	if err := p.SendBatch(context.Background(), msgs[:100]); err != nil {
		t.Fatalf("a batch of 100: %v", err)
	}
	if got := depth(t, e, "jobs").Messages; got != 100 {
		t.Errorf("depth = %d, want 100", got)
	}
}

func TestSendBatch_Q007_DelayPrecedence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		p := queues.NewProducer[Job](e.Producer(queues.ProducerConfig{Queue: "jobs", DeliveryDelay: 30 * time.Second}))
		ctx := context.Background()
		// producer delay 30 s; batch delay 20 s; per-message 10 s and 0.
		if err := p.SendBatch(ctx, []queues.BatchMessage[Job]{
			{Body: Job{N: 1}},
			{Body: Job{N: 2}, Delay: new(10 * time.Second)},
			{Body: Job{N: 3}, Delay: new(time.Duration(0))},
		}, queues.Delay(20*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := p.Send(ctx, Job{N: 4}); err != nil { // producer's delivery_delay
			t.Fatal(err)
		}
		want := []struct {
			after time.Duration
			ready int
		}{{0, 1}, {10 * time.Second, 2}, {20 * time.Second, 3}, {30 * time.Second, 4}}
		start := time.Now()
		for _, w := range want {
			time.Sleep(start.Add(w.after).Sub(time.Now()))
			if got := depth(t, e, "jobs").Ready; got != w.ready {
				t.Errorf("after %v: %d ready, want %d", w.after, got, w.ready)
			}
		}
	})
}

func TestSend_Q008_DelayBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		p := queues.NewProducer[Job](e.Producer(queues.ProducerConfig{Queue: "jobs", DeliveryDelay: time.Minute}))
		ctx := context.Background()
		if err := p.Send(ctx, Job{}, queues.Delay(12*time.Hour)); err != nil {
			t.Errorf("a 12 h delay: %v", err)
		}
		for _, d := range []time.Duration{12*time.Hour + time.Second, -time.Second, 1500 * time.Millisecond} {
			err := p.Send(ctx, Job{}, queues.Delay(d))
			if !errors.Is(err, queues.ErrInvalidMessage) {
				t.Errorf("Delay(%v) = %v, want ErrInvalidMessage", d, err)
			}
		}
		// Delay(0) skips the producer's delivery_delay.
		if err := p.Send(ctx, Job{}, queues.Delay(0)); err != nil {
			t.Fatal(err)
		}
		if got := depth(t, e, "jobs"); got.Ready != 1 || got.Delayed != 1 {
			t.Errorf("Ready %d, Delayed %d; want 1 and 1", got.Ready, got.Delayed)
		}
	})
}

func TestSend_Q009_RateAndStorageLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{RateLimit: 3, MaxBacklogBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		p := producerOf[string](e, "jobs")
		ctx := context.Background()
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) // start of a second
		for i := range 3 {
			if err := p.Send(ctx, "x"); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		wantErr(t, p.Send(ctx, "x"), queues.ErrRateLimited, "Queue send failed: Too Many Requests")
		wantErr(t, p.SendBatch(ctx, []queues.BatchMessage[string]{{Body: "x"}}), queues.ErrRateLimited, "Queue sendBatch failed: Too Many Requests")
		time.Sleep(time.Second)
		if err := p.Send(ctx, "x"); err != nil {
			t.Errorf("next second: %v", err)
		}

		big := newEngine(t, queues.Options{MaxBacklogBytes: 200_000})
		bp := producerOf[string](big, "jobs")
		if err := bp.Send(ctx, strings.Repeat("a", 120_000), queues.ContentText); err != nil {
			t.Fatal(err)
		}
		if err := bp.Send(ctx, strings.Repeat("a", 120_000), queues.ContentText); err != nil {
			t.Fatal(err)
		}
		wantErr(t, bp.Send(ctx, "x"), queues.ErrStorageLimit, "Queue send failed: Storage Limit Exceeded")
	})
}

func TestSend_Q029_Metrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		p := producerOf[string](e, "jobs")
		first := time.Now().Truncate(time.Millisecond)
		var m queues.Metrics
		if err := p.Send(context.Background(), "abc", queues.ContentText, queues.WithMetrics(&m)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if err := p.SendBatch(context.Background(), []queues.BatchMessage[string]{{Body: "de"}}, queues.ContentText, queues.WithMetrics(&m)); err != nil {
			t.Fatal(err)
		}
		if m.BacklogCount != 2 || m.BacklogBytes != 5 || !m.OldestMessageTimestamp.Equal(first) {
			t.Errorf("metrics = %+v, want 2 messages, 5 bytes, oldest %v", m, first)
		}
	})
}

func TestSend_Q036_NoConsumer(t *testing.T) {
	e := newEngine(t, queues.Options{})
	p := producerOf[Job](e, "nobody-consumes")
	if err := p.Send(context.Background(), Job{N: 1}); err != nil {
		t.Fatalf("Send to a queue without a consumer = %v, want nil", err)
	}
	if got := depth(t, e, "nobody-consumes").Messages; got != 1 {
		t.Errorf("the message was not kept for a later consumer: depth %d", got)
	}
}

func TestSend_CountsSubrequests(t *testing.T) {
	e := newEngine(t, queues.Options{})
	p := producerOf[Job](e, "jobs")
	ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{Limits: worker.Limits{Subrequests: 2}})
	defer cancel()
	if err := p.Send(ctx, Job{}); err != nil {
		t.Fatal(err)
	}
	if err := p.SendBatch(ctx, []queues.BatchMessage[Job]{{Body: Job{}}, {Body: Job{}}}); err != nil {
		t.Fatal(err)
	}
	if ctx.Subrequests() != 2 {
		t.Errorf("subrequests = %d, want 2 (one per Send or SendBatch)", ctx.Subrequests())
	}
	err := p.Send(ctx, Job{})
	if !errors.Is(err, worker.ErrSubrequestLimit) {
		t.Errorf("third call = %v, want ErrSubrequestLimit", err)
	}
	if got := depth(t, e, "jobs").Messages; got != 3 {
		t.Errorf("depth %d, want 3", got)
	}
}

func TestNewBindingValue(t *testing.T) {
	e := newEngine(t, queues.Options{})
	h := e.Producer(queues.ProducerConfig{Queue: "jobs"})
	field, _ := reflect.TypeFor[Env]().FieldByName("Jobs")
	if !queues.IsProducerType(field.Type) || queues.IsProducerType(reflect.TypeFor[string]()) {
		t.Fatal("IsProducerType misjudges")
	}
	v, err := queues.NewBindingValue(field.Type, h)
	if err != nil {
		t.Fatal(err)
	}
	var env Env
	reflect.ValueOf(&env).Elem().FieldByName("Jobs").Set(v)
	if err := env.Jobs.Send(context.Background(), Job{N: 7}); err != nil {
		t.Fatal(err)
	}
	if env.Jobs.Queue() != "jobs" || depth(t, e, "jobs").Messages != 1 {
		t.Error("injected producer does not send to its queue")
	}
	if _, err := queues.NewBindingValue(reflect.TypeFor[*Job](), h); err == nil {
		t.Error("NewBindingValue accepted a non-producer type")
	}
}

func TestSend_ClosedEngine(t *testing.T) {
	e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := producerOf[Job](e, "jobs")
	e.Close(context.Background())
	if err := p.Send(context.Background(), Job{}); !errors.Is(err, queues.ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
}
