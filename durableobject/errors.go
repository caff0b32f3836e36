package durableobject

import (
	"errors"
	"fmt"
)

// Errors whose text is the platform's, so that tests written against the platform's messages
// keep passing. Compare with errors.Is: most are returned wrapped.
var (
	// ErrIDFormat is returned by IDFromString for a string that is not 64 hex digits (DO-005).
	ErrIDFormat = errors.New("Invalid Durable Object ID: must be 64 hex digits")
	// ErrIDNamespace is returned for a well-formed ID minted by another namespace (DO-005).
	ErrIDNamespace = errors.New("Durable Object ID is not valid for this namespace.")
	// ErrOverloaded is returned when an object's queue of pending events is full (DO-013).
	// The platform marks it overloaded: retrying makes it worse.
	ErrOverloaded = errors.New("Durable Object is overloaded. Too many requests queued.")
	// ErrJurisdiction is returned by Namespace.Jurisdiction: locally, as in the platform's
	// local runtime, jurisdictions are not implemented (DO-009).
	ErrJurisdiction = errors.New("Jurisdiction restrictions are not implemented in workerd.")
	// ErrNoFetch is returned by Stub.Fetch when the class has no Fetch method.
	ErrNoFetch = errors.New("Handler does not export a fetch() function.")
	// ErrUndefinedValue is returned by Put for a nil value (DO-028).
	ErrUndefinedValue = errors.New("put() called with undefined value.")
	// ErrListLimit is returned by List for a zero or negative Limit (DO-035).
	ErrListLimit = errors.New("List limit must be positive.")
	// ErrListStartAfter is returned by List when both Start and StartAfter are set.
	ErrListStartAfter = errors.New("list() cannot be called with both start and startAfter values.")
	// ErrDeleteAllInTransaction is returned by Txn.DeleteAll (DO-036).
	ErrDeleteAllInTransaction = errors.New("Cannot call deleteAll() within a transaction")
	// ErrSQLNotEnabled is returned by the SQL API of a class declared with key-value storage
	// (LegacyKV) (DO-039).
	ErrSQLNotEnabled = errors.New("SQL is not enabled for this Durable Object class. To enable it, change `new_classes` to `new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or wrangler.toml file. If using workerd directly,set `enableSql = true` in your workerd config for the class. Note that this change cannot be made after the class is already deployed to production.")
	// ErrNotSQLBacked is returned by TransactionSync on a key-value backed class.
	ErrNotSQLBacked = errors.New("Durable Object is not backed by SQL.")
	// ErrNoStatement is returned by SQL.Exec for SQL without a statement (DO-044).
	ErrNoStatement = errors.New("SQL code did not contain a statement.")
	// ErrBindings is returned by SQL.Exec when the number of arguments does not match the
	// statement's parameters (DO-045).
	ErrBindings = errors.New("Wrong number of parameter bindings for SQL query.")
	// ErrMultiStatementParams is returned when a statement other than the last of a
	// multi-statement Exec has parameters.
	ErrMultiStatementParams = errors.New("When executing multiple SQL statements in a single call, only the last statement can have parameters.")
	// ErrTransactionSQL is returned for BEGIN, COMMIT, SAVEPOINT and friends in SQL.Exec
	// (DO-047): transactions go through Storage.Transaction and TransactionSync.
	ErrTransactionSQL = errors.New("To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.")
	// ErrOneMultiple and ErrOneNone are Cursor.One's errors (DO-042).
	ErrOneMultiple = errors.New("Expected exactly one result from SQL query, but got multiple results.")
	ErrOneNone     = errors.New("Expected exactly one result from SQL query, but got no results.")
	// ErrAlarmTime is returned by SetAlarm for a time at or before the Unix epoch (DO-055).
	ErrAlarmTime = errors.New("setAlarm() cannot be called with an alarm time <= 0")
	// ErrEventTimeout is returned by SetHibernatableWebSocketEventTimeout above 7 days (DO-070).
	ErrEventTimeout = errors.New("Event timeout should not exceed 604800000 ms.")
	// ErrTooManyTags is returned by AcceptWebSocket for more than 10 distinct tags (DO-064).
	ErrTooManyTags = errors.New("a Hibernatable WebSocket cannot have more than 10 tags")
	// ErrTooManyWebSockets is returned by AcceptWebSocket past 32,768 sockets (DO-071).
	ErrTooManyWebSockets = errors.New("Too many hibernatable WebSockets: at most 32768 per Durable Object.")
	// ErrAlreadyAccepted is returned by AcceptWebSocket for a socket accepted before.
	ErrAlreadyAccepted = errors.New("Cannot call `acceptWebSocket()` on this WebSocket because its pair has already been accepted or used in a Response.")
	// ErrNotHibernatable is returned by GetTags for a socket this object did not accept (DO-066).
	ErrNotHibernatable = errors.New("getTags() can only be called on WebSockets accepted via acceptWebSocket()")
	// ErrWebSocketClosed is returned by WebSocket.Send after Close.
	ErrWebSocketClosed = errors.New("Can't call WebSocket send() after close().")

	// ErrCallCycle is wrapped by *CycleError.
	ErrCallCycle = errors.New("durableobject: call cycle")
	// ErrNotStarted is returned by calls made before Engine.Start.
	ErrNotStarted = errors.New("durableobject: engine not started")
	// ErrClosed is returned by calls made after Engine.Close.
	ErrClosed = errors.New("durableobject: engine closed")
	// ErrUnknownClass is wrapped by Engine.Namespace for a class nobody registered.
	ErrUnknownClass = errors.New("durableobject: unknown class")
	// ErrInUse is wrapped by DirDriver's OpenObject and RemoveObject when another process (a
	// second runner on the same directory) has the object's database open: an object lives
	// in one process at a time.
	ErrInUse = errors.New("durableobject: object is open in another process")
	// ErrNotSerializable is wrapped by the serialisation checks of RPC arguments and results.
	ErrNotSerializable = errors.New("durableobject: value is not serializable")
)

// RangeError is a limit the platform reports as a RangeError: its message is the platform's.
type RangeError struct {
	// Msg is the full message, e.g. "Keys cannot be larger than 2048 bytes. A key of size 2049
	// was provided."
	Msg string
}

// Error returns Msg.
func (e *RangeError) Error() string { return e.Msg }

func keyTooLarge(n int) error {
	return &RangeError{Msg: fmt.Sprintf("Keys cannot be larger than %d bytes. A key of size %d was provided.", maxKeySize, n)}
}

func valueTooLarge(n int) error {
	return &RangeError{Msg: fmt.Sprintf("Values cannot be larger than %d bytes. A value of size %d was provided.", maxValueSize, n)}
}

func tooManyPairs(n int) error {
	return &RangeError{Msg: fmt.Sprintf("Maximum number of key value pairs is %d. %d pairs were provided.", maxPairs, n)}
}

// RemoteError wraps an error that the object's own code returned or panicked with (DO-012):
// the platform marks such errors `remote`. errors.Is and errors.As see through it.
type RemoteError struct {
	// Err is the object's error.
	Err error
}

// Error is the object's error's text, unchanged.
func (e *RemoteError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *RemoteError) Unwrap() error { return e.Err }

// IsRemote reports whether err came from the object's own code rather than the engine.
func IsRemote(err error) bool {
	var r *RemoteError
	return errors.As(err, &r)
}

// PanicError is what a caller gets when the object's handler or constructor panicked. The
// object was reset: its in-memory instance is dropped, the turn's writes are rolled back and the
// next event runs a fresh constructor.
type PanicError struct {
	// Value is what the handler panicked with.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error describes the panic.
func (e *PanicError) Error() string {
	return fmt.Sprintf("durableobject: handler panicked: %v", e.Value)
}

// AbortError is what callers get after State.Abort reset the object (DO-024).
type AbortError struct {
	// Reason is the text given to Abort.
	Reason  string
	noRetry bool
}

// Error returns Reason.
func (e *AbortError) Error() string { return e.Reason }

// CycleError is returned instead of deadlocking when an object's turn, directly or through
// other objects, calls back into itself (A→B→A). It wraps ErrCallCycle.
type CycleError struct {
	// Class and ID name the object the call would have re-entered.
	Class string
	ID    string
}

// Error names the object the call would have re-entered.
func (e *CycleError) Error() string {
	return fmt.Sprintf("durableobject: call cycle: %s %s is already handling the event that made this call", e.Class, e.ID)
}

// Unwrap returns ErrCallCycle.
func (e *CycleError) Unwrap() error { return ErrCallCycle }

// SQLError is an error of the SQL API: Msg ends with the SQLite result code the way the
// platform reports it ("datatype mismatch: SQLITE_MISMATCH") (DO-046).
type SQLError struct {
	// Msg is the platform-shaped message.
	Msg string
	// Code is SQLite's primary result code (1 for SQLITE_ERROR …), 0 when not from SQLite.
	Code int
	// Offset is the byte offset of a syntax error in the statement, or -1.
	Offset int
}

// Error returns Msg.
func (e *SQLError) Error() string { return e.Msg }
