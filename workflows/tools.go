package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/flarego/flarego/workflows/driver"
	"github.com/flarego/flarego/workflows/sqlite"
)

// The functions and methods of this file back the runner's CLI, shaped like the platform's
// `workflows` commands: list, instances list|describe|pause|resume|terminate|restart,
// trigger and send-event. They work on an engine opened with Open and never started (the
// CLI process), as well as on a running one. Changes made from another process reach a
// running engine at its next poll (Options.PollInterval).

// LatestID is the id the CLI accepts for "the most recently created instance".
const LatestID = "latest"

// WorkflowInfo describes a workflow found in a state directory.
type WorkflowInfo struct {
	Name       string         `json:"name"`
	ClassName  string         `json:"class_name"`
	ScriptName string         `json:"script_name"`
	Instances  map[Status]int `json:"instances"`
	Path       string         `json:"path"`
}

// ListWorkflows lists the workflows stored under dir (one <name>.sqlite file each), by
// name, with their instance counts per status. A missing dir lists nothing.
func ListWorkflows(ctx context.Context, dir string) ([]WorkflowInfo, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	var out []WorkflowInfo
	for _, path := range paths {
		info, err := describeDB(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("workflows: %s: %w", path, err)
		}
		out = append(out, info)
	}
	return out, nil
}

func describeDB(ctx context.Context, path string) (WorkflowInfo, error) {
	d, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		return WorkflowInfo{}, err
	}
	defer d.Close()
	info := WorkflowInfo{Name: strings.TrimSuffix(filepath.Base(path), ".sqlite"), Path: path}
	err = d.View(ctx, func(tx driver.ReadTx) error {
		for k, dst := range map[string]*string{metaName: &info.Name, metaClass: &info.ClassName, metaScript: &info.ScriptName} {
			if v, ok, err := tx.Meta(k); err != nil {
				return err
			} else if ok {
				*dst = v
			}
		}
		var err error
		info.Instances, err = tx.Count()
		return err
	})
	return info, err
}

// Counts returns how many instances there are in each status.
func (e *Engine) Counts(ctx context.Context) (map[Status]int, error) {
	var counts map[Status]int
	err := e.drv.View(ctx, func(tx driver.ReadTx) error {
		var err error
		counts, err = tx.Count()
		return err
	})
	return counts, err
}

// ListOptions narrow Engine.List.
type ListOptions struct {
	// Status keeps instances in these statuses; empty keeps all.
	Status []Status
	// Page counts from 1 (0 means 1); PerPage defaults to 50.
	Page, PerPage int
}

// InstanceInfo is one line of an instance listing.
type InstanceInfo struct {
	ID      string    `json:"id"`
	Status  Status    `json:"status"`
	Created time.Time `json:"created_on"`
	Start   time.Time `json:"start,omitzero"`
	End     time.Time `json:"end,omitzero"`
}

// List lists instances, newest first.
func (e *Engine) List(ctx context.Context, o ListOptions) ([]InstanceInfo, error) {
	per := o.PerPage
	if per <= 0 {
		per = 50
	}
	page := max(o.Page, 1)
	var ins []driver.Instance
	err := e.drv.View(ctx, func(tx driver.ReadTx) error {
		var err error
		ins, err = tx.List(driver.Filter{Status: o.Status, Offset: (page - 1) * per, Limit: per})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]InstanceInfo, len(ins))
	for i, in := range ins {
		out[i] = InstanceInfo{ID: in.ID, Status: in.Status, Created: in.Created, Start: in.Started, End: in.Ended}
	}
	return out, nil
}

// ResolveID returns id, or the newest instance's id when id is LatestID. It returns
// ErrNotFound when there is no instance at all.
func (e *Engine) ResolveID(ctx context.Context, id string) (string, error) {
	if id != LatestID {
		return id, nil
	}
	l, err := e.List(ctx, ListOptions{PerPage: 1})
	if err != nil {
		return "", err
	}
	if len(l) == 0 {
		return "", ErrNotFound
	}
	return l[0].ID, nil
}

// Trigger creates an instance with params given as JSON text ("" for none) and id ("" for
// a random one), as the CLI's trigger does, and returns its id.
func (e *Engine) Trigger(ctx context.Context, id, params string) (string, error) {
	var raw json.RawMessage
	if strings.TrimSpace(params) != "" {
		if !json.Valid([]byte(params)) {
			return "", fmt.Errorf("workflows: params are not valid JSON: %s", params)
		}
		raw = json.RawMessage(params)
	}
	ids, err := e.Create(ctx, NewInstance{ID: id, Params: raw})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// Description is everything stored about an instance: what the CLI's describe shows.
type Description struct {
	ID      string          `json:"id"`
	Status  Status          `json:"status"`
	Params  json.RawMessage `json:"params"`
	Queued  time.Time       `json:"queued"`
	Start   time.Time       `json:"start,omitzero"`
	End     time.Time       `json:"end,omitzero"`
	Success *bool           `json:"success"`
	Output  json.RawMessage `json:"output"`
	Error   *ErrorInfo      `json:"error"`
	Steps   []StepInfo      `json:"steps"`
}

// StepInfo describes one step of a Description.
type StepInfo struct {
	// Type is "step" (do), "sleep" or "waitForEvent".
	Type string `json:"type"`
	// Name and Occurrence identify the step: the Occurrence-th call with Name.
	Name       string `json:"name"`
	Occurrence int    `json:"occurrence"`
	// State is "running", "waiting", "complete" or "errored".
	State string    `json:"state"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
	// Success is true or false once the step has finished, null before.
	Success *bool `json:"success"`
	// Until is when a sleep ends, an event wait times out or the next retry is due.
	Until     time.Time       `json:"until,omitzero"`
	EventType string          `json:"event_type,omitempty"`
	Config    json.RawMessage `json:"config,omitempty"`
	Attempts  []AttemptInfo   `json:"attempts,omitempty"`
	Output    json.RawMessage `json:"output,omitempty"`
	Error     *ErrorInfo      `json:"error,omitempty"`
}

// AttemptInfo describes one attempt of a do step.
type AttemptInfo struct {
	Start   time.Time  `json:"start"`
	End     time.Time  `json:"end,omitzero"`
	Success *bool      `json:"success"`
	Error   *ErrorInfo `json:"error"`
}

// Describe returns everything stored about the instance id (or LatestID), or ErrNotFound.
func (e *Engine) Describe(ctx context.Context, id string) (*Description, error) {
	id, err := e.ResolveID(ctx, id)
	if err != nil {
		return nil, err
	}
	var (
		in     driver.Instance
		params []byte
		steps  []driver.Step
	)
	err = e.drv.View(ctx, func(tx driver.ReadTx) error {
		var err error
		if in, err = tx.Instance(id); err != nil {
			return err
		}
		if params, err = tx.Params(id); err != nil {
			return err
		}
		steps, err = tx.Steps(id)
		return err
	})
	if errors.Is(err, driver.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	d := &Description{ID: in.ID, Status: in.Status, Params: params, Queued: in.Created, Start: in.Started,
		End: in.Ended, Error: in.Error, Steps: []StepInfo{}}
	switch in.Status {
	case StatusComplete:
		d.Success, d.Output = ptr(true), in.Output
	case StatusErrored, StatusTerminated:
		d.Success = ptr(false)
	}
	for _, s := range steps {
		si := StepInfo{Type: string(s.Kind), Name: s.Name, Occurrence: s.Occurrence, State: string(s.State),
			Start: s.Start, End: s.End, EventType: s.EventType, Config: s.Config, Error: s.Error}
		switch s.State {
		case driver.StepComplete:
			si.Success = ptr(true)
			si.Output = s.Output
		case driver.StepErrored:
			si.Success = ptr(false)
		case driver.StepWaiting:
			si.Until = s.WakeAt
		}
		if s.Kind == driver.KindSleep {
			si.Until = s.WakeAt
		}
		for _, a := range s.Attempts {
			ai := AttemptInfo{Start: a.Start, End: a.End, Error: a.Error}
			if !a.End.IsZero() {
				ai.Success = ptr(a.Error == nil)
			}
			si.Attempts = append(si.Attempts, ai)
		}
		d.Steps = append(d.Steps, si)
	}
	return d, nil
}

func ptr[T any](v T) *T { return &v }
