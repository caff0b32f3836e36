package memory

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/flarego/flarego/workflows/driver"
)

// ErrClosed is returned by View and Update after Close.
var ErrClosed = errors.New("memory: driver closed")

// Driver is an in-memory driver.Driver. The zero value is not usable; call New.
type Driver struct {
	mu     sync.RWMutex
	closed bool
	data   *store
}

type store struct {
	instances map[string]*entry
	meta      map[string]string
	eventSeq  int64
}

type entry struct {
	inst   driver.Instance
	params []byte
	steps  map[stepKey]driver.Step
	events []eventRow
}

type eventRow struct {
	seq int64
	ev  driver.Event
}

type stepKey struct {
	kind driver.StepKind
	name string
	occ  int
}

// New returns an empty driver.
func New() *Driver {
	return &Driver{data: &store{instances: map[string]*entry{}, meta: map[string]string{}}}
}

// View implements driver.Driver.
func (d *Driver) View(ctx context.Context, fn func(driver.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return ErrClosed
	}
	return fn(&tx{s: d.data})
}

// Update implements driver.Driver. Writes are applied in place and undone, newest first,
// when fn fails.
func (d *Driver) Update(ctx context.Context, fn func(driver.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	t := &tx{s: d.data, writable: true}
	if err := fn(t); err != nil {
		for i := len(t.undo) - 1; i >= 0; i-- {
			t.undo[i]()
		}
		return err
	}
	return nil
}

// Close implements driver.Driver.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

type tx struct {
	s        *store
	writable bool
	undo     []func()
}

func (t *tx) Instance(id string) (driver.Instance, error) {
	e, ok := t.s.instances[id]
	if !ok {
		return driver.Instance{}, driver.ErrNotFound
	}
	return copyInstance(e.inst), nil
}

func (t *tx) Head(id string) (int64, driver.Status, error) {
	e, ok := t.s.instances[id]
	if !ok {
		return 0, "", driver.ErrNotFound
	}
	return e.inst.Gen, e.inst.Status, nil
}

func (t *tx) Params(id string) ([]byte, error) {
	e, ok := t.s.instances[id]
	if !ok {
		return nil, driver.ErrNotFound
	}
	return slices.Clone(e.params), nil
}

func (t *tx) Steps(instanceID string) ([]driver.Step, error) {
	e, ok := t.s.instances[instanceID]
	if !ok {
		return nil, nil
	}
	out := make([]driver.Step, 0, len(e.steps))
	for _, s := range e.steps {
		out = append(out, copyStep(s))
	}
	slices.SortFunc(out, func(a, b driver.Step) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

func (t *tx) Waiting(instanceID, eventType string) (bool, error) {
	e, ok := t.s.instances[instanceID]
	if !ok {
		return false, nil
	}
	for _, s := range e.steps {
		if s.Kind == driver.KindWaitForEvent && s.State == driver.StepWaiting && s.EventType == eventType {
			return true, nil
		}
	}
	return false, nil
}

func (t *tx) List(f driver.Filter) ([]driver.Instance, error) {
	var out []driver.Instance
	for _, e := range t.s.instances {
		if len(f.Status) > 0 && !slices.Contains(f.Status, e.inst.Status) {
			continue
		}
		in := copyInstance(e.inst)
		in.Output, in.Error = nil, nil
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b driver.Instance) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if f.Offset > 0 {
		out = out[min(f.Offset, len(out)):]
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (t *tx) Count() (map[driver.Status]int, error) {
	out := map[driver.Status]int{}
	for _, e := range t.s.instances {
		out[e.inst.Status]++
	}
	return out, nil
}

func (t *tx) Due(now time.Time, queued bool, limit int) ([]string, error) {
	type due struct {
		id string
		at time.Time
	}
	var all []due
	for id, e := range t.s.instances {
		if w := e.inst.WakeAt; !w.IsZero() && !w.After(now) && e.inst.Queued == queued {
			all = append(all, due{id, w})
		}
	}
	slices.SortFunc(all, func(a, b due) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	ids := make([]string, len(all))
	for i, d := range all {
		ids[i] = d.id
	}
	return ids, nil
}

func (t *tx) NextWake(after time.Time) (time.Time, bool, error) {
	var best time.Time
	for _, e := range t.s.instances {
		if w := e.inst.WakeAt; !w.IsZero() && w.After(after) && (best.IsZero() || w.Before(best)) {
			best = w
		}
	}
	return best, !best.IsZero(), nil
}

func (t *tx) Meta(key string) (string, bool, error) {
	v, ok := t.s.meta[key]
	return v, ok, nil
}

func (t *tx) Insert(in driver.Instance) error {
	if _, ok := t.s.instances[in.ID]; ok {
		return driver.ErrExists
	}
	e := &entry{inst: copyInstance(in), params: slices.Clone(in.Params), steps: map[stepKey]driver.Step{}}
	e.inst.Params = nil
	t.s.instances[in.ID] = e
	t.undo = append(t.undo, func() { delete(t.s.instances, in.ID) })
	return nil
}

func (t *tx) Update(in driver.Instance) error {
	e, ok := t.s.instances[in.ID]
	if !ok {
		return driver.ErrNotFound
	}
	old := e.inst
	n := copyInstance(in)
	n.Params, n.Created = nil, old.Created
	e.inst = n
	t.undo = append(t.undo, func() { e.inst = old })
	return nil
}

func (t *tx) Delete(id string) error {
	e, ok := t.s.instances[id]
	if !ok {
		return driver.ErrNotFound
	}
	delete(t.s.instances, id)
	t.undo = append(t.undo, func() { t.s.instances[id] = e })
	return nil
}

func (t *tx) ClearHistory(instanceID string) error {
	e, ok := t.s.instances[instanceID]
	if !ok {
		return nil
	}
	steps, events := e.steps, e.events
	e.steps, e.events = map[stepKey]driver.Step{}, nil
	t.undo = append(t.undo, func() { e.steps, e.events = steps, events })
	return nil
}

func (t *tx) PutStep(s driver.Step) error {
	e, ok := t.s.instances[s.InstanceID]
	if !ok {
		return driver.ErrNotFound
	}
	k := stepKey{s.Kind, s.Name, s.Occurrence}
	old, had := e.steps[k]
	e.steps[k] = copyStep(s)
	t.undo = append(t.undo, func() {
		if had {
			e.steps[k] = old
		} else {
			delete(e.steps, k)
		}
	})
	return nil
}

func (t *tx) AddEvent(ev driver.Event) error {
	e, ok := t.s.instances[ev.InstanceID]
	if !ok {
		return driver.ErrNotFound
	}
	t.s.eventSeq++
	ev.Payload = slices.Clone(ev.Payload)
	events := e.events
	e.events = append(slices.Clip(events), eventRow{seq: t.s.eventSeq, ev: ev})
	t.undo = append(t.undo, func() { e.events = events })
	return nil
}

func (t *tx) TakeEvent(instanceID, eventType string) (driver.Event, bool, error) {
	e, ok := t.s.instances[instanceID]
	if !ok {
		return driver.Event{}, false, nil
	}
	for i, r := range e.events {
		if r.ev.Type == eventType {
			events := e.events
			e.events = slices.Delete(slices.Clone(events), i, i+1)
			t.undo = append(t.undo, func() { e.events = events })
			ev := r.ev
			ev.Payload = slices.Clone(ev.Payload)
			return ev, true, nil
		}
	}
	return driver.Event{}, false, nil
}

func (t *tx) SetMeta(key, value string) error {
	old, had := t.s.meta[key]
	t.s.meta[key] = value
	t.undo = append(t.undo, func() {
		if had {
			t.s.meta[key] = old
		} else {
			delete(t.s.meta, key)
		}
	})
	return nil
}

func copyInstance(in driver.Instance) driver.Instance {
	in.Params = slices.Clone(in.Params)
	in.Output = slices.Clone(in.Output)
	if in.Error != nil {
		e := *in.Error
		in.Error = &e
	}
	return in
}

func copyStep(s driver.Step) driver.Step {
	s.Config = slices.Clone(s.Config)
	s.Output = slices.Clone(s.Output)
	if s.Error != nil {
		e := *s.Error
		s.Error = &e
	}
	s.Attempts = slices.Clone(s.Attempts)
	for i, a := range s.Attempts {
		if a.Error != nil {
			e := *a.Error
			s.Attempts[i].Error = &e
		}
	}
	return s
}
