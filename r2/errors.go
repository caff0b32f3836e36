package r2

import (
	"errors"
	"strconv"
)

// Error is an error the platform's R2 service reports, in its format:
// "<op>: <message> (<code>)", for example
// "get: The requested range is not satisfiable (10039)" (R2-004).
//
// errors.Is matches two *Error values by Code alone, so a caller can test an operation's
// error against the package's sentinels without caring which operation failed:
//
//	errors.Is(err, r2.ErrInvalidObjectName)
type Error struct {
	// Op is the binding method that failed, as the platform names it: "get", "put",
	// "completeMultipartUpload"... Empty in the package's sentinels.
	Op string
	// Code is the platform's v4 error code, e.g. 10020.
	Code int
	// Message is the platform's text, without the op prefix and the code suffix.
	Message string
	// Status is the HTTP status the S3 API answers this error with.
	Status int
}

// Error returns "<op>: <message> (<code>)", or "<message> (<code>)" without an op.
func (e *Error) Error() string {
	msg := e.Message + " (" + strconv.Itoa(e.Code) + ")"
	if e.Op == "" {
		return msg
	}
	return e.Op + ": " + msg
}

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// withOp returns a copy of e naming op, or err unchanged when it is not an *Error.
func withOp(err error, op string) error {
	var e *Error
	if !errors.As(err, &e) || e.Op != "" {
		return err
	}
	c := *e
	c.Op = op
	return &c
}

func newError(code, status int, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: status}
}

// The platform's errors, one per v4 code. Operations return copies carrying their Op;
// compare with errors.Is.
var (
	ErrInternal             = newError(10001, 500, "We encountered an internal error. Please try again.")
	ErrNoSuchKey            = newError(10007, 404, "The specified key does not exist.")
	ErrEntityTooSmall       = newError(10011, 400, "Your proposed upload is smaller than the minimum allowed object size.")
	ErrMetadataTooLarge     = newError(10012, 400, "Your metadata headers exceed the maximum allowed metadata size.")
	ErrInvalidObjectName    = newError(10020, 400, "The specified object name is not valid.")
	ErrInvalidMaxKeys       = newError(10022, 400, "MaxKeys params must be positive integer <= 1000.")
	ErrNoSuchUpload         = newError(10024, 404, "The specified multipart upload does not exist.")
	ErrInvalidPart          = newError(10025, 400, "One or more of the specified parts could not be found.")
	ErrPreconditionFailed   = newError(10031, 412, "At least one of the pre-conditions you specified did not hold.")
	ErrBadDigest            = newError(10037, 400, "The checksum you specified did not match what we received.")
	ErrInvalidRange         = newError(10039, 416, "The requested range is not satisfiable")
	ErrBadUpload            = newError(10048, 400, "There was a problem with the multipart upload.")
	ErrEntityTooLarge       = newError(100100, 400, "Your proposed upload exceeds the maximum allowed object size.")
	errMultipartUnsupported = newError(10001, 501, "This bucket's storage does not support multipart uploads.")
)

// ErrNotFound is returned by Head and Get for a key that holds no object, where the
// platform resolves null (R2-001). It is the same value as ErrNoSuchKey.
var ErrNotFound = ErrNoSuchKey

// ErrInvalidArgument matches every *ArgumentError.
var ErrInvalidArgument = errors.New("r2: invalid argument")

// ArgumentError is a call the platform rejects before it reaches storage: in JavaScript a
// TypeError, RangeError or Error thrown by the binding. Its Error() is the platform's
// text alone, so tests can compare it byte for byte.
type ArgumentError struct {
	// Kind is the JavaScript error class: "TypeError", "RangeError" or "Error".
	Kind string
	// Message is the platform's text.
	Message string
}

// Error returns the platform's text.
func (e *ArgumentError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrInvalidArgument) true.
func (e *ArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

func typeError(msg string) error  { return &ArgumentError{Kind: "TypeError", Message: msg} }
func rangeError(msg string) error { return &ArgumentError{Kind: "RangeError", Message: msg} }
func plainError(msg string) error { return &ArgumentError{Kind: "Error", Message: msg} }

// ErrClosed is returned by operations on a bucket whose storage was closed.
var ErrClosed = errors.New("r2: bucket closed")
