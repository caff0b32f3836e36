package queues

import (
	"context"
	"time"

	"github.com/flarego/flarego/worker"
)

// ProducerConfig is one entry of the config's queues.producers.
type ProducerConfig struct {
	// Queue is the queue name (any string: spaces and slashes work, Q-038).
	Queue string
	// DeliveryDelay is the producer's delivery_delay: the delay of messages sent without
	// their own Delay. Zero means none.
	DeliveryDelay time.Duration
}

// ProducerHandle is the untyped side of a producer binding: an Engine and a queue. The
// runner makes one per binding with Engine.Producer and turns it into the Env field's
// *Producer[T] with NewBindingValue; tests use NewProducer.
type ProducerHandle struct {
	engine *Engine
	cfg    ProducerConfig
}

// Queue is the queue name.
func (h *ProducerHandle) Queue() string { return h.cfg.Queue }

// Producer sends messages of type T to one queue: the Env field type of a queue producer
// binding (`Jobs *queues.Producer[Job] `binding:"JOBS"“). A nil or zero Producer is not
// usable; the runner injects it, and tests make one with NewProducer. Safe for concurrent use.
type Producer[T any] struct {
	h *ProducerHandle
}

// NewProducer returns a producer of T over h.
func NewProducer[T any](h *ProducerHandle) *Producer[T] { return &Producer[T]{h: h} }

func (p *Producer[T]) bindHandle(h *ProducerHandle) { p.h = h }

// Queue is the name of the queue the producer sends to.
func (p *Producer[T]) Queue() string { return p.h.cfg.Queue }

// Send writes one message and returns once it is on disk. The body is encoded as
// JSON unless a ContentType option says otherwise; Delay postpones its
// delivery; WithMetrics reports the backlog after the send.
//
// Errors: a *SendError with the platform's text, wrapping ErrInvalidMessage (TypeError
// cases: undefined body, body not matching its content type, unknown content type, invalid
// delay), ErrTooLarge (over MaxMessageBytes), ErrRateLimited or ErrStorageLimit (only when
// the Engine enforces them); a *worker.LimitError when the invocation's subrequest budget is
// spent (every Send counts one); ErrClosed after the Engine closed; or the store's error.
func (p *Producer[T]) Send(ctx context.Context, body T, opts ...SendOption) error {
	if err := worker.Subrequest(ctx); err != nil {
		return err
	}
	var o sendOptions
	for _, opt := range opts {
		opt.applySend(&o)
	}
	const op = "send"
	q := p.h.cfg.Queue
	ct, ok := o.contentType.normalize()
	if !ok {
		return typeError(op, q, ErrInvalidMessage, "Unsupported queue message content type: %s", o.contentType)
	}
	data, err := encode(op, q, any(body), ct)
	if err != nil {
		return err
	}
	if len(data) > MaxMessageBytes {
		return sendFailed(op, q, ErrTooLarge, "message length of %d bytes exceeds limit of %d", len(data), MaxMessageBytes)
	}
	delay := p.h.cfg.DeliveryDelay
	if o.delaySet {
		delay = o.delay
	}
	if err := validDelay(delay); err != nil {
		return typeError(op, q, ErrInvalidMessage, "%s", err.Error())
	}
	now := time.Now()
	rec := Record{ID: newID(), Timestamp: now.Truncate(time.Millisecond), ContentType: ct, Body: data, VisibleAt: now.Add(delay)}
	return p.h.engine.send(ctx, op, q, []Record{rec}, o.metrics)
}

// BatchMessage is one message of a SendBatch (the platform's MessageSendRequest).
type BatchMessage[T any] struct {
	// Body is the message body.
	Body T
	// ContentType overrides the batch's content type; "" means the batch's (JSON by default).
	ContentType ContentType
	// Delay overrides the batch's delay when not nil; new(time.Duration(0)) sends the message
	// without delay even when the batch or the producer has one.
	Delay *time.Duration
}

// SendBatch writes up to MaxBatchMessages messages in one durable write: all of them or
// none. Per-message options beat the batch's options, which beat the producer's
// delivery_delay. It counts one subrequest. Errors as for Send, plus: an empty batch
// (ErrInvalidMessage, "sendBatch() requires at least one message"), more than 100 messages,
// a message over 128,000 bytes or more than 256,000 bytes in all (ErrTooLarge).
func (p *Producer[T]) SendBatch(ctx context.Context, msgs []BatchMessage[T], opts ...SendOption) error {
	if err := worker.Subrequest(ctx); err != nil {
		return err
	}
	var o sendOptions
	for _, opt := range opts {
		opt.applySend(&o)
	}
	const op = "sendBatch"
	q := p.h.cfg.Queue
	if len(msgs) == 0 {
		return typeError(op, q, ErrInvalidMessage, "sendBatch() requires at least one message")
	}
	now := time.Now()
	ts := now.Truncate(time.Millisecond)
	recs := make([]Record, 0, len(msgs))
	total, largest := 0, 0
	for _, m := range msgs {
		ctRaw := o.contentType
		if m.ContentType != "" {
			ctRaw = m.ContentType
		}
		ct, ok := ctRaw.normalize()
		if !ok {
			return typeError(op, q, ErrInvalidMessage, "Unsupported queue message content type: %s", ctRaw)
		}
		data, err := encode(op, q, any(m.Body), ct)
		if err != nil {
			return err
		}
		delay := p.h.cfg.DeliveryDelay
		if o.delaySet {
			delay = o.delay
		}
		if m.Delay != nil {
			delay = *m.Delay
		}
		if err := validDelay(delay); err != nil {
			return typeError(op, q, ErrInvalidMessage, "%s", err.Error())
		}
		total += len(data)
		largest = max(largest, len(data))
		recs = append(recs, Record{ID: newID(), Timestamp: ts, ContentType: ct, Body: data, VisibleAt: now.Add(delay)})
	}
	// The platform checks the count, then the largest message, then the total.
	if len(msgs) > MaxBatchMessages {
		return sendFailed(op, q, ErrTooLarge, "batch message count of %d exceeds limit of %d", len(msgs), MaxBatchMessages)
	}
	if largest > MaxMessageBytes {
		return sendFailed(op, q, ErrTooLarge, "message in batch has length %d bytes which exceeds single message size limit of %d", largest, MaxMessageBytes)
	}
	if total > MaxBatchBytes {
		return sendFailed(op, q, ErrTooLarge, "batch size of %d bytes exceeds limit of %d", total, MaxBatchBytes)
	}
	return p.h.engine.send(ctx, op, q, recs, o.metrics)
}
