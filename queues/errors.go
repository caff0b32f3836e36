package queues

import (
	"errors"
	"fmt"
)

// Sentinel errors. The errors returned by Send, SendBatch and the pull API wrap one of them,
// so errors.Is works, while their text is the platform's (users' tests assert on it).
var (
	// ErrInvalidMessage is a message the platform rejects with a TypeError: an undefined
	// body, a body that does not suit its content type, an unknown content type, an empty
	// batch or an invalid delay.
	ErrInvalidMessage = errors.New("queues: invalid message")
	// ErrTooLarge is a message over 128,000 bytes, or a batch over 100 messages or
	// 256,000 bytes.
	ErrTooLarge = errors.New("queues: payload too large")
	// ErrRateLimited is a send over Options.RateLimit messages per second.
	ErrRateLimited = errors.New("queues: too many requests")
	// ErrStorageLimit is a send to a queue whose backlog is over Options.MaxBacklogBytes.
	ErrStorageLimit = errors.New("queues: storage limit exceeded")
	// ErrClosed is returned by every operation after Engine.Close or Driver.Close.
	ErrClosed = errors.New("queues: closed")
	// ErrInvalidLease is a lease id that no driver could have issued.
	ErrInvalidLease = errors.New("queues: invalid lease id")
	// ErrConsumerType is an operation on a queue whose consumer is of the other type: a
	// pull on a queue with a push consumer, or a push consumer registered for a queue
	// configured as http_pull.
	ErrConsumerType = errors.New("queues: wrong consumer type for queue")
	// ErrInvalidConfig is a consumer configuration outside the platform's bounds.
	ErrInvalidConfig = errors.New("queues: invalid consumer configuration")
	// ErrNoHandler fails the deliveries of a queue whose consumer is configured for the
	// worker but which has no handler registered with Consume (W-023); the messages are
	// retried, then dropped or dead-lettered, as on the platform. Its text is the
	// platform's.
	ErrNoHandler = errors.New("Handler does not export a queue() function.")
)

// SendError is the error of a Send or SendBatch the platform would refuse. Error returns the
// platform's text exactly: a TypeError's message as is ("Message body cannot be undefined"),
// a refused request prefixed with "Queue send failed: " or "Queue sendBatch failed: ".
type SendError struct {
	// Op is "send" or "sendBatch".
	Op string
	// Queue is the queue name.
	Queue string
	// Message is the platform's message, without the "Queue send failed: " prefix.
	Message string
	// TypeError is true for the errors the platform throws as TypeError (argument checks
	// made before anything is sent); they carry no prefix.
	TypeError bool
	err       error
}

// Error returns the platform's text.
func (e *SendError) Error() string {
	if e.TypeError {
		return e.Message
	}
	return fmt.Sprintf("Queue %s failed: %s", e.Op, e.Message)
}

// Unwrap returns the sentinel (ErrInvalidMessage, ErrTooLarge, ErrRateLimited,
// ErrStorageLimit) or the underlying error.
func (e *SendError) Unwrap() error { return e.err }

func typeError(op, queue string, err error, format string, args ...any) *SendError {
	return &SendError{Op: op, Queue: queue, Message: fmt.Sprintf(format, args...), TypeError: true, err: err}
}

func sendFailed(op, queue string, err error, format string, args ...any) *SendError {
	return &SendError{Op: op, Queue: queue, Message: fmt.Sprintf(format, args...), err: err}
}
