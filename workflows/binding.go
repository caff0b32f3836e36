package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/flarego/flarego/worker"
)

// Workflow is a workflow binding (the platform's Workflow): an Env field of type
// *Workflow[P], where P is the params type, creates and finds instances. The runner fills it
// in; tests make one with Bind. Every method counts one subrequest of the calling
// invocation. A zero Workflow is not bound: its methods return ErrNotBound.
type Workflow[P any] struct{ e *Engine }

// CreateOptions describe an instance to create.
type CreateOptions[P any] struct {
	// ID is the instance id; "" means a random UUID (WF-003). It must match
	// ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$ and be at most 64 characters (WF-004).
	ID string
	// Params is the instance's payload (Event.Payload), at most 1 MiB as JSON (WF-023).
	Params P
}

// Bind returns a binding over e.
func Bind[P any](e *Engine) *Workflow[P] { return &Workflow[P]{e: e} }

// binder is how NewBindingValue connects a *Workflow[P] of any P.
type binder interface{ bindEngine(e *Engine) }

func (w *Workflow[P]) bindEngine(e *Engine) { w.e = e }

// NewBindingValue makes the value of an Env field of type t, which must be *Workflow[P]
// for some P, bound to e. The runner calls it while it builds the Env.
func NewBindingValue(t reflect.Type, e *Engine) (reflect.Value, error) {
	if t.Kind() != reflect.Pointer {
		return reflect.Value{}, fmt.Errorf("workflows: binding field type %v is not a *workflows.Workflow[P]", t)
	}
	v := reflect.New(t.Elem())
	b, ok := v.Interface().(binder)
	if !ok {
		return reflect.Value{}, fmt.Errorf("workflows: binding field type %v is not a *workflows.Workflow[P]", t)
	}
	b.bindEngine(e)
	return v, nil
}

// Create creates and queues one instance and returns its handle; run starts
// asynchronously (WF-003). Errors: ErrInvalidID, ErrAlreadyExists, ErrPayloadTooLarge, or
// the subrequest limit.
func (w *Workflow[P]) Create(ctx context.Context, o CreateOptions[P]) (*Instance, error) {
	is, err := w.create(ctx, []CreateOptions[P]{o})
	if err != nil {
		return nil, err
	}
	return is[0], nil
}

// CreateBatch creates up to MaxBatch instances at once, all or none, and returns their
// handles in order (WF-005). An empty batch returns ErrEmptyBatch, a larger one
// ErrBatchTooLarge.
func (w *Workflow[P]) CreateBatch(ctx context.Context, batch []CreateOptions[P]) ([]*Instance, error) {
	if len(batch) == 0 {
		return nil, ErrEmptyBatch
	}
	if len(batch) > MaxBatch {
		return nil, ErrBatchTooLarge
	}
	return w.create(ctx, batch)
}

func (w *Workflow[P]) create(ctx context.Context, batch []CreateOptions[P]) ([]*Instance, error) {
	if w == nil || w.e == nil {
		return nil, ErrNotBound
	}
	if err := worker.Subrequest(ctx); err != nil {
		return nil, err
	}
	news := make([]NewInstance, len(batch))
	for i, o := range batch {
		params, err := marshal(o.Params)
		if err != nil {
			return nil, fmt.Errorf("workflows: encode params: %w", err)
		}
		news[i] = NewInstance{ID: o.ID, Params: params}
	}
	ids, err := w.e.Create(ctx, news...)
	if err != nil {
		return nil, err
	}
	out := make([]*Instance, len(ids))
	for i, id := range ids {
		out[i] = &Instance{ID: id, e: w.e}
	}
	return out, nil
}

// Get returns the handle of an existing instance, or ErrNotFound (WF-006).
func (w *Workflow[P]) Get(ctx context.Context, id string) (*Instance, error) {
	if w == nil || w.e == nil {
		return nil, ErrNotBound
	}
	if err := worker.Subrequest(ctx); err != nil {
		return nil, err
	}
	if _, err := w.e.Status(ctx, id); err != nil {
		return nil, err
	}
	return &Instance{ID: id, e: w.e}, nil
}

// Engine returns the engine the binding uses.
func (w *Workflow[P]) Engine() *Engine { return w.e }

// Instance is a handle on one instance (the platform's WorkflowInstance). Every method
// counts one subrequest. A zero Instance is not bound: its methods return ErrNotBound.
type Instance struct {
	// ID is the instance id.
	ID string

	e *Engine
}

func (i *Instance) check(ctx context.Context) error {
	if i == nil || i.e == nil {
		return ErrNotBound
	}
	return worker.Subrequest(ctx)
}

// Status returns the instance's status, output and error (WF-007), or ErrNotFound.
func (i *Instance) Status(ctx context.Context) (InstanceStatus, error) {
	if err := i.check(ctx); err != nil {
		return InstanceStatus{}, err
	}
	return i.e.Status(ctx, i.ID)
}

// Pause pauses the instance; see Engine.Pause.
func (i *Instance) Pause(ctx context.Context) error {
	if err := i.check(ctx); err != nil {
		return err
	}
	return i.e.Pause(ctx, i.ID)
}

// Resume resumes a paused instance; see Engine.Resume.
func (i *Instance) Resume(ctx context.Context) error {
	if err := i.check(ctx); err != nil {
		return err
	}
	return i.e.Resume(ctx, i.ID)
}

// Terminate ends the instance; see Engine.Terminate.
func (i *Instance) Terminate(ctx context.Context) error {
	if err := i.check(ctx); err != nil {
		return err
	}
	return i.e.Terminate(ctx, i.ID)
}

// Restart runs the instance again from the beginning; see Engine.Restart.
func (i *Instance) Restart(ctx context.Context) error {
	if err := i.check(ctx); err != nil {
		return err
	}
	return i.e.Restart(ctx, i.ID)
}

// SendEvent sends an event of eventType with payload (encoded as JSON) to the instance;
// see Engine.SendEvent.
func (i *Instance) SendEvent(ctx context.Context, eventType string, payload any) error {
	if err := i.check(ctx); err != nil {
		return err
	}
	b, err := marshal(payload)
	if err != nil {
		return fmt.Errorf("workflows: encode event payload: %w", err)
	}
	return i.e.SendEvent(ctx, i.ID, eventType, json.RawMessage(b))
}

// Delete removes the instance and its stored state (WF-031); see Engine.Delete.
func (i *Instance) Delete(ctx context.Context) error {
	if err := i.check(ctx); err != nil {
		return err
	}
	return i.e.Delete(ctx, i.ID)
}

// WaitForStatus blocks until the instance reaches one of want; see Engine.WaitForStatus.
// It does not count a subrequest.
func (i *Instance) WaitForStatus(ctx context.Context, want ...Status) (InstanceStatus, error) {
	if i == nil || i.e == nil {
		return InstanceStatus{}, ErrNotBound
	}
	return i.e.WaitForStatus(ctx, i.ID, want...)
}
