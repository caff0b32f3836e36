package workflowstest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/flarego/flarego/workflows/driver"
)

var driverTests = []namedTest{
	{"InsertAndRead", testDriverInsertAndRead},
	{"UpdateKeepsParamsAndCreated", testDriverUpdate},
	{"UpdateIsAtomic", testDriverAtomic},
	{"Steps", testDriverSteps},
	{"Events", testDriverEvents},
	{"DeleteAndClear", testDriverDelete},
	{"DueAndNextWake", testDriverDue},
	{"ListAndCount", testDriverList},
	{"Meta", testDriverMeta},
}

func runDriver(t *testing.T, nd NewDriver) {
	for _, tc := range driverTests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, nd) })
	}
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)

func openDriver(t *testing.T, nd NewDriver) driver.Driver {
	t.Helper()
	d := nd(t)
	t.Cleanup(func() { d.Close() })
	return d
}

func update(t *testing.T, d driver.Driver, fn func(tx driver.Tx) error) {
	t.Helper()
	if err := d.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, d driver.Driver, fn func(tx driver.ReadTx) error) {
	t.Helper()
	if err := d.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func mustInstance(t *testing.T, d driver.Driver, id string) driver.Instance {
	t.Helper()
	var in driver.Instance
	view(t, d, func(tx driver.ReadTx) error {
		var err error
		in, err = tx.Instance(id)
		return err
	})
	return in
}

func testDriverInsertAndRead(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	in := driver.Instance{ID: "a", Gen: 2, Status: driver.StatusQueued, Params: []byte(`{"x":1}`), Created: t0,
		WakeAt: t0.Add(time.Second), Queued: true, EventBytes: 7}
	update(t, d, func(tx driver.Tx) error { return tx.Insert(in) })
	err := d.Update(context.Background(), func(tx driver.Tx) error { return tx.Insert(in) })
	if !errors.Is(err, driver.ErrExists) {
		t.Fatalf("second Insert: %v, want ErrExists", err)
	}
	got := mustInstance(t, d, "a")
	if got.ID != "a" || got.Gen != 2 || got.Status != driver.StatusQueued || !got.Created.Equal(t0) ||
		!got.WakeAt.Equal(t0.Add(time.Second)) || !got.Queued || got.EventBytes != 7 {
		t.Fatalf("Instance = %+v", got)
	}
	if got.Params != nil {
		t.Errorf("Instance returned Params %q; only ReadTx.Params should", got.Params)
	}
	if !got.Started.IsZero() || !got.Ended.IsZero() || !got.Paused.IsZero() || got.Error != nil || got.Output != nil {
		t.Errorf("zero fields not zero: %+v", got)
	}
	view(t, d, func(tx driver.ReadTx) error {
		p, err := tx.Params("a")
		if err != nil || string(p) != `{"x":1}` {
			t.Errorf("Params = %q, %v", p, err)
		}
		if _, err := tx.Instance("missing"); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("Instance(missing) = %v, want ErrNotFound", err)
		}
		if gen, st, err := tx.Head("a"); err != nil || gen != 2 || st != driver.StatusQueued {
			t.Errorf("Head = %d, %s, %v", gen, st, err)
		}
		if _, _, err := tx.Head("missing"); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("Head(missing) = %v, want ErrNotFound", err)
		}
		if _, err := tx.Params("missing"); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("Params(missing) = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testDriverUpdate(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	update(t, d, func(tx driver.Tx) error {
		return tx.Insert(driver.Instance{ID: "a", Status: driver.StatusQueued, Params: []byte(`1`), Created: t0, WakeAt: t0})
	})
	update(t, d, func(tx driver.Tx) error {
		in, err := tx.Instance("a")
		if err != nil {
			return err
		}
		in.Status, in.Started, in.Ended, in.Paused = driver.StatusErrored, t0.Add(1), t0.Add(2), t0.Add(3)
		in.WakeAt, in.Output = time.Time{}, []byte(`"out"`)
		in.Error = &driver.ErrorInfo{Name: "Error", Message: "boom"}
		in.Created = t0.Add(time.Hour) // must be ignored
		return tx.Update(in)
	})
	got := mustInstance(t, d, "a")
	if got.Status != driver.StatusErrored || !got.Started.Equal(t0.Add(1)) || !got.Ended.Equal(t0.Add(2)) ||
		!got.Paused.Equal(t0.Add(3)) || !got.WakeAt.IsZero() || string(got.Output) != `"out"` ||
		got.Error == nil || got.Error.Message != "boom" || !got.Created.Equal(t0) {
		t.Fatalf("after Update: %+v", got)
	}
	err := d.Update(context.Background(), func(tx driver.Tx) error { return tx.Update(driver.Instance{ID: "zz"}) })
	if !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("Update(missing) = %v, want ErrNotFound", err)
	}
}

func testDriverAtomic(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	update(t, d, func(tx driver.Tx) error {
		return tx.Insert(driver.Instance{ID: "a", Status: driver.StatusQueued, Created: t0})
	})
	boom := errors.New("boom")
	err := d.Update(context.Background(), func(tx driver.Tx) error {
		in, _ := tx.Instance("a")
		in.Status = driver.StatusRunning
		if err := tx.Update(in); err != nil {
			return err
		}
		if err := tx.Insert(driver.Instance{ID: "b", Status: driver.StatusQueued, Created: t0}); err != nil {
			return err
		}
		if err := tx.PutStep(driver.Step{InstanceID: "a", Kind: driver.KindDo, Name: "s", Occurrence: 1, Seq: 1}); err != nil {
			return err
		}
		if err := tx.AddEvent(driver.Event{InstanceID: "a", Type: "t", Timestamp: t0}); err != nil {
			return err
		}
		// Reads inside the transaction see its own writes.
		if got, err := tx.Instance("a"); err != nil || got.Status != driver.StatusRunning {
			t.Errorf("read own write: %+v, %v", got, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	view(t, d, func(tx driver.ReadTx) error {
		if in, _ := tx.Instance("a"); in.Status != driver.StatusQueued {
			t.Errorf("status after rollback = %s", in.Status)
		}
		if _, err := tx.Instance("b"); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("inserted instance survived rollback")
		}
		if steps, _ := tx.Steps("a"); len(steps) != 0 {
			t.Errorf("step survived rollback: %+v", steps)
		}
		return nil
	})
	update(t, d, func(tx driver.Tx) error {
		if _, ok, _ := tx.TakeEvent("a", "t"); ok {
			t.Errorf("event survived rollback")
		}
		return nil
	})
}

func testDriverSteps(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	update(t, d, func(tx driver.Tx) error {
		if err := tx.Insert(driver.Instance{ID: "a", Status: driver.StatusRunning, Created: t0}); err != nil {
			return err
		}
		for _, s := range []driver.Step{
			{InstanceID: "a", Kind: driver.KindSleep, Name: "s", Occurrence: 1, Seq: 2, State: driver.StepWaiting, Start: t0, WakeAt: t0.Add(time.Hour)},
			{InstanceID: "a", Kind: driver.KindDo, Name: "s", Occurrence: 1, Seq: 1, State: driver.StepRunning, Start: t0,
				Config: []byte(`{"c":1}`), Attempts: []driver.Attempt{{Start: t0}}},
			{InstanceID: "a", Kind: driver.KindWaitForEvent, Name: "w", Occurrence: 1, Seq: 3, State: driver.StepWaiting,
				Start: t0, WakeAt: t0.Add(time.Minute), EventType: "approve"},
		} {
			if err := tx.PutStep(s); err != nil {
				return err
			}
		}
		// Replace the do step: same key.
		return tx.PutStep(driver.Step{InstanceID: "a", Kind: driver.KindDo, Name: "s", Occurrence: 1, Seq: 1, DoneSeq: 4,
			State: driver.StepComplete, Start: t0, End: t0.Add(time.Second), Output: []byte(`42`), Config: []byte(`{"c":1}`),
			Attempts: []driver.Attempt{{Start: t0, End: t0.Add(time.Millisecond), Error: &driver.ErrorInfo{Name: "Error", Message: "x"}},
				{Start: t0.Add(time.Millisecond), End: t0.Add(time.Second)}}})
	})
	view(t, d, func(tx driver.ReadTx) error {
		steps, err := tx.Steps("a")
		if err != nil {
			return err
		}
		if len(steps) != 3 || steps[0].Kind != driver.KindDo || steps[1].Kind != driver.KindSleep || steps[2].Kind != driver.KindWaitForEvent {
			t.Fatalf("Steps = %+v, want do, sleep, waitForEvent by Seq", steps)
		}
		s := steps[0]
		if s.State != driver.StepComplete || s.DoneSeq != 4 || string(s.Output) != "42" || !s.End.Equal(t0.Add(time.Second)) ||
			len(s.Attempts) != 2 || s.Attempts[0].Error == nil || s.Attempts[0].Error.Message != "x" || s.Attempts[1].Error != nil ||
			!s.Attempts[1].End.Equal(t0.Add(time.Second)) || string(s.Config) != `{"c":1}` {
			t.Errorf("do step = %+v", s)
		}
		if w := steps[2]; w.EventType != "approve" || !w.WakeAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("wait step = %+v", w)
		}
		if ok, _ := tx.Waiting("a", "approve"); !ok {
			t.Errorf("Waiting(approve) = false")
		}
		if ok, _ := tx.Waiting("a", "other"); ok {
			t.Errorf("Waiting(other) = true")
		}
		return nil
	})
}

func testDriverEvents(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	update(t, d, func(tx driver.Tx) error {
		if err := tx.Insert(driver.Instance{ID: "a", Status: driver.StatusRunning, Created: t0}); err != nil {
			return err
		}
		for i, typ := range []string{"x", "y", "x"} {
			if err := tx.AddEvent(driver.Event{InstanceID: "a", Type: typ, Payload: []byte{'1' + byte(i)}, Timestamp: t0.Add(time.Duration(i))}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, want := range []string{"1", "3"} {
		update(t, d, func(tx driver.Tx) error {
			ev, ok, err := tx.TakeEvent("a", "x")
			if err != nil || !ok || string(ev.Payload) != want || ev.Type != "x" || ev.InstanceID != "a" {
				t.Errorf("TakeEvent(x) = %+v, %v, %v; want payload %s", ev, ok, err, want)
			}
			return nil
		})
	}
	update(t, d, func(tx driver.Tx) error {
		if _, ok, _ := tx.TakeEvent("a", "x"); ok {
			t.Errorf("third TakeEvent(x) found an event")
		}
		ev, ok, _ := tx.TakeEvent("a", "y")
		if !ok || string(ev.Payload) != "2" || !ev.Timestamp.Equal(t0.Add(1)) {
			t.Errorf("TakeEvent(y) = %+v, %v", ev, ok)
		}
		return nil
	})
}

func testDriverDelete(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	update(t, d, func(tx driver.Tx) error {
		for _, id := range []string{"a", "b"} {
			if err := tx.Insert(driver.Instance{ID: id, Status: driver.StatusRunning, Created: t0}); err != nil {
				return err
			}
			if err := tx.PutStep(driver.Step{InstanceID: id, Kind: driver.KindDo, Name: "s", Occurrence: 1, Seq: 1}); err != nil {
				return err
			}
			if err := tx.AddEvent(driver.Event{InstanceID: id, Type: "t", Timestamp: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, d, func(tx driver.Tx) error {
		if err := tx.Delete("a"); err != nil {
			return err
		}
		return tx.ClearHistory("b")
	})
	update(t, d, func(tx driver.Tx) error {
		if _, err := tx.Instance("a"); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("deleted instance still there")
		}
		if err := tx.Delete("a"); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("Delete(missing) = %v, want ErrNotFound", err)
		}
		if _, err := tx.Instance("b"); err != nil {
			t.Errorf("ClearHistory removed the instance: %v", err)
		}
		for _, id := range []string{"a", "b"} {
			if steps, _ := tx.Steps(id); len(steps) != 0 {
				t.Errorf("%s still has steps", id)
			}
			if _, ok, _ := tx.TakeEvent(id, "t"); ok {
				t.Errorf("%s still has events", id)
			}
		}
		// A re-created instance starts without the old history.
		if err := tx.Insert(driver.Instance{ID: "a", Status: driver.StatusQueued, Created: t0}); err != nil {
			return err
		}
		if steps, _ := tx.Steps("a"); len(steps) != 0 {
			t.Errorf("re-created instance inherited steps")
		}
		return nil
	})
}

func testDriverDue(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	update(t, d, func(tx driver.Tx) error {
		for _, in := range []driver.Instance{
			{ID: "q2", WakeAt: t0.Add(2), Queued: true},
			{ID: "q1", WakeAt: t0.Add(1), Queued: true},
			{ID: "w3", WakeAt: t0.Add(3)},
			{ID: "w1", WakeAt: t0.Add(1)},
			{ID: "later", WakeAt: t0.Add(time.Hour)},
			{ID: "never"},
		} {
			in.Status, in.Created = driver.StatusWaiting, t0
			if err := tx.Insert(in); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, d, func(tx driver.ReadTx) error {
		now := t0.Add(5)
		if ids, _ := tx.Due(now, false, 10); !slices.Equal(ids, []string{"w1", "w3"}) {
			t.Errorf("Due(woken) = %v, want [w1 w3]", ids)
		}
		if ids, _ := tx.Due(now, true, 10); !slices.Equal(ids, []string{"q1", "q2"}) {
			t.Errorf("Due(queued) = %v, want [q1 q2]", ids)
		}
		if ids, _ := tx.Due(now, false, 1); !slices.Equal(ids, []string{"w1"}) {
			t.Errorf("Due(limit 1) = %v", ids)
		}
		if ids, _ := tx.Due(t0.Add(1), false, 10); !slices.Equal(ids, []string{"w1"}) {
			t.Errorf("Due at the wake time itself = %v, want [w1]", ids)
		}
		next, ok, _ := tx.NextWake(now)
		if !ok || !next.Equal(t0.Add(time.Hour)) {
			t.Errorf("NextWake = %v %v, want t0+1h", next, ok)
		}
		next, ok, _ = tx.NextWake(t0.Add(1))
		if !ok || !next.Equal(t0.Add(2)) {
			t.Errorf("NextWake(t0+1ns) = %v, want t0+2ns", next)
		}
		if _, ok, _ := tx.NextWake(t0.Add(2 * time.Hour)); ok {
			t.Errorf("NextWake after everything found one")
		}
		return nil
	})
}

func testDriverList(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	update(t, d, func(tx driver.Tx) error {
		for i, st := range []driver.Status{driver.StatusComplete, driver.StatusErrored, driver.StatusComplete, driver.StatusQueued} {
			in := driver.Instance{ID: string(rune('a' + i)), Status: st, Created: t0.Add(time.Duration(i) * time.Second),
				Output: []byte(`1`)}
			if err := tx.Insert(in); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, d, func(tx driver.ReadTx) error {
		all, _ := tx.List(driver.Filter{})
		if ids := idsOf(all); !slices.Equal(ids, []string{"d", "c", "b", "a"}) {
			t.Errorf("List = %v, want newest first", ids)
		}
		if all[0].Output != nil {
			t.Errorf("List returned Output")
		}
		done, _ := tx.List(driver.Filter{Status: []driver.Status{driver.StatusComplete}})
		if ids := idsOf(done); !slices.Equal(ids, []string{"c", "a"}) {
			t.Errorf("List(complete) = %v", ids)
		}
		page, _ := tx.List(driver.Filter{Offset: 1, Limit: 2})
		if ids := idsOf(page); !slices.Equal(ids, []string{"c", "b"}) {
			t.Errorf("List(offset 1, limit 2) = %v", ids)
		}
		counts, _ := tx.Count()
		if counts[driver.StatusComplete] != 2 || counts[driver.StatusErrored] != 1 || counts[driver.StatusQueued] != 1 {
			t.Errorf("Count = %v", counts)
		}
		return nil
	})
}

func testDriverMeta(t *testing.T, nd NewDriver) {
	d := openDriver(t, nd)
	view(t, d, func(tx driver.ReadTx) error {
		if _, ok, _ := tx.Meta("k"); ok {
			t.Errorf("Meta on empty store found a value")
		}
		return nil
	})
	update(t, d, func(tx driver.Tx) error { return tx.SetMeta("k", "v1") })
	update(t, d, func(tx driver.Tx) error { return tx.SetMeta("k", "v2") })
	view(t, d, func(tx driver.ReadTx) error {
		if v, ok, _ := tx.Meta("k"); !ok || v != "v2" {
			t.Errorf("Meta = %q %v", v, ok)
		}
		return nil
	})
}

func idsOf(ins []driver.Instance) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.ID
	}
	return out
}
