package queues

import (
	"fmt"
	"time"
)

// Platform limits (D:queues/platform/limits).
const (
	// MaxMessageBytes is the largest message body.
	MaxMessageBytes = 128_000
	// MaxBatchMessages is the most messages one SendBatch takes.
	MaxBatchMessages = 100
	// MaxBatchBytes is the largest total body size of one SendBatch.
	MaxBatchBytes = 256_000
	// MaxDelay is the longest send or retry delay.
	MaxDelay = 12 * time.Hour
	// ProductionRateLimit is the platform's per-queue send rate, for Options.RateLimit.
	ProductionRateLimit = 5000
	// ProductionMaxBacklogBytes is the platform's per-queue backlog, for
	// Options.MaxBacklogBytes.
	ProductionMaxBacklogBytes = 25 << 30
)

// SendOption configures Send and SendBatch: a ContentType, Delay or WithMetrics.
type SendOption interface{ applySend(*sendOptions) }

// RetryOption configures Message.Retry and Batch.RetryAll: Delay.
type RetryOption interface{ applyRetry(*retryOptions) }

type sendOptions struct {
	contentType ContentType
	contentSet  bool
	delay       time.Duration
	delaySet    bool
	metrics     *Metrics
}

type retryOptions struct {
	delay    time.Duration
	delaySet bool
}

// DelayOption is a delivery delay (the platform's delaySeconds). Make one with Delay.
type DelayOption time.Duration

// Delay delays delivery by d (the platform's delaySeconds): a whole number of seconds from 0
// to 12 hours. Delay(0) explicitly skips the producer's delivery_delay. As a
// SendOption it applies to Send or to every message of a SendBatch without its own delay;
// as a RetryOption it delays the redelivery.
func Delay(d time.Duration) DelayOption { return DelayOption(d) }

func (d DelayOption) applySend(o *sendOptions)   { o.delay, o.delaySet = time.Duration(d), true }
func (d DelayOption) applyRetry(o *retryOptions) { o.delay, o.delaySet = time.Duration(d), true }

type metricsOption struct{ dst *Metrics }

func (m metricsOption) applySend(o *sendOptions) { o.metrics = m.dst }

// WithMetrics asks Send or SendBatch to fill *dst with the queue's backlog metrics after the
// send (the platform's send response metadata.metrics, Q-029). It costs one read, which is
// why it is asked for instead of always done.
func WithMetrics(dst *Metrics) SendOption { return metricsOption{dst} }

// validDelay checks a delay the way the platform checks delaySeconds.
func validDelay(d time.Duration) error {
	if d < 0 || d > MaxDelay || d%time.Second != 0 {
		return fmt.Errorf("delaySeconds must be a whole number of seconds from 0 to %d, got %v", int(MaxDelay/time.Second), d)
	}
	return nil
}

// Metrics are a queue's backlog figures (the platform's metadata.metrics).
type Metrics struct {
	// BacklogCount is how many messages the queue holds (ready, delayed and in flight).
	BacklogCount int
	// BacklogBytes is the total size of their bodies.
	BacklogBytes int64
	// OldestMessageTimestamp is the send time of the oldest one; zero when the queue is empty.
	OldestMessageTimestamp time.Time
}

func metricsOf(s Stats) Metrics {
	return Metrics{BacklogCount: s.Messages, BacklogBytes: s.Bytes, OldestMessageTimestamp: s.Oldest}
}
