package workflows

import (
	"errors"
	"fmt"
)

// Error names the platform gives the errors of steps and instances.
const (
	// NameError is the name of an ordinary error.
	NameError = "Error"
	// NameNonRetryable marks an error made by NonRetryable (WF-021).
	NameNonRetryable = "NonRetryableError"
	// NameTimeout is the name of a step or event timeout (WF-020, WF-027).
	NameTimeout = "WorkflowTimeoutError"
	// NameFatal is the name of an error that ends the instance whatever run does with it:
	// a bad step name or config, the step limit, an unserialisable result.
	NameFatal = "WorkflowFatalError"
	// NameInternal is the name of an attempt lost to the engine, such as one cut short by
	// the process dying.
	NameInternal = "WorkflowInternalError"
)

// Errors of the binding and the tools. Their texts are the platform's where it has one
// (quoted in CONFORMANCE) and follow its "(code) message" form otherwise.
var (
	// ErrNotFound: no instance has the id (WF-006).
	ErrNotFound = errors.New("instance.not_found")
	// ErrInvalidID: the id does not match ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$ or is longer than
	// 64 characters (WF-004).
	ErrInvalidID = errors.New("Workflow instance has invalid id")
	// ErrAlreadyExists: an instance with the id exists already.
	ErrAlreadyExists = errors.New("(instance.already_exists) Instance already exists")
	// ErrEmptyBatch: CreateBatch was given no instances (WF-005).
	ErrEmptyBatch = errors.New("WorkflowError: batchCreate should have at least 1 instance")
	// ErrBatchTooLarge: CreateBatch was given more than MaxBatch instances (WF-005).
	ErrBatchTooLarge = errors.New("WorkflowError: batchCreate should have at most 100 instances")
	// ErrPayloadTooLarge: params or an event payload encode to more than MaxPayloadBytes
	// (WF-023).
	ErrPayloadTooLarge = errors.New("(instance.payload_too_large) Payload exceeds the maximum size of 1MiB")
	// ErrCannotTerminate: the instance is complete, errored or terminated (WF-010).
	ErrCannotTerminate = errors.New("(instance.cannot_terminate) Cannot terminate instance since its on a finite state")
	// ErrCannotResume: the instance is neither paused nor waiting to pause (WF-009).
	ErrCannotResume = errors.New("(instance.cannot_resume) Cannot resume instance since it is not paused")
	// ErrCannotSendEvent: the instance is complete, errored or terminated (WF-012).
	ErrCannotSendEvent = errors.New("(instance.cannot_send_event) Cannot send event to instance since its on a finite state")
	// ErrInvalidEventType: SendEvent was given an empty type.
	ErrInvalidEventType = errors.New("(instance.invalid_event_type) Event type must not be empty")
	// ErrNotBound is returned by the methods of a zero Workflow or Instance.
	ErrNotBound = errors.New("workflows: binding is not connected to an engine")
	// ErrClosed is returned once the engine is closed.
	ErrClosed = errors.New("workflows: engine closed")
)

// Error is an error as the platform reports it: a name and a message. Step functions return
// it for failed steps and timeouts, and Status reports an errored instance's error as an
// ErrorInfo with the same fields.
//
// In the run where the failure happened, Unwrap returns the callback's own error, so
// errors.Is and errors.As reach it; when the failure is replayed from storage only Name and
// Message remain. Code that must behave the same on every replay should look at those.
type Error struct {
	// Name is the error's class: NameError, NameNonRetryable, NameTimeout, NameFatal …
	Name string
	// Message is the text; Error returns it.
	Message string

	err error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the original error in the run where it happened, else nil.
func (e *Error) Unwrap() error { return e.err }

// NonRetryable marks err so that the step that returns it fails at once, without retries
// (WF-021). The step's error, and the instance's if run returns it, has the name
// NonRetryableError and err's message.
func NonRetryable(err error) error {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	return &Error{Name: NameNonRetryable, Message: msg, err: err}
}

// errSuspend unwinds run when the instance must stop for now (a sleep, an event wait, a
// retry delay, a pause, a termination). It is only ever returned by step functions.
var errSuspend = errors.New("workflows: instance suspended (return this error from run unchanged)")

// IsSuspend reports whether err means that the instance is suspending: a step function
// returned it because the run has to stop here and continue later (after a sleep, an
// event, a retry delay, a resume) or not at all (terminate). Run must return such errors
// unchanged or wrapped. The engine ignores run's result once a step has suspended it, and
// no new attempt starts in that run (see the package documentation).
func IsSuspend(err error) bool { return errors.Is(err, errSuspend) }

// errorInfo converts any error returned by a callback or by run into the stored form.
func errorInfo(err error) *ErrorInfo {
	var we *Error
	if errors.As(err, &we) {
		return &ErrorInfo{Name: we.Name, Message: err.Error()}
	}
	return &ErrorInfo{Name: NameError, Message: err.Error()}
}

// fromInfo rebuilds the error a stored ErrorInfo describes; orig, when known, is kept for
// Unwrap.
func fromInfo(info *ErrorInfo, orig error) error {
	if info == nil {
		return &Error{Name: NameError, Message: "unknown error", err: orig}
	}
	return &Error{Name: info.Name, Message: info.Message, err: orig}
}

func fatalf(format string, args ...any) *Error {
	return &Error{Name: NameFatal, Message: fmt.Sprintf(format, args...)}
}

func panicError(p any) error {
	if err, ok := p.(error); ok {
		return fmt.Errorf("panic: %w", err)
	}
	return fmt.Errorf("panic: %v", p)
}
