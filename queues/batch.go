package queues

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Batch is one delivery to a push consumer (the platform's MessageBatch, Q-013). The
// handler acknowledges or retries its messages one by one or all at once; whatever it does
// not decide is acknowledged when the handler succeeds and retried when it fails (Q-015,
// Safe for concurrent use by the handler's goroutines.
type Batch[T any] struct {
	// Queue is the name of the queue the messages came from.
	Queue string
	// Messages are the batch's messages, in delivery order.
	Messages []*Message[T]

	state *batchState
}

// Metadata returns the batch's metadata: the queue's backlog metrics. They are read
// from the store on the first call, not at delivery, so that consumers that never look at
// them do not pay for them; later calls return the same values. On a store error the
// metrics are zero.
func (b *Batch[T]) Metadata() Metadata { return b.state.metadata() }

// Metadata is a batch's metadata (the platform's MessageBatch.metadata).
type Metadata struct {
	// Metrics are the queue's backlog figures when the batch was taken.
	Metrics Metrics
}

// AckAll acknowledges every message not explicitly retried. After RetryAll it has
// no effect and logs the platform's warning.
func (b *Batch[T]) AckAll() { b.state.ackAll() }

// RetryAll redelivers every message not explicitly acknowledged, even if the handler
// succeeds, after Delay if given, else the consumer's retry_delay. After
// AckAll it has no effect and logs the platform's warning.
func (b *Batch[T]) RetryAll(opts ...RetryOption) { b.state.retryAll(retryDelay(opts)) }

// Message is one message of a Batch (the platform's Message, Q-014).
type Message[T any] struct {
	// ID is the message id, unique, 32 hex digits.
	ID string
	// Timestamp is when the message was sent.
	Timestamp time.Time
	// Body is the decoded body.
	Body T
	// Attempts is how many times the message has been delivered, this time included: 1 on
	// the first delivery.
	Attempts int
	// ContentType is how the body was encoded.
	ContentType ContentType

	state *batchState
	index int
}

// Ack acknowledges the message: it is not redelivered, whatever the handler returns. The
// first Ack or Retry of a message wins; later calls are ignored.
func (m *Message[T]) Ack() { m.state.ack(m.index, m.ID) }

// Retry redelivers the message after Delay if given, else after the batch's RetryAll delay
// or the consumer's retry_delay. The first Ack or Retry of a message wins.
func (m *Message[T]) Retry(opts ...RetryOption) { m.state.retry(m.index, m.ID, retryDelay(opts)) }

func retryDelay(opts []RetryOption) *time.Duration {
	var o retryOptions
	for _, opt := range opts {
		opt.applyRetry(&o)
	}
	if !o.delaySet {
		return nil
	}
	d := min(max(o.delay, 0), MaxDelay).Truncate(time.Second)
	return &d
}

type verdict uint8

const (
	undecided verdict = iota
	acked
	retried
)

// batchState records the handler's decisions on a batch, with the platform's precedence.
type batchState struct {
	log     *slog.Logger
	metrics func() Metrics

	metaOnce sync.Once
	meta     Metadata

	mu          sync.Mutex
	verdicts    []verdict
	delays      []*time.Duration
	all         verdict
	allDelay    *time.Duration
	undecodable []bool
}

func newBatchState(n int, log *slog.Logger, metrics func() Metrics) *batchState {
	return &batchState{log: log, metrics: metrics, verdicts: make([]verdict, n), delays: make([]*time.Duration, n), undecodable: make([]bool, n)}
}

func (s *batchState) metadata() Metadata {
	s.metaOnce.Do(func() {
		if s.metrics != nil {
			s.meta.Metrics = s.metrics()
		}
	})
	return s.meta
}

func (s *batchState) warn(format string, args ...any) { s.log.Warn(fmt.Sprintf(format, args...)) }

func (s *batchState) markUndecodable(i int) {
	s.mu.Lock()
	s.undecodable[i] = true
	s.mu.Unlock()
}

func (s *batchState) ack(i int, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.all == acked:
	case s.all == retried:
		s.warn("Received a call to ack() on message %s after retryAll() was already called. Calling ack() on a message after calling retryAll() has no effect.", id)
	case s.verdicts[i] == retried:
		s.warn("Received a call to ack() on message %s after retry() was already called. Calling ack() on a message after calling retry() has no effect.", id)
	default:
		s.verdicts[i] = acked
	}
}

func (s *batchState) retry(i int, id string, delay *time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.all == retried:
	case s.all == acked:
		s.warn("Received a call to retry() on message %s after ackAll() was already called. Calling retry() on a message after calling ackAll() has no effect.", id)
	case s.verdicts[i] == acked:
		s.warn("Received a call to retry() on message %s after ack() was already called. Calling retry() on a message after calling ack() has no effect.", id)
	case s.verdicts[i] == undecided:
		s.verdicts[i], s.delays[i] = retried, delay
	}
}

func (s *batchState) ackAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.all {
	case retried:
		s.warn("Received a call to ackAll() after retryAll() was already called. Calling ackAll() after calling retryAll() has no effect.")
	case undecided:
		s.all = acked
	}
}

func (s *batchState) retryAll(delay *time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.all {
	case acked:
		s.warn("Received a call to retryAll() after ackAll() was already called. Calling retryAll() after calling ackAll() has no effect.")
	case undecided:
		s.all, s.allDelay = retried, delay
	}
}

// decide returns, for message i, whether it is retried and after what delay, given whether
// the invocation failed and the consumer's retry_delay: a message's own call beats the
// batch-level call, which beats the default (ack on success, retry on failure).
func (s *batchState) decide(i int, failed bool, consumerDelay time.Duration) (retry bool, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	batchDelay := consumerDelay
	if s.allDelay != nil {
		batchDelay = *s.allDelay
	}
	switch {
	case s.undecodable[i]:
		// The handler never saw it: a body that does not decode is a failed delivery.
		return true, batchDelay
	case s.verdicts[i] == acked:
		return false, 0
	case s.verdicts[i] == retried:
		if s.delays[i] != nil {
			return true, *s.delays[i]
		}
		return true, batchDelay
	case s.all == retried:
		return true, batchDelay
	case s.all == acked:
		return false, 0
	case failed:
		return true, batchDelay
	}
	return false, 0
}
