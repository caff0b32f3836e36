package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Limits is the budget of one invocation, from the config's `limits` and the runner's
// switches. A zero field means "no limit".
type Limits struct {
	// CPU is the CPU time one invocation may use (limits.cpu_ms). Measured per request on the
	// thread that runs the handler; see Context.CPUTime.
	CPU time.Duration
	// Wall is the wall-clock time before the invocation is abandoned with 503.
	Wall time.Duration
	// Subrequests caps binding calls plus outbound fetches (limits.subrequests).
	Subrequests int
	// MaxURL, MaxHeaderBytes and MaxBody bound the request (414, 431, 413).
	MaxURL         int
	MaxHeaderBytes int
	MaxBody        int64
}

// ProductionLimits are the platform's numbers on the paid plan, applied by the runner's
// strict-limits switch: 30 s CPU, 10,000 subrequests, 16 KB URLs, 128 KB of
// headers and 100 MB bodies.
var ProductionLimits = Limits{
	CPU:            30 * time.Second,
	Subrequests:    10000,
	MaxURL:         16 << 10,
	MaxHeaderBytes: 128 << 10,
	MaxBody:        100 << 20,
}

// ErrSubrequestLimit is returned by a binding call or outbound fetch once the invocation has
// used its subrequest budget (W-016). Its text is the platform's.
var ErrSubrequestLimit = errors.New("Too many subrequests.")

// ErrCPULimit is the error of an invocation that went over its CPU budget (W-012, 1102).
var ErrCPULimit = errors.New("Worker exceeded CPU time limit.")

// LimitError says which budget an invocation exceeded; it wraps ErrSubrequestLimit or
// ErrCPULimit, so errors.Is works on it.
type LimitError struct {
	// Limit names the budget: "subrequests" or "cpu".
	Limit string
	// Used and Max are the amounts (a count, or nanoseconds for cpu).
	Used, Max int64
	err       error
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s (%s: %d of %d)", e.err.Error(), e.Limit, e.Used, e.Max)
}

func (e *LimitError) Unwrap() error { return e.err }

// meter is the part of an invocation that binding calls report to.
type meter struct {
	limits      Limits
	subrequests atomic.Int64
	slotsOnce   sync.Once
	slots       chan struct{}
}

type meterKey struct{}

// Subrequest records one subrequest (a binding call or an outbound fetch) against the budget
// of the invocation ctx belongs to, and returns a *LimitError wrapping ErrSubrequestLimit when
// that budget is spent. Outside an invocation (a plain context, a unit test with a
// struct-literal Env) it records nothing and returns nil. Bindings call it on every operation.
func Subrequest(ctx context.Context) error {
	m, _ := ctx.Value(meterKey{}).(*meter)
	if m == nil {
		return nil
	}
	n := m.subrequests.Add(1)
	if max := int64(m.limits.Subrequests); max > 0 && n > max {
		return &LimitError{Limit: "subrequests", Used: n, Max: max, err: ErrSubrequestLimit}
	}
	return nil
}

func (m *meter) connSlots() chan struct{} {
	m.slotsOnce.Do(func() { m.slots = make(chan struct{}, maxOpenConnections) })
	return m.slots
}
