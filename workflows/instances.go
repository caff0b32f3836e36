package workflows

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/flarego/flarego/workflows/driver"
)

// NewInstance describes one instance to create: an id ("" for a random UUID, WF-003) and
// its params as JSON (nil for none).
type NewInstance struct {
	ID     string
	Params json.RawMessage
}

// Create stores new instances as queued, atomically, and returns their ids in order; they
// start running asynchronously (WF-003). It returns ErrInvalidID, ErrPayloadTooLarge or
// ErrAlreadyExists (and creates none) when one of them is not acceptable. This is the
// non-generic form behind Workflow.Create and the CLI's trigger.
func (e *Engine) Create(ctx context.Context, batch ...NewInstance) ([]string, error) {
	ids := make([]string, len(batch))
	for i, n := range batch {
		id := n.ID
		if id == "" {
			id = newUUID()
		}
		if !validID(id, MaxInstanceIDLength) {
			return nil, ErrInvalidID
		}
		if len(n.Params) > MaxPayloadBytes {
			return nil, ErrPayloadTooLarge
		}
		ids[i] = id
	}
	if e.isClosed() {
		return nil, ErrClosed
	}
	now := time.Now()
	err := e.drv.Update(ctx, func(tx driver.Tx) error {
		for i, n := range batch {
			err := tx.Insert(driver.Instance{ID: ids[i], Status: StatusQueued, Params: n.Params, Created: now,
				WakeAt: now, Queued: true})
			if errors.Is(err, driver.ErrExists) {
				return ErrAlreadyExists
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.wakeAt(now)
	e.notify()
	return ids, nil
}

// Status returns the instance's status, output, error and step outputs (WF-007, WF-032),
// or ErrNotFound.
func (e *Engine) Status(ctx context.Context, id string) (InstanceStatus, error) {
	var (
		in    driver.Instance
		steps []driver.Step
	)
	err := e.drv.View(ctx, func(tx driver.ReadTx) error {
		var err error
		if in, err = tx.Instance(id); err != nil {
			return err
		}
		steps, err = tx.Steps(id)
		return err
	})
	if errors.Is(err, driver.ErrNotFound) {
		return InstanceStatus{}, ErrNotFound
	}
	if err != nil {
		return InstanceStatus{}, err
	}
	return statusOf(in, steps), nil
}

func statusOf(in driver.Instance, steps []driver.Step) InstanceStatus {
	st := InstanceStatus{Status: in.Status, StepOutputs: []json.RawMessage{}, Error: in.Error}
	if in.Status == StatusComplete {
		st.Output = json.RawMessage(in.Output)
	}
	done := slices.DeleteFunc(slices.Clone(steps), func(s driver.Step) bool {
		return s.State != driver.StepComplete || s.Kind == driver.KindSleep
	})
	slices.SortFunc(done, func(a, b driver.Step) int { return cmp.Compare(a.DoneSeq, b.DoneSeq) })
	for _, s := range done {
		out := json.RawMessage(s.Output)
		if s.Kind == driver.KindWaitForEvent {
			var ev storedEvent
			if json.Unmarshal(s.Output, &ev) == nil {
				out = ev.Payload
			}
		}
		st.StepOutputs = append(st.StepOutputs, out)
	}
	return st
}

// Pause pauses the instance (WF-009): at once when it is queued or waiting, and at the end
// of the step in progress when it is running (status waitingForPause until then). Pausing a
// paused or finished instance does nothing, as on the local runtime.
func (e *Engine) Pause(ctx context.Context, id string) error {
	now := time.Now()
	pending := false
	err := e.change(ctx, id, func(tx driver.Tx, in *driver.Instance) (bool, error) {
		switch in.Status {
		case StatusQueued, StatusWaiting:
			in.Status, in.Paused, in.WakeAt = StatusPaused, now, time.Time{}
		case StatusRunning:
			in.Status, pending = StatusWaitingForPause, true
		default:
			return false, nil
		}
		return true, nil
	})
	if err == nil && pending {
		e.setPausePending(id, true)
	}
	return err
}

// setPausePending tells the live run of id, if any, whether a pause is pending.
func (e *Engine) setPausePending(id string, v bool) {
	e.mu.Lock()
	p := e.live[id]
	e.mu.Unlock()
	if p != nil {
		p.pausePending.Store(v)
	}
}

// Resume continues a paused instance from its last completed step, with its sleeps, retry
// delays and event timeouts moved later by the time it spent paused; on an instance waiting
// to pause it cancels the pause. Other statuses give ErrCannotResume (WF-009).
func (e *Engine) Resume(ctx context.Context, id string) error {
	now := time.Now()
	cancelled := false
	err := e.change(ctx, id, func(tx driver.Tx, in *driver.Instance) (bool, error) {
		switch in.Status {
		case StatusWaitingForPause:
			in.Status, cancelled = StatusRunning, true
			return true, nil
		case StatusPaused:
		default:
			return false, ErrCannotResume
		}
		if shift := now.Sub(in.Paused); shift > 0 && !in.Paused.IsZero() {
			steps, err := tx.Steps(in.ID)
			if err != nil {
				return false, err
			}
			for _, s := range steps {
				if s.State == driver.StepWaiting {
					s.WakeAt = s.WakeAt.Add(shift)
					if err := tx.PutStep(s); err != nil {
						return false, err
					}
				}
			}
		}
		in.Status, in.Paused, in.WakeAt, in.Queued = StatusRunning, time.Time{}, now, false
		if in.Started.IsZero() {
			in.Status, in.Queued = StatusQueued, true
		}
		return true, nil
	})
	if err == nil && cancelled {
		e.setPausePending(id, false)
	}
	return err
}

// Terminate ends the instance now (WF-010): no more steps run and a step in progress has
// its context cancelled. It returns ErrCannotTerminate for a complete, errored or
// terminated instance.
func (e *Engine) Terminate(ctx context.Context, id string) error {
	now := time.Now()
	return e.change(ctx, id, func(tx driver.Tx, in *driver.Instance) (bool, error) {
		if in.Status.Finished() {
			return false, ErrCannotTerminate
		}
		in.Gen++
		in.Status, in.Ended, in.Paused, in.WakeAt = StatusTerminated, now, time.Time{}, time.Time{}
		return true, nil
	})
}

// Restart discards the instance's stored steps and pending events and runs it again from
// the beginning with its original params (WF-011), whatever its status.
func (e *Engine) Restart(ctx context.Context, id string) error {
	now := time.Now()
	return e.change(ctx, id, func(tx driver.Tx, in *driver.Instance) (bool, error) {
		if err := tx.ClearHistory(in.ID); err != nil {
			return false, err
		}
		*in = driver.Instance{ID: in.ID, Gen: in.Gen + 1, Status: StatusQueued, Created: in.Created,
			WakeAt: now, Queued: true}
		return true, nil
	})
}

// SendEvent delivers an event to the instance (WF-012): it wakes a WaitForEvent for the
// same type, or is kept until one asks for it. payload is JSON (nil for null). It returns
// ErrCannotSendEvent when the instance is complete, errored or terminated.
func (e *Engine) SendEvent(ctx context.Context, id, eventType string, payload json.RawMessage) error {
	if eventType == "" {
		return ErrInvalidEventType
	}
	if len(payload) > MaxPayloadBytes {
		return ErrPayloadTooLarge
	}
	now := time.Now()
	return e.change(ctx, id, func(tx driver.Tx, in *driver.Instance) (bool, error) {
		if in.Status.Finished() {
			return false, ErrCannotSendEvent
		}
		if err := tx.AddEvent(driver.Event{InstanceID: in.ID, Type: eventType, Payload: payload, Timestamp: now}); err != nil {
			return false, err
		}
		in.EventBytes += int64(len(payload))
		switch in.Status {
		case StatusWaiting, StatusRunning, StatusWaitingForPause:
			waiting, err := tx.Waiting(in.ID, eventType)
			if err != nil {
				return false, err
			}
			if waiting && (in.WakeAt.IsZero() || in.WakeAt.After(now)) {
				in.WakeAt, in.Queued = now, false
			}
		}
		return true, nil
	})
}

// Delete removes the instance and everything stored for it (WF-031); a run in progress
// stops. Afterwards Status returns ErrNotFound.
func (e *Engine) Delete(ctx context.Context, id string) error {
	err := e.drv.Update(ctx, func(tx driver.Tx) error { return tx.Delete(id) })
	if errors.Is(err, driver.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	e.abortLive(id, 1<<62)
	e.notify()
	return nil
}

// change applies fn to the instance in one write; fn reports whether it changed it. Runs
// of older generations are stopped and the scheduler is poked afterwards.
func (e *Engine) change(ctx context.Context, id string, fn func(tx driver.Tx, in *driver.Instance) (bool, error)) error {
	if e.isClosed() {
		return ErrClosed
	}
	var (
		gen    int64
		wakeAt time.Time
	)
	changed := false
	err := e.drv.Update(ctx, func(tx driver.Tx) error {
		in, err := tx.Instance(id)
		if errors.Is(err, driver.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		changed = false
		if changed, err = fn(tx, &in); err != nil || !changed {
			return err
		}
		gen, wakeAt = in.Gen, in.WakeAt
		return tx.Update(in)
	})
	if err != nil || !changed {
		return err
	}
	e.abortLive(id, gen)
	if !wakeAt.IsZero() {
		e.wakeAt(wakeAt)
	}
	e.notify()
	return nil
}

func (e *Engine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// WaitForStatus blocks until the instance reaches one of want and returns its status. It
// fails when the instance reaches a finished status not in want (it can never get there),
// when it is deleted, or when ctx ends. It sees the changes this engine makes; a change
// written by another process is seen at this engine's next change. A local-development
// helper like the local runtime's introspection API; the platform has no such call.
func (e *Engine) WaitForStatus(ctx context.Context, id string, want ...Status) (InstanceStatus, error) {
	for {
		ch := e.changes()
		st, err := e.Status(ctx, id)
		if err != nil {
			return st, err
		}
		if slices.Contains(want, st.Status) {
			return st, nil
		}
		if st.Status.Finished() {
			return st, &UnreachableStatusError{ID: id, Status: st.Status, Want: want}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return st, ctx.Err()
		}
	}
}

// UnreachableStatusError is returned by WaitForStatus when the instance finished in a
// status other than the ones waited for.
type UnreachableStatusError struct {
	ID     string
	Status Status
	Want   []Status
}

func (e *UnreachableStatusError) Error() string {
	want := ""
	for i, w := range e.Want {
		if i > 0 {
			want += "' or '"
		}
		want += string(w)
	}
	return "[WorkflowIntrospector] The Workflow instance " + e.ID + " has reached status '" + string(e.Status) +
		"'. This is a finite status that prevents it from ever reaching the expected status of '" + want + "'."
}
