package queues

import (
	"fmt"
	"reflect"
	"time"

	"github.com/flarego/flarego/worker"
)

// ConsumerType is a consumer's `type` in the config.
type ConsumerType string

const (
	// PushConsumer is a Worker consumer: the Engine delivers batches to the handler
	// registered with Consume. It is the default.
	PushConsumer ConsumerType = "worker"
	// PullConsumer is an HTTP pull consumer (`type = "http_pull"`): clients pull and
	// acknowledge over the pull API (PullHandler).
	PullConsumer ConsumerType = "http_pull"
)

// Consumer defaults: the platform's production values.
const (
	DefaultMaxBatchSize      = 10
	DefaultMaxBatchTimeout   = 5 * time.Second
	DefaultMaxRetries        = 3
	DefaultMaxConcurrency    = 250
	DefaultVisibilityTimeout = 30 * time.Second
	DefaultPullBatchSize     = 5
)

// ConsumerConfig is one entry of the config's queues.consumers. The zero value of every
// field means the platform's default; fields whose zero is a valid setting are pointers
// (new(0) sets them to zero).
type ConsumerConfig struct {
	// Queue is the queue consumed.
	Queue string
	// Type is PushConsumer ("worker", the default) or PullConsumer ("http_pull").
	Type ConsumerType
	// MaxBatchSize is max_batch_size: 1 to 100 messages, default 10.
	MaxBatchSize int
	// MaxBatchTimeout is max_batch_timeout: 0 to 60 s, default 5 s. A partial batch is
	// delivered this long after its first message became available.
	MaxBatchTimeout *time.Duration
	// MaxRetries is max_retries: 0 to 100, default 3. A message is delivered at most
	// MaxRetries+1 times.
	MaxRetries *int
	// DeadLetterQueue is dead_letter_queue: where messages go after their last failed
	// attempt; "" drops them with a warning.
	DeadLetterQueue string
	// RetryDelay is retry_delay: the delay of a retry that names none, 0 to 12 h.
	RetryDelay time.Duration
	// MaxConcurrency is max_concurrency: how many invocations may run at once; 0 means
	// the platform's autoscaling ceiling, 250.
	MaxConcurrency int
	// VisibilityTimeout is visibility_timeout_ms for pull consumers: the default lease of
	// a pull, up to 12 h, default 30 s.
	VisibilityTimeout time.Duration
}

// consumerSettings are a ConsumerConfig with defaults applied.
type consumerSettings struct {
	queue             string
	typ               ConsumerType
	maxBatchSize      int
	maxBatchTimeout   time.Duration
	maxRetries        int
	deadLetterQueue   string
	retryDelay        time.Duration
	maxConcurrency    int
	visibilityTimeout time.Duration
}

// settings validates c against the platform's bounds and fills in defaults.
func (c ConsumerConfig) settings() (consumerSettings, error) {
	s := consumerSettings{
		queue:             c.Queue,
		typ:               c.Type,
		maxBatchSize:      c.MaxBatchSize,
		maxBatchTimeout:   DefaultMaxBatchTimeout,
		maxRetries:        DefaultMaxRetries,
		deadLetterQueue:   c.DeadLetterQueue,
		retryDelay:        c.RetryDelay,
		maxConcurrency:    c.MaxConcurrency,
		visibilityTimeout: c.VisibilityTimeout,
	}
	bad := func(format string, args ...any) (consumerSettings, error) {
		return s, fmt.Errorf("%w: queue %q: %s", ErrInvalidConfig, c.Queue, fmt.Sprintf(format, args...))
	}
	if s.typ == "" {
		s.typ = PushConsumer
	}
	if s.typ != PushConsumer && s.typ != PullConsumer {
		return bad("type %q, want %q or %q", c.Type, PushConsumer, PullConsumer)
	}
	if s.maxBatchSize == 0 {
		s.maxBatchSize = DefaultMaxBatchSize
	}
	if s.maxBatchSize < 1 || s.maxBatchSize > 100 {
		return bad("max_batch_size %d, want 1 to 100", c.MaxBatchSize)
	}
	if c.MaxBatchTimeout != nil {
		s.maxBatchTimeout = *c.MaxBatchTimeout
	}
	if s.maxBatchTimeout < 0 || s.maxBatchTimeout > time.Minute {
		return bad("max_batch_timeout %v, want 0 to 60s", s.maxBatchTimeout)
	}
	if c.MaxRetries != nil {
		s.maxRetries = *c.MaxRetries
	}
	if s.maxRetries < 0 || s.maxRetries > 100 {
		return bad("max_retries %d, want 0 to 100", s.maxRetries)
	}
	if s.retryDelay < 0 || s.retryDelay > MaxDelay {
		return bad("retry_delay %v, want 0 to 12h", s.retryDelay)
	}
	if s.maxConcurrency == 0 {
		s.maxConcurrency = DefaultMaxConcurrency
	}
	if s.maxConcurrency < 1 || s.maxConcurrency > DefaultMaxConcurrency {
		return bad("max_concurrency %d, want 1 to 250", c.MaxConcurrency)
	}
	if s.visibilityTimeout == 0 {
		s.visibilityTimeout = DefaultVisibilityTimeout
	}
	if s.visibilityTimeout < 0 || s.visibilityTimeout > MaxDelay {
		return bad("visibility_timeout_ms %v, want up to 12h", c.VisibilityTimeout)
	}
	if s.deadLetterQueue == c.Queue && s.deadLetterQueue != "" {
		return bad("dead_letter_queue is the queue itself")
	}
	return s, nil
}

// KindConsumer is the worker.Registration Kind of queue consumers.
const KindConsumer = "queue-consumer"

// Consume registers fn as the push consumer of queue on app. The runner delivers batches of
// the queue's messages to it, decoded into T, with the consumer settings of the config's
// queues.consumers entry for queue (production defaults when there is none). A returned
// error or a panic retries every message not explicitly acknowledged. It panics when
// queue already has a consumer on app or fn is nil: both are programming errors.
func Consume[E, T any](app *worker.App[E], queue string, fn func(batch *Batch[T], env E, ctx *worker.Context) error) {
	if fn == nil {
		panic("queues.Consume: nil handler")
	}
	app.Register(worker.Registration{Kind: KindConsumer, Name: queue, Value: &Consumer{
		queue:   queue,
		envType: reflect.TypeFor[E](),
		bind: func(env any) (deliverFunc, error) {
			var e E
			switch v := env.(type) {
			case E:
				e = v
			case *E:
				e = *v
			default:
				return nil, fmt.Errorf("queues: consumer of %q: env is %T, want %v", queue, env, reflect.TypeFor[E]())
			}
			return func(ctx *worker.Context, queue string, leased []Leased, state *batchState) (int, error) {
				return deliver(queue, leased, state, func(b *Batch[T]) error { return fn(b, e, ctx) })
			}, nil
		},
	}})
}

// Consumer is the record Consume registers (worker.Registration.Value for KindConsumer). The
// runner passes the registrations to Engine.Start; it does not use Consumer itself.
type Consumer struct {
	queue   string
	envType reflect.Type
	bind    func(env any) (deliverFunc, error)
}

// Queue is the queue consumed.
func (c *Consumer) Queue() string { return c.queue }

// deliverFunc runs the handler on leased messages, recording decisions in state; it returns
// how many messages the handler saw and the handler's error.
type deliverFunc func(ctx *worker.Context, queue string, leased []Leased, state *batchState) (int, error)

// noHandler is the delivery of a configured consumer that has no handler (W-023).
func noHandler(_ *worker.Context, _ string, leased []Leased, _ *batchState) (int, error) {
	return len(leased), ErrNoHandler
}

// deliver decodes leased into a Batch[T] and runs call on it, turning a panic into an error.
// Messages whose body does not decode into T are left out of the batch and marked for retry.
func deliver[T any](queue string, leased []Leased, state *batchState, call func(*Batch[T]) error) (n int, err error) {
	b := &Batch[T]{Queue: queue, state: state, Messages: make([]*Message[T], 0, len(leased))}
	for i, l := range leased {
		body, derr := decode[T](l.Body, l.ContentType)
		if derr != nil {
			state.markUndecodable(i)
			state.log.Error("queue message body does not decode", "queue", queue, "id", l.ID, "error", derr)
			continue
		}
		b.Messages = append(b.Messages, &Message[T]{
			ID: l.ID, Timestamp: l.Timestamp, Body: body, Attempts: l.Attempts, ContentType: l.ContentType,
			state: state, index: i,
		})
	}
	if len(b.Messages) == 0 {
		return 0, nil // never an empty batch
	}
	n = len(b.Messages)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("queues: consumer of %q panicked: %v", queue, p)
		}
	}()
	return n, call(b)
}
