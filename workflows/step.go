package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Step is the step API a run receives (the platform's WorkflowStep). Use it through Do,
// DoWith, Sleep, SleepUntil and WaitForEvent, from the run's goroutine or from goroutines
// the run starts and waits for (parallel steps). A Step is valid only during the run it was
// given to. The zero value is not usable: its functions return an error.
type Step struct{ p *pass }

var errNoStep = errors.New("workflows: step used outside a run")

// encodeError marks a callback result that cannot be encoded as JSON.
type encodeError struct{ err error }

func (e *encodeError) Error() string { return e.err.Error() }

// Do runs fn as the step name with the default configuration and returns its result,
// which is stored as JSON: when run executes again, Do returns the stored result (or
// stored failure) without calling fn (WF-013, WF-014). Calls with the same name are told
// apart by their order (WF-015). fn's context is cancelled at the attempt's timeout and when
// the instance is terminated. A failed fn is retried per StepConfig (WF-019); the error
// returned after the last attempt is an *Error.
//
// When the instance must stop here (a retry delay, a pause, a termination), Do returns an
// error for which IsSuspend is true; run must return it.
func Do[T any](s *Step, name string, fn func(ctx context.Context) (T, error)) (T, error) {
	return DoWith(s, name, StepConfig{}, fn)
}

// DoWith is Do with a step configuration: retries and a per-attempt timeout (WF-017…020).
// A config with negative numbers or an unknown backoff ends the instance with a fatal error.
func DoWith[T any](s *Step, name string, cfg StepConfig, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if s == nil || s.p == nil {
		return zero, errNoStep
	}
	var call func(context.Context) ([]byte, error)
	if fn != nil {
		call = func(ctx context.Context) ([]byte, error) {
			v, err := fn(ctx)
			if err != nil {
				return nil, err
			}
			b, err := marshal(v)
			if err != nil {
				return nil, &encodeError{err}
			}
			return b, nil
		}
	}
	raw, err := s.p.do(name, cfg, call)
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, &Error{Name: NameError, Message: fmt.Sprintf("cannot decode the result of step %q as %T: %v", name, v, err)}
	}
	return v, nil
}

// Sleep suspends the instance for d (WF-025). The run stops here and holds no goroutine or
// memory while it sleeps; it runs again from the top when d has passed, and Sleep then
// returns nil. Sleeps do not count toward the step limit. A d above 365 days ends the
// instance with a fatal error; d ≤ 0 returns at once.
func Sleep(s *Step, name string, d time.Duration) error {
	if s == nil || s.p == nil {
		return errNoStep
	}
	return s.p.sleep(name, d, time.Time{})
}

// SleepUntil suspends the instance until t (WF-026). A t in the past returns the error
// "You can't sleep until a time in the past, time-traveler" the first time the sleep is
// reached.
func SleepUntil(s *Step, name string, t time.Time) error {
	if s == nil || s.p == nil {
		return errNoStep
	}
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return s.p.sleep(name, 0, t)
}

// WaitForEvent suspends the instance until an event of eventType is sent to it and returns
// that event, its payload decoded as T (WF-027). Events sent before the instance waits are
// kept and delivered in order (WF-012). timeout ≤ 0 means 24 hours; when it passes first,
// WaitForEvent returns a WorkflowTimeoutError "Execution timed out after <ms>ms".
func WaitForEvent[T any](s *Step, name, eventType string, timeout time.Duration) (StepEvent[T], error) {
	var ev StepEvent[T]
	if s == nil || s.p == nil {
		return ev, errNoStep
	}
	raw, err := s.p.waitForEvent(name, eventType, timeout)
	if err != nil {
		return ev, err
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return StepEvent[T]{}, &Error{Name: NameError, Message: fmt.Sprintf("cannot decode the payload of event %q as %T: %v", eventType, ev.Payload, err)}
	}
	return ev, nil
}
