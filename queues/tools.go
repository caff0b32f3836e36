package queues

import (
	"context"
	"time"
)

// QueueInfo describes one queue for the local tools (`queues list`, `queues info`).
type QueueInfo struct {
	// Name is the queue name and ID its local id (QueueID).
	Name, ID string
	// Messages is the depth: every message held, ready, delayed or in flight.
	Messages int
	// Ready, InFlight and Delayed split Messages: available now, leased to a consumer,
	// and waiting for a send or retry delay.
	Ready, InFlight, Delayed int
	// Bytes is the total size of the message bodies.
	Bytes int64
	// Oldest is the send time of the oldest message; zero when empty.
	Oldest time.Time
	// DeadLetterQueue is the consumer's dead_letter_queue, "" when none; DeadLetterMessages
	// is its depth.
	DeadLetterQueue    string
	DeadLetterMessages int
	// Consumer describes the queue's consumer; nil when it has none in the config and none
	// registered in this process.
	Consumer *ConsumerInfo
}

// ConsumerInfo is a queue's consumer settings, defaults applied.
type ConsumerInfo struct {
	Type ConsumerType
	// Running is true when this Engine delivers to a registered handler.
	Running           bool
	MaxBatchSize      int
	MaxBatchTimeout   time.Duration
	MaxRetries        int
	RetryDelay        time.Duration
	MaxConcurrency    int
	VisibilityTimeout time.Duration
}

// List describes every queue the Engine knows of: configured consumers and their dead
// letter queues, producers, and every queue holding messages in the store, sorted by name.
func (e *Engine) List(ctx context.Context) ([]QueueInfo, error) {
	if e.isClosed() {
		return nil, ErrClosed
	}
	names, err := e.knownQueues(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]QueueInfo, 0, len(names))
	for _, n := range names {
		info, err := e.Info(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// Info describes queue. An unknown queue is an empty one, not an error: queues exist as soon
// as something is sent to them.
func (e *Engine) Info(ctx context.Context, queue string) (QueueInfo, error) {
	if e.isClosed() {
		return QueueInfo{}, ErrClosed
	}
	now := time.Now()
	st, err := e.driver.Stats(ctx, queue, now)
	if err != nil {
		return QueueInfo{}, err
	}
	info := QueueInfo{
		Name: queue, ID: QueueID(queue),
		Messages: st.Messages, Ready: st.Ready(), InFlight: st.InFlight, Delayed: st.Delayed,
		Bytes: st.Bytes, Oldest: st.Oldest,
	}
	e.mu.Lock()
	running := e.consumed[queue]
	e.mu.Unlock()
	s, configured := e.configs[queue]
	if configured || running {
		if !configured {
			s = e.settingsFor(queue, PushConsumer)
		}
		info.Consumer = &ConsumerInfo{
			Type: s.typ, Running: running, MaxBatchSize: s.maxBatchSize, MaxBatchTimeout: s.maxBatchTimeout,
			MaxRetries: s.maxRetries, RetryDelay: s.retryDelay, MaxConcurrency: s.maxConcurrency,
			VisibilityTimeout: s.visibilityTimeout,
		}
		if s.deadLetterQueue != "" {
			info.DeadLetterQueue = s.deadLetterQueue
			dl, err := e.driver.Stats(ctx, s.deadLetterQueue, now)
			if err != nil {
				return QueueInfo{}, err
			}
			info.DeadLetterMessages = dl.Messages
		}
	}
	return info, nil
}

// Purge deletes every message of queue, in flight or not, and returns how many it deleted
// (the platform's `queues purge`).
func (e *Engine) Purge(ctx context.Context, queue string) (int, error) {
	if e.isClosed() {
		return 0, ErrClosed
	}
	return e.driver.Purge(ctx, queue, time.Time{})
}
