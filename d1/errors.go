package d1

import (
	"errors"
	"strconv"
)

// Error codes: the prefix of every error the binding returns, as the platform writes them.
const (
	CodeError          = "D1_ERROR"
	CodeTypeError      = "D1_TYPE_ERROR"
	CodeColumnNotFound = "D1_COLUMN_NOTFOUND"
	CodeExecError      = "D1_EXEC_ERROR"
	CodeSessionError   = "D1_SESSION_ERROR"
)

// Error is every error the binding returns: Error() is "<Code>: <Message>", the platform's
// text (D1-020), and Unwrap gives the cause (a *SQLiteError, a sentinel such as
// ErrWrongParamCount, a context error, or worker.ErrSubrequestLimit's *worker.LimitError).
type Error struct {
	// Code is one of the Code* constants.
	Code string
	// Message is the text after the code: the platform's cause.message.
	Message string
	// Err is the cause, or nil.
	Err error
}

// Error is "<Code>: <Message>".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the code sentinels (ErrD1, ErrType, ErrColumnNotFound, ErrExec, ErrSession):
// errors.Is(err, d1.ErrType) holds for every D1_TYPE_ERROR.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Err == nil && t.Code == e.Code
}

// Code sentinels, for errors.Is.
var (
	ErrD1             = &Error{Code: CodeError}
	ErrType           = &Error{Code: CodeTypeError}
	ErrColumnNotFound = &Error{Code: CodeColumnNotFound}
	ErrExec           = &Error{Code: CodeExecError}
	ErrSession        = &Error{Code: CodeSessionError}
)

// Causes under a D1_ERROR whose text is the platform's. Their capitals and full stops are
// the platform's too, so that tests matching the message keep passing.
var (
	// ErrNoStatements: the query held only whitespace and comments (D1-025).
	ErrNoStatements = errors.New("No SQL statements detected.")
	// ErrWrongParamCount: the arguments do not match the statement's parameters.
	ErrWrongParamCount = errors.New("Wrong number of parameter bindings for SQL query.")
	// ErrParamsBeforeLast: a text of several statements has parameters before the last
	// one (D1-019).
	ErrParamsBeforeLast = errors.New("When executing multiple SQL statements in a single call, only the last statement can have parameters.")
	// ErrNamedParams: the statement uses :name, @name or $name, which D1 does not bind
	// (D1-005). The message names the parameter.
	ErrNamedParams = errors.New("Named parameters are not supported, use ? or ?NNN")
)

// Errors of this package and its drivers.
var (
	// ErrClosed is the cause of every call on a closed Database.
	ErrClosed = errors.New("d1: database is closed")
	// ErrTimeTravelUnsupported: the driver keeps no history (an in-memory database, or one
	// opened with history off).
	ErrTimeTravelUnsupported = errors.New("d1: time travel is not available for this database")
	// ErrInvalidBookmark: the string is not a bookmark of this database.
	ErrInvalidBookmark = errors.New("d1: invalid bookmark")
	// ErrOutsideRetention: the bookmark or time is older than the history kept.
	ErrOutsideRetention = errors.New("d1: outside the time travel retention window")
)

// SQLiteError is an error of the SQLite engine: Error() is the platform's form, the
// engine's message followed by the primary result code's name, e.g.
// "no such table: x: SQLITE_ERROR" (D1-020). Err is the driver's own error value.
type SQLiteError struct {
	// Code is the extended result code (SQLITE_CONSTRAINT_UNIQUE is 2067).
	Code int
	// Message is sqlite3_errmsg: "UNIQUE constraint failed: users.email".
	Message string
	Err     error
}

// Error is "<Message>: <primary code name>".
func (e *SQLiteError) Error() string { return e.Message + ": " + CodeName(e.Code) }

// Unwrap returns the driver's error.
func (e *SQLiteError) Unwrap() error { return e.Err }

// CodeName returns the name of a SQLite result code's primary code, e.g. "SQLITE_CONSTRAINT"
// for 2067.
func CodeName(code int) string {
	if n, ok := codeNames[code&0xff]; ok {
		return n
	}
	return "SQLITE_ERROR(" + strconv.Itoa(code) + ")"
}

var codeNames = map[int]string{
	0: "SQLITE_OK", 1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
	5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY",
	9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND",
	13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL", 16: "SQLITE_EMPTY",
	17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH",
	21: "SQLITE_MISUSE", 22: "SQLITE_NOLFS", 23: "SQLITE_AUTH", 24: "SQLITE_FORMAT",
	25: "SQLITE_RANGE", 26: "SQLITE_NOTADB", 27: "SQLITE_NOTICE", 28: "SQLITE_WARNING",
}

// d1Error turns a driver or context error into the D1_ERROR the binding returns.
func d1Error(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	var se *StatementError
	if errors.As(err, &se) {
		err = se.Err
	}
	return &Error{Code: CodeError, Message: err.Error(), Err: err}
}
