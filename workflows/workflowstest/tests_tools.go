package workflowstest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

func testDescribe(t *testing.T, nd NewDriver) {
	var log attemptLog
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[person], s *workflows.Step, _ Env, _ wctx) (string, error) {
		cfg := workflows.StepConfig{Retries: &workflows.Retries{Limit: 1, Delay: time.Second, Backoff: workflows.BackoffConstant}}
		v, err := workflows.DoWith(s, "flaky", cfg, func(context.Context) (string, error) {
			if log.add() == 1 {
				return "", errors.New("first try fails")
			}
			return "ok", nil
		})
		if err != nil {
			return "", err
		}
		if err := workflows.Sleep(s, "nap", time.Minute); err != nil {
			return "", err
		}
		e, err := workflows.WaitForEvent[string](s, "wait", "go", 0)
		return v + e.Payload, err
	})
	begin := time.Now()
	in := r.create("i1", person{Name: "ada"})
	wait(t, in, workflows.StatusWaiting)
	time.Sleep(2 * time.Minute)
	if err := in.SendEvent(t.Context(), "go", "!"); err != nil {
		t.Fatal(err)
	}
	wait(t, in, workflows.StatusComplete)
	d := describe(t, r.e, workflows.LatestID)
	if d.ID != "i1" || d.Status != workflows.StatusComplete || string(d.Params) != `{"name":"ada"}` ||
		d.Success == nil || !*d.Success || string(d.Output) != `"ok!"` || !d.Queued.Equal(begin) ||
		!d.Start.Equal(begin) || !d.End.Equal(begin.Add(2*time.Minute)) || len(d.Steps) != 3 {
		t.Fatalf("description = %+v", d)
	}
	flaky, nap, ev := d.Steps[0], d.Steps[1], d.Steps[2]
	if flaky.Type != "step" || flaky.Name != "flaky" || len(flaky.Attempts) != 2 || *flaky.Attempts[0].Success ||
		flaky.Attempts[0].Error.Message != "first try fails" || !*flaky.Attempts[1].Success || string(flaky.Output) != `"ok"` ||
		!flaky.End.Equal(begin.Add(time.Second)) || !flaky.Attempts[1].Start.Equal(begin.Add(time.Second)) {
		t.Errorf("do step = %+v", flaky)
	}
	if nap.Type != "sleep" || !nap.Until.Equal(begin.Add(time.Minute+time.Second)) || !*nap.Success {
		t.Errorf("sleep step = %+v", nap)
	}
	if ev.Type != "waitForEvent" || ev.EventType != "go" || !*ev.Success || !ev.End.Equal(begin.Add(2*time.Minute)) {
		t.Errorf("event step = %+v", ev)
	}
	if _, err := r.e.Describe(t.Context(), "missing"); !errors.Is(err, workflows.ErrNotFound) {
		t.Errorf("Describe(missing) = %v", err)
	}
}

func testListAndLatest(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if ev.Payload == 1 {
			return 0, workflows.Sleep(s, "nap", time.Hour)
		}
		return 0, nil
	})
	if _, err := r.e.ResolveID(t.Context(), workflows.LatestID); !errors.Is(err, workflows.ErrNotFound) {
		t.Fatalf("latest of nothing = %v", err)
	}
	for i, id := range []string{"a", "b", "c"} {
		wait(t, r.create(id, i), workflows.StatusComplete, workflows.StatusWaiting)
		time.Sleep(time.Second)
	}
	ids := func(o workflows.ListOptions) string {
		l, err := r.e.List(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, in := range l {
			out = append(out, in.ID+":"+string(in.Status))
		}
		return fmt.Sprint(out)
	}
	if got := ids(workflows.ListOptions{}); got != "[c:complete b:waiting a:complete]" {
		t.Errorf("List = %s", got)
	}
	if got := ids(workflows.ListOptions{Status: []workflows.Status{workflows.StatusComplete}}); got != "[c:complete a:complete]" {
		t.Errorf("List(complete) = %s", got)
	}
	if got := ids(workflows.ListOptions{Page: 2, PerPage: 2}); got != "[a:complete]" {
		t.Errorf("List(page 2) = %s", got)
	}
	if id, err := r.e.ResolveID(t.Context(), workflows.LatestID); err != nil || id != "c" {
		t.Errorf("latest = %q, %v", id, err)
	}
}

func testTrigger(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[person], s *workflows.Step, _ Env, _ wctx) (string, error) {
		return ev.Payload.Name, nil
	})
	id, err := r.e.Trigger(t.Context(), "", `{"name":"from the cli"}`)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := r.wf.Get(t.Context(), id)
	if st := wait(t, in, workflows.StatusComplete); string(st.Output) != `"from the cli"` {
		t.Fatalf("output %s", st.Output)
	}
	if _, err := r.e.Trigger(t.Context(), "x", `{not json`); err == nil {
		t.Errorf("Trigger accepted invalid JSON")
	}
	if id, err := r.e.Trigger(t.Context(), "named", ""); err != nil || id != "named" {
		t.Errorf("Trigger(named, no params) = %q, %v", id, err)
	}
}

func testBindingValue(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[person], s *workflows.Step, _ Env, _ wctx) (string, error) {
		return ev.Payload.Name, nil
	})
	v, err := workflows.NewBindingValue(reflect.TypeFor[*workflows.Workflow[person]](), r.e)
	if err != nil {
		t.Fatal(err)
	}
	wf := v.Interface().(*workflows.Workflow[person])
	in, err := wf.Create(t.Context(), workflows.CreateOptions[person]{Params: person{Name: "via reflect"}})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, in, workflows.StatusComplete)
	for _, bad := range []reflect.Type{reflect.TypeFor[*int](), reflect.TypeFor[string](), reflect.TypeFor[workflows.Workflow[int]]()} {
		if _, err := workflows.NewBindingValue(bad, r.e); err == nil {
			t.Errorf("NewBindingValue(%v) succeeded", bad)
		}
	}
	var zero workflows.Workflow[int]
	if _, err := zero.Create(t.Context(), workflows.CreateOptions[int]{}); !errors.Is(err, workflows.ErrNotBound) {
		t.Errorf("zero Workflow Create = %v", err)
	}
	var nilWF *workflows.Workflow[int]
	if _, err := nilWF.Get(t.Context(), "x"); !errors.Is(err, workflows.ErrNotBound) {
		t.Errorf("nil Workflow Get = %v", err)
	}
	var zi workflows.Instance
	if _, err := zi.Status(t.Context()); !errors.Is(err, workflows.ErrNotBound) {
		t.Errorf("zero Instance Status = %v", err)
	}
}

func testSubrequests(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return 0, nil
	})
	ctx, cancel := worker.NewContext(t.Context(), worker.ContextOptions{Limits: worker.Limits{Subrequests: 2}})
	defer cancel()
	in, err := r.wf.Create(ctx, workflows.CreateOptions[int]{ID: "i1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Status(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Status(ctx); !errors.Is(err, worker.ErrSubrequestLimit) {
		t.Fatalf("third binding call = %v, want the subrequest limit", err)
	}
	if ctx.Subrequests() != 3 {
		t.Fatalf("subrequests counted = %d", ctx.Subrequests())
	}
	wait(t, in, workflows.StatusComplete)
}
