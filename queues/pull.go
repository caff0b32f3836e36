package queues

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PullRetry asks that one pulled message be redelivered, after Delay.
type PullRetry struct {
	// LeaseID is the lease_id the pull returned.
	LeaseID string
	// Delay is delay_seconds: 0 to 12 h.
	Delay time.Duration
}

// AckResult is the result of Engine.Ack (the pull API's ackCount, retryCount, warnings).
type AckResult struct {
	AckCount   int
	RetryCount int
	Warnings   []string
}

// PullRequestError is a pull or ack request outside the platform's bounds.
type PullRequestError struct {
	// Field is the offending request field, e.g. "batch_size".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error says which field is wrong and why.
func (e *PullRequestError) Error() string { return fmt.Sprintf("%s %s", e.Field, e.Reason) }

// pullSettings returns the consumer settings for pulling from queue, or ErrConsumerType when
// the queue has a push consumer.
func (e *Engine) pullSettings(queue string) (consumerSettings, error) {
	e.mu.Lock()
	pushed := e.consumed[queue]
	e.mu.Unlock()
	s := e.settingsFor(queue, PullConsumer)
	if pushed || s.typ != PullConsumer {
		return s, fmt.Errorf("%w: queue %q has a Worker (push) consumer; remove it to pull over HTTP", ErrConsumerType, queue)
	}
	return s, nil
}

// Pull leases up to batchSize (0 means 5, at most 100) messages of queue for a pull consumer,
// invisible to others for visibility (0 means the consumer's visibility_timeout_ms, at most
// 12 h). It returns at once, with no messages when none is available: pulls are
// short-polling. Messages past their last attempt go to the dead letter queue or are
// dropped instead of being returned. The lease ids returned are what Ack takes; they also
// encode the attempt, so a retry after the last attempt is dead-lettered at once. Errors:
// *PullRequestError, ErrConsumerType, ErrClosed, or the store's.
func (e *Engine) Pull(ctx context.Context, queue string, batchSize int, visibility time.Duration) ([]Leased, Metrics, error) {
	if e.isClosed() {
		return nil, Metrics{}, ErrClosed
	}
	s, err := e.pullSettings(queue)
	if err != nil {
		return nil, Metrics{}, err
	}
	if batchSize == 0 {
		batchSize = DefaultPullBatchSize
	}
	if batchSize < 1 || batchSize > 100 {
		return nil, Metrics{}, &PullRequestError{"batch_size", "must be between 1 and 100"}
	}
	if visibility == 0 {
		visibility = s.visibilityTimeout
	}
	if visibility < 0 || visibility > MaxDelay {
		return nil, Metrics{}, &PullRequestError{"visibility_timeout_ms", "must be between 0 and 43200000"}
	}
	now := time.Now()
	leased, err := e.driver.Lease(ctx, queue, batchSize, now, now.Add(visibility))
	if err != nil {
		return nil, Metrics{}, err
	}
	out := leased[:0]
	var dead []Outcome
	for _, l := range leased {
		if l.Attempts > s.maxRetries+1 {
			dead = append(dead, e.exhausted(s, l, now))
			continue
		}
		l.LeaseID = strconv.Itoa(l.Attempts) + "." + l.ID + "." + l.LeaseID
		out = append(out, l)
	}
	if len(dead) > 0 {
		if err := e.driver.Settle(ctx, queue, dead); err != nil {
			return nil, Metrics{}, err
		}
		if s.deadLetterQueue != "" {
			e.notify(s.deadLetterQueue, len(dead))
		}
	}
	st, err := e.backlog(ctx, queue)
	if err != nil {
		return nil, Metrics{}, err
	}
	return out, metricsOf(st), nil
}

// Ack settles messages a pull consumer pulled: acks are deleted, retries become available
// again after their delay, or go to the dead letter queue when that was their last attempt
// . Late acks, after the visibility timeout or from another consumer, are accepted
// . A lease id Pull could not have issued is skipped with a warning.
func (e *Engine) Ack(ctx context.Context, queue string, acks []string, retries []PullRetry) (AckResult, error) {
	if e.isClosed() {
		return AckResult{}, ErrClosed
	}
	s, err := e.pullSettings(queue)
	if err != nil {
		return AckResult{}, err
	}
	var res AckResult
	now := time.Now()
	outcomes := make([]Outcome, 0, len(acks)+len(retries))
	for _, id := range acks {
		_, _, lease, ok := splitPullLease(id)
		if !ok {
			res.Warnings = append(res.Warnings, fmt.Sprintf("invalid lease_id %q", id))
			continue
		}
		outcomes = append(outcomes, Outcome{LeaseID: lease, Action: Ack})
		res.AckCount++
	}
	for _, r := range retries {
		attempts, msgID, lease, ok := splitPullLease(r.LeaseID)
		if !ok {
			res.Warnings = append(res.Warnings, fmt.Sprintf("invalid lease_id %q", r.LeaseID))
			continue
		}
		if err := validDelay(r.Delay); err != nil {
			return AckResult{}, &PullRequestError{"delay_seconds", "must be a whole number of seconds from 0 to 43200"}
		}
		if attempts >= s.maxRetries+1 {
			outcomes = append(outcomes, e.exhausted(s, Leased{LeaseID: lease, Record: Record{ID: msgID}}, now))
		} else {
			outcomes = append(outcomes, Outcome{LeaseID: lease, Action: Retry, VisibleAt: now.Add(r.Delay)})
		}
		res.RetryCount++
	}
	if err := e.driver.Settle(ctx, queue, outcomes); err != nil {
		return AckResult{}, err
	}
	if s.deadLetterQueue != "" {
		e.notify(s.deadLetterQueue, len(outcomes))
	}
	return res, nil
}

// splitPullLease takes apart a pull lease id: "<attempts>.<message id>.<driver lease id>".
func splitPullLease(id string) (attempts int, msgID, lease string, ok bool) {
	a, rest, ok1 := strings.Cut(id, ".")
	msgID, lease, ok2 := strings.Cut(rest, ".")
	n, err := strconv.Atoi(a)
	if !ok1 || !ok2 || err != nil || n < 1 || msgID == "" || lease == "" {
		return 0, "", "", false
	}
	return n, msgID, lease, true
}
