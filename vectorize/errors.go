package vectorize

import (
	"errors"
	"fmt"
)

// Operation names the binding call an Error belongs to; it prefixes the message as on the
// platform (VZ-020).
type Operation string

// The platform's operation names.
const (
	OpIndexGet Operation = "INDEX_GET"
	OpQuery    Operation = "VECTOR_QUERY"
	OpInsert   Operation = "VECTOR_INSERT"
	OpUpsert   Operation = "VECTOR_UPSERT"
	OpGet      Operation = "VECTOR_GET"
	OpDelete   Operation = "VECTOR_DELETE"
)

// Error is a refused or failed operation. Its text is the platform's:
// "<OP>_ERROR (code = N): message", or "<OP>_ERROR: message" when the platform's code for the
// failure is not known (Code 0), or just the message for errors that are not an operation's
// (configuration, catalog, client-side option checks).
type Error struct {
	Op Operation
	// Code is the platform's error code, 0 when unknown.
	Code int
	// Message is the raw message (the platform's cause.message).
	Message string
	// Err is the sentinel this error is an instance of, for errors.Is.
	Err error
}

// Error returns the platform's text for the error.
func (e *Error) Error() string {
	switch {
	case e.Op == "":
		if e.Code != 0 {
			return fmt.Sprintf("%s (code = %d)", e.Message, e.Code)
		}
		return e.Message
	case e.Code != 0:
		return fmt.Sprintf("%s_ERROR (code = %d): %s", e.Op, e.Code, e.Message)
	default:
		return fmt.Sprintf("%s_ERROR: %s", e.Op, e.Message)
	}
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Sentinels: every *Error wraps one of them.
var (
	// ErrInvalidVector: a vector's values do not match the index dimensions (codes 40006 for a
	// query vector, 40012 for a stored one) or are missing.
	ErrInvalidVector = errors.New("vectorize: invalid vector")
	// ErrIDTooLong: an id is empty or longer than 64 bytes (40008).
	ErrIDTooLong = errors.New("vectorize: invalid vector id")
	// ErrNamespaceTooLong: a namespace is longer than 64 bytes.
	ErrNamespaceTooLong = errors.New("vectorize: namespace too long")
	// ErrMetadataTooLarge: metadata over 10 KiB as compact JSON (40016).
	ErrMetadataTooLarge = errors.New("vectorize: metadata too large")
	// ErrInvalidMetadata: a metadata key or value the platform refuses.
	ErrInvalidMetadata = errors.New("vectorize: invalid metadata")
	// ErrBatchTooLarge: more than 1000 vectors in one write (5000 through the CLI).
	ErrBatchTooLarge = errors.New("vectorize: batch too large")
	// ErrTooManyIDs: more ids than getByIds (20) or deleteByIds (100) take (40007).
	ErrTooManyIDs = errors.New("vectorize: too many ids")
	// ErrIndexFull: the index would hold more than 5,000,000 vectors or 50,000 namespaces.
	ErrIndexFull = errors.New("vectorize: index full")
	// ErrTopKTooLarge: topK over 100, or over 20 with values or all metadata (40025).
	ErrTopKTooLarge = errors.New("vectorize: topK too large")
	// ErrInvalidTopK: topK below 1.
	ErrInvalidTopK = errors.New("vectorize: invalid topK")
	// ErrInvalidReturnMetadata: returnMetadata is not none, indexed or all (VZ-009).
	ErrInvalidReturnMetadata = errors.New("vectorize: invalid returnMetadata")
	// ErrInvalidFilter: a filter the platform refuses (VZ-010, VZ-011).
	ErrInvalidFilter = errors.New("vectorize: invalid filter")
	// ErrInvalidConfig: bad dimensions, metric or index name (VZ-001).
	ErrInvalidConfig = errors.New("vectorize: invalid index configuration")
	// ErrIndexNotFound: no index of that name (code 3000).
	ErrIndexNotFound = errors.New("vectorize: index not found")
	// ErrIndexExists: an index of that name exists, or existed and was deleted (3002, VZ-001).
	ErrIndexExists = errors.New("vectorize: index already exists")
	// ErrInvalidMetadataIndex: bad property name or type, or more than 10 metadata indexes.
	ErrInvalidMetadataIndex = errors.New("vectorize: invalid metadata index")
	// ErrMetadataIndexNotFound: deleting a metadata index that does not exist (40005).
	ErrMetadataIndexNotFound = errors.New("vectorize: metadata index not found")
	// ErrClosed: the index was closed.
	ErrClosed = errors.New("vectorize: index closed")
)

func invalidReturnMetadata(got string) error {
	return &Error{
		Message: `Invalid returnMetadata option. Expected: true, false, "none", "indexed" or "all"; got: ` + got,
		Err:     ErrInvalidReturnMetadata,
	}
}

// opError wraps a storage failure that is not one of the platform's refusals.
func opError(op Operation, err error) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Op == "" && e.Err != ErrInvalidConfig && e.Err != ErrIndexNotFound && e.Err != ErrClosed {
			c := *e
			c.Op = op
			return &c
		}
		return err
	}
	return fmt.Errorf("%s_ERROR: %w", op, err)
}
