package ai

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors. Every *Error a run returns wraps one of them (and the underlying cause,
// if any), so errors.Is tells the kind of failure without parsing messages.
var (
	// ErrNoProvider: no configured provider serves the model (code 5007).
	ErrNoProvider = errors.New("ai: no provider serves this model")
	// ErrInvalidInput: the input does not match the task's schema (codes 1001, 5006).
	ErrInvalidInput = errors.New("ai: invalid input")
	// ErrUnsupported: the provider serving the model cannot run the requested task.
	ErrUnsupported = errors.New("ai: task not supported by the provider")
	// ErrUpstream: the provider answered with an error or could not be reached.
	ErrUpstream = errors.New("ai: upstream error")
	// ErrTimeout: the gateway's request timeout expired before a response (code 3007).
	ErrTimeout = errors.New("ai: request timeout")
	// ErrAborted: the caller's context ended before the run finished.
	ErrAborted = errors.New("ai: aborted")
	// ErrInternal: the binding refused the call before running it (stream inputs, options).
	ErrInternal = errors.New("ai: internal error")
)

// Error is a failed run, shaped like the errors the platform's binding throws: Name is the
// error's name ("InvalidInput", "InferenceUpstreamError", "AiInternalError", "AbortError",
// ...), Message its message, which for coded errors reads "<code>: <description>".
type Error struct {
	// Name is the platform's error name.
	Name string
	// Code is the internal status code (1001, 5006, 5007, 3007, ...); 0 when there is none.
	Code int
	// Message is the platform's message text, "<Code>: <description>" when Code is set.
	Message string
	// Status is the HTTP status of the response that carried the error; 0 when the call
	// never produced one (aborted, refused before sending).
	Status int

	kind  error
	cause error
}

// Error returns "Name: Message", the way the platform's errors print.
func (e *Error) Error() string { return e.Name + ": " + e.Message }

// Unwrap gives the sentinel kind (ErrInvalidInput, ...) and the cause, if any.
func (e *Error) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.kind != nil {
		out = append(out, e.kind)
	}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// body is the JSON the platform's service answers an error with; RawResponse uses it so
// that ParseError reads back the same error.
func (e *Error) body() []byte {
	desc := e.Message
	if e.Code != 0 {
		desc = trimCode(e.Message, e.Code)
	}
	b, _ := json.Marshal(map[string]any{
		"internalCode": e.Code,
		"name":         e.Name,
		"description":  desc,
		"message":      e.Name + ": " + desc,
	})
	return b
}

func trimCode(msg string, code int) string {
	prefix := fmt.Sprintf("%d: ", code)
	if len(msg) >= len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

func newError(kind error, name string, code, status int, desc string) *Error {
	msg := desc
	if code != 0 {
		msg = fmt.Sprintf("%d: %s", code, desc)
	}
	return &Error{Name: name, Code: code, Message: msg, Status: status, kind: kind}
}

func invalidInput(format string, args ...any) *Error {
	return newError(ErrInvalidInput, "InvalidInput", 5006, http.StatusBadRequest, "Error: "+fmt.Sprintf(format, args...))
}

// noSuchModel is the platform's 5007 error; desc starts "No such model <name> or task".
func noSuchModel(desc string) *Error {
	return newError(ErrNoProvider, "InferenceUpstreamError", 5007, http.StatusBadRequest, desc)
}

func timeoutError() *Error {
	return newError(ErrTimeout, "InferenceUpstreamError", 3007, http.StatusRequestTimeout, "Request timeout")
}

func internalError(msg string) *Error {
	return newError(ErrInternal, "AiInternalError", 0, 0, msg)
}

func abortError(cause error) *Error {
	e := newError(ErrAborted, "AbortError", 0, 0, "The operation was aborted")
	e.cause = cause
	return e
}

// ParseError turns an error response of an inference service into the error the platform's
// binding would throw (AI-008): a JSON body with internalCode gives name = its "name" and
// message "<internalCode>: <description>"; one with errors[0] gives InferenceUpstreamError
// "<code>: <message>"; anything else gives InferenceUpstreamError whose message is the raw
// body. Status is recorded on the error. Providers call it on non-2xx answers.
func ParseError(status int, body []byte) *Error {
	var parsed struct {
		InternalCode int    `json:"internalCode"`
		Name         string `json:"name"`
		Description  string `json:"description"`
		Errors       []struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	e := &Error{Name: "InferenceUpstreamError", Message: string(body), Status: status, kind: ErrUpstream}
	if json.Unmarshal(body, &parsed) != nil {
		return e
	}
	switch {
	case parsed.InternalCode != 0:
		e.Name = parsed.Name
		e.Code = parsed.InternalCode
		e.Message = fmt.Sprintf("%d: %s", parsed.InternalCode, parsed.Description)
		if e.Name == "" {
			e.Name = "InferenceUpstreamError"
		}
		e.kind = kindOf(e.Code)
	case len(parsed.Errors) > 0:
		e.Message = fmt.Sprintf("%d: %s", parsed.Errors[0].Code, parsed.Errors[0].Message)
	}
	return e
}

// kindOf maps the platform's internal codes to the sentinel a Go caller tests for.
func kindOf(code int) error {
	switch code {
	case 1001, 5006:
		return ErrInvalidInput
	case 5007:
		return ErrNoProvider
	case 3007:
		return ErrTimeout
	}
	return ErrUpstream
}
