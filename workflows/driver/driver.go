package driver

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by ReadTx.Instance and the writes that need an existing instance
// when no instance has the id.
var ErrNotFound = errors.New("driver: instance not found")

// ErrExists is returned by Tx.Insert when an instance with the id already exists.
var ErrExists = errors.New("driver: instance already exists")

// Driver stores one workflow's instances. Its methods are safe for concurrent use.
type Driver interface {
	// View runs fn with read access. Reads see every Update that returned before View began.
	View(ctx context.Context, fn func(ReadTx) error) error
	// Update runs fn with write access as one atomic, durable transaction: when Update
	// returns nil every write of fn is on disk; when fn returns an error none is kept and
	// Update returns that error. Updates run one after another, never interleaved. fn must
	// not call View or Update itself.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the driver; calls after Close fail.
	Close() error
}

// ReadTx reads one workflow's rows. A ReadTx is valid only inside the View or Update call
// that provided it.
type ReadTx interface {
	// Instance returns the instance without its Params, or ErrNotFound.
	Instance(id string) (Instance, error)
	// Head returns the instance's generation and status (what a run checks before each
	// write), or ErrNotFound.
	Head(id string) (gen int64, status Status, err error)
	// Params returns the instance's creation parameters (JSON), or ErrNotFound.
	Params(id string) ([]byte, error)
	// Steps returns the instance's steps ordered by Seq.
	Steps(instanceID string) ([]Step, error)
	// Waiting reports whether the instance has a step in state StepWaiting of kind
	// KindWaitForEvent for eventType.
	Waiting(instanceID, eventType string) (bool, error)
	// List returns instances newest first (by Created, then ID descending), without Params,
	// Output or Error, filtered by f.
	List(f Filter) ([]Instance, error)
	// Count returns how many instances there are in each status.
	Count() (map[Status]int, error)
	// Due returns up to limit ids whose WakeAt is set and not after now, with Queued equal
	// to queued, soonest WakeAt first.
	Due(now time.Time, queued bool, limit int) ([]string, error)
	// NextWake returns the soonest WakeAt after the given time, and false when there is none.
	NextWake(after time.Time) (time.Time, bool, error)
	// Meta returns a metadata value and whether it is set.
	Meta(key string) (string, bool, error)
}

// Tx reads and writes inside one Update.
type Tx interface {
	ReadTx
	// Insert adds an instance with its Params, or returns ErrExists.
	Insert(Instance) error
	// Update rewrites every field of an existing instance except ID, Params and Created,
	// or returns ErrNotFound.
	Update(Instance) error
	// Delete removes an instance with its steps and events, or returns ErrNotFound.
	Delete(id string) error
	// ClearHistory removes an instance's steps and pending events (a restart).
	ClearHistory(instanceID string) error
	// PutStep inserts or replaces the step with the same InstanceID, Kind, Name and
	// Occurrence.
	PutStep(Step) error
	// AddEvent stores an event for the instance; events keep the order they were added in.
	AddEvent(Event) error
	// TakeEvent removes and returns the oldest event of eventType for the instance;
	// false when there is none.
	TakeEvent(instanceID, eventType string) (Event, bool, error)
	// SetMeta sets a metadata value.
	SetMeta(key, value string) error
}

// Status is an instance's status, with the platform's names.
type Status string

// The platform's instance statuses (WF-007).
const (
	StatusQueued          Status = "queued"
	StatusRunning         Status = "running"
	StatusPaused          Status = "paused"
	StatusErrored         Status = "errored"
	StatusTerminated      Status = "terminated"
	StatusComplete        Status = "complete"
	StatusWaiting         Status = "waiting"
	StatusWaitingForPause Status = "waitingForPause"
	StatusUnknown         Status = "unknown"
)

// Finished reports whether s is final: complete, errored or terminated.
func (s Status) Finished() bool {
	return s == StatusComplete || s == StatusErrored || s == StatusTerminated
}

// ErrorInfo is a stored error: the platform's {name, message}.
type ErrorInfo struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// Instance is one workflow instance's row.
type Instance struct {
	// ID is the instance id.
	ID string
	// Gen counts restarts and terminations; a run of the instance writes only while the
	// generation it started with is current.
	Gen int64
	// Status is the current status.
	Status Status
	// Params is the creation parameters as JSON. Only Insert and ReadTx.Params use it.
	Params []byte
	// Created is when the instance was queued; Started when it first ran (zero before);
	// Ended when it finished (zero before); Paused when it was last paused (zero unless
	// paused).
	Created, Started, Ended, Paused time.Time
	// WakeAt is when the scheduler should run the instance next; zero for never.
	WakeAt time.Time
	// Queued marks a wake-up that is a first start rather than a return from sleep, so that
	// returning instances go first.
	Queued bool
	// Output is the run's result as JSON once complete.
	Output []byte
	// Error is the run's error once errored.
	Error *ErrorInfo
	// EventBytes is the size of the event payloads sent to the instance; with its step
	// results it makes the instance's stored state.
	EventBytes int64
}

// StepKind says what made a step: the platform's step types.
type StepKind string

// Step kinds.
const (
	KindDo           StepKind = "step"
	KindSleep        StepKind = "sleep"
	KindWaitForEvent StepKind = "waitForEvent"
)

// StepState is where a step is.
type StepState string

// Step states.
const (
	// StepRunning: an attempt has started and not ended.
	StepRunning StepState = "running"
	// StepWaiting: a sleep, an event wait, or a retry delay runs until WakeAt.
	StepWaiting StepState = "waiting"
	// StepComplete: done, with Output for do and event steps.
	StepComplete StepState = "complete"
	// StepErrored: failed for good, with Error.
	StepErrored StepState = "errored"
)

// Step is one step.do, step.sleep or step.waitForEvent of an instance, keyed by kind, name
// and occurrence (the n-th call with that name in one run, from 1).
type Step struct {
	InstanceID string
	Kind       StepKind
	Name       string
	Occurrence int
	// Seq orders steps by first start; DoneSeq by completion (0 until complete).
	Seq, DoneSeq int64
	State        StepState
	// Config is the resolved step configuration as JSON, fixed at the first attempt.
	Config []byte
	// Start and End bound the step; End is zero until it completes or fails.
	Start, End time.Time
	// WakeAt is when a sleep ends, an event wait times out or the next retry is due.
	WakeAt time.Time
	// EventType is the type a waitForEvent step waits for.
	EventType string
	// Output is the step's result (do) or the event received (waitForEvent), as JSON.
	Output []byte
	// Error is the step's final error.
	Error *ErrorInfo
	// Attempts lists a do step's attempts in order.
	Attempts []Attempt
}

// Attempt is one execution of a do step's callback.
type Attempt struct {
	Start time.Time  `json:"start"`
	End   time.Time  `json:"end,omitzero"`
	Error *ErrorInfo `json:"error,omitempty"`
}

// Event is an event sent to an instance and not yet taken by a waitForEvent.
type Event struct {
	InstanceID string
	Type       string
	Payload    []byte
	Timestamp  time.Time
}

// Filter narrows ReadTx.List.
type Filter struct {
	// Status keeps instances in one of these statuses; empty keeps all.
	Status []Status
	// Offset skips that many instances; Limit caps the result (0: no cap).
	Offset, Limit int
}
