package kv

import (
	"errors"
	"strconv"
)

// ErrNotFound is returned by Get, GetText, GetJSON, GetStream and GetWithMetadata when the key
// does not exist or has expired: the platform's `null` (KV-001, KV-015). It is also the error
// a Driver returns from Get for such a key.
var ErrNotFound = errors.New("kv: key not found")

// ErrNotSerializable is the error of encoding a *Namespace (JSON, gob), the platform's
// DOMDataCloneError: a binding cannot cross an RPC boundary or be stored (KV-039).
var ErrNotSerializable = errors.New("A KV namespace binding cannot be serialized.")

// ErrClosed is returned by every operation on a Namespace after Close.
var ErrClosed = errors.New("kv: namespace closed")

// Sentinel kinds wrapped by *Error, so that callers can test for a class of failure with
// errors.Is without matching text. The text users see is the *Error's.
var (
	// ErrKeyTooLong: a key or list prefix over MaxKeySize UTF-8 bytes (414).
	ErrKeyTooLong = errors.New("kv: key too long")
	// ErrInvalidKey: a key the service refuses (bulk reads of "", "." or "..", invalid UTF-8).
	ErrInvalidKey = errors.New("kv: invalid key")
	// ErrValueTooLarge: a value over MaxValueSize bytes (413).
	ErrValueTooLarge = errors.New("kv: value too large")
	// ErrMetadataTooLarge: metadata whose JSON is over MaxMetadataSize bytes (413).
	ErrMetadataTooLarge = errors.New("kv: metadata too large")
	// ErrInvalidExpiration: an expiration or expiration TTL the platform refuses (400).
	ErrInvalidExpiration = errors.New("kv: invalid expiration")
	// ErrInvalidCacheTTL: a cache TTL under the namespace's minimum (400).
	ErrInvalidCacheTTL = errors.New("kv: invalid cache ttl")
	// ErrInvalidListOptions: a list limit out of range or a cursor this store did not issue (400).
	ErrInvalidListOptions = errors.New("kv: invalid list options")
	// ErrBulkRequest: a bulk read with too many or too few keys, or a json read of a value
	// that is not JSON (400).
	ErrBulkRequest = errors.New("kv: invalid bulk request")
	// ErrBulkTooLarge: a bulk read whose values add up to more than MaxBulkSize (413).
	ErrBulkTooLarge = errors.New("kv: bulk response too large")
	// ErrInternal: the driver failed; Unwrap reaches its error too (500).
	ErrInternal = errors.New("kv: internal error")
)

// Error is a failure the platform reports as a failed KV request. Its Error() is the
// platform's text, byte for byte: "KV <Op> failed: <Status> <Message>" (KV-006), so that tests
// written against the platform can assert on it.
//
// errors.Is matches the sentinel kind it carries (ErrKeyTooLong, ErrValueTooLarge, …) and,
// for a driver failure, the driver's error as well.
type Error struct {
	// Op is the platform's method name: "GET", "GET_BULK", "PUT" or "DELETE"; list failures
	// are reported as "GET", as the platform does.
	Op string
	// Status is the HTTP status the service answered with (400, 413, 414, 500).
	Status int
	// Message is the service's status text, e.g. "Value length of 26214401 exceeds limit of
	// 26214400."
	Message string

	kind  error
	cause error
}

func (e *Error) Error() string {
	return "KV " + e.Op + " failed: " + strconv.Itoa(e.Status) + " " + e.Message
}

// Unwrap gives the sentinel kind and, for a driver failure, the driver's error.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

// TypeError is an argument the platform's binding rejects before sending any request (a
// JavaScript TypeError there), such as an empty key. Its Error() is the platform's text.
type TypeError struct {
	// Message is the platform's text, e.g. "Key name cannot be empty."
	Message string
}

func (e *TypeError) Error() string { return e.Message }

// The TypeErrors of key names (KV-004) and put values (KV-008). They are returned as they are,
// so errors.Is(err, kv.ErrEmptyKey) works.
var (
	ErrEmptyKey  = &TypeError{Message: "Key name cannot be empty."}
	ErrDotKey    = &TypeError{Message: `"." is not allowed as a key name.`}
	ErrDotDotKey = &TypeError{Message: `".." is not allowed as a key name.`}
	// ErrInvalidValue is PutReader's error for a nil reader.
	ErrInvalidValue = &TypeError{Message: "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values."}
)

func newError(op string, status int, kind error, msg string) *Error {
	return &Error{Op: op, Status: status, Message: msg, kind: kind}
}
