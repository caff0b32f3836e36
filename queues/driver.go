package queues

import (
	"context"
	"time"
)

// Driver stores the messages of every queue of one runner. The Engine is the only caller in
// normal use; implement Driver to put queues on another store (the embedded drivers are
// NewMemoryDriver and OpenSQLiteDriver). Every method must be safe for concurrent use, and
// every write must be durable when the method returns nil: the Engine acknowledges a send as
// soon as Send returns.
//
// Times are absolute and given by the caller, never read from a clock by the driver, so that
// drivers behave the same under a fake clock. A message is available to Lease when its
// VisibleAt is not after the given now, whether it was never leased, was retried, or its
// lease ran out.
type Driver interface {
	// Send stores recs in queue, all or none. IDs are unique and chosen by the caller.
	Send(ctx context.Context, queue string, recs []Record) error
	// Lease takes up to max messages of queue available at now, those with the oldest
	// VisibleAt first, adds one to their Attempts, hides them until until, and returns them
	// in send order, each with a fresh LeaseID. It returns an empty slice, not an error, when nothing is available.
	Lease(ctx context.Context, queue string, max int, now, until time.Time) ([]Leased, error)
	// Settle applies outcomes to leased messages of queue in one transaction. An outcome
	// whose message no longer exists is skipped without error (a late ack of a message
	// already acked or moved is not a failure); a malformed LeaseID is an error wrapping
	// ErrInvalidLease.
	Settle(ctx context.Context, queue string, outcomes []Outcome) error
	// Ready counts the messages of queue available at now, stopping at max, and reports the
	// earliest VisibleAt after now of any other message (zero when there is none): when the
	// next delayed, retried or leased message may become available.
	Ready(ctx context.Context, queue string, now time.Time, max int) (n int, next time.Time, err error)
	// Stats describes queue at now. A queue without messages has zero Stats.
	Stats(ctx context.Context, queue string, now time.Time) (Stats, error)
	// Queues lists, sorted, the names of the queues that hold at least one message.
	Queues(ctx context.Context) ([]string, error)
	// Purge deletes the messages of queue sent before before (every message when before is
	// zero), leased or not, and returns how many it deleted.
	Purge(ctx context.Context, queue string, before time.Time) (int, error)
	// Close releases the store. Calls after Close fail.
	Close() error
}

// Record is one stored message.
type Record struct {
	// ID is the message id: 32 lowercase hex digits, unique across queues.
	ID string
	// Timestamp is when the message was sent, at millisecond precision; it is kept when a
	// message is retried or moved to a dead letter queue.
	Timestamp time.Time
	// ContentType says how Body is encoded.
	ContentType ContentType
	// Body is the encoded message body.
	Body []byte
	// Attempts is how many times the message has been leased (0 until the first delivery).
	Attempts int
	// VisibleAt is when the message becomes available to Lease.
	VisibleAt time.Time
}

// Leased is a message handed out by Lease.
type Leased struct {
	Record
	// LeaseID identifies this lease of the message: opaque, to give back in an Outcome.
	LeaseID string
}

// Action is what Settle does with a leased message.
type Action int

const (
	// Ack deletes the message, whichever lease it is under now.
	Ack Action = iota + 1
	// Retry makes the message available again at Outcome.VisibleAt and ends its lease.
	Retry
	// Extend moves the lease deadline to Outcome.VisibleAt, only while LeaseID is still the
	// message's current lease.
	Extend
	// DeadLetter moves the message to queue Outcome.To with its id, timestamp, content type
	// and body, Attempts reset to 0 and available at Outcome.VisibleAt.
	DeadLetter
)

// Outcome is the fate of one leased message.
type Outcome struct {
	// LeaseID names the message, as Lease returned it.
	LeaseID string
	// Action is what to do.
	Action Action
	// VisibleAt is when the message becomes available again (Retry, DeadLetter) or the new
	// lease deadline (Extend).
	VisibleAt time.Time
	// To is the dead letter queue (DeadLetter only).
	To string
}

// Stats describes one queue's backlog.
type Stats struct {
	// Messages is every message in the queue: ready, delayed and in flight.
	Messages int
	// Bytes is the total size of their bodies.
	Bytes int64
	// Oldest is the send time of the oldest message, zero when the queue is empty.
	Oldest time.Time
	// InFlight counts messages under a lease that has not run out.
	InFlight int
	// Delayed counts messages not leased and not yet visible (send delay or retry delay).
	Delayed int
}

// Ready is the number of messages available now.
func (s Stats) Ready() int { return s.Messages - s.InFlight - s.Delayed }

// BacklogReader is an optional Driver capability: the backlog figures alone (Messages,
// Bytes, Oldest of Stats), cheap at any depth. The Engine uses it for metrics and the
// backlog limit when the driver has it, and Stats otherwise.
type BacklogReader interface {
	Backlog(ctx context.Context, queue string) (Stats, error)
}
