package workflowstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/workflows"
)

func testWF028SleepingDoNotCount(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{MaxConcurrent: 1}, func(ev workflows.Event[string], s *workflows.Step, _ Env, _ wctx) (string, error) {
		if ev.Payload == "sleeper" {
			if err := workflows.Sleep(s, "nap", time.Hour); err != nil {
				return "", err
			}
		}
		return workflows.Do(s, "work", func(context.Context) (string, error) { return ev.Payload, nil })
	})
	sleeper := r.create("a", "sleeper")
	wait(t, sleeper, workflows.StatusWaiting)
	wait(t, r.create("b", "worker"), workflows.StatusComplete)
	if st := status(t, sleeper); st.Status != workflows.StatusWaiting {
		t.Fatalf("sleeper is %s", st.Status)
	}
}

func testWF028WokenFirst(t *testing.T, nd NewDriver) {
	var (
		mu    sync.Mutex
		order []string
	)
	started, release := make(chan struct{}), make(chan struct{})
	block := blockingStep(started, release)
	r := start(t, nd, workflows.Options{MaxConcurrent: 1}, func(ev workflows.Event[string], s *workflows.Step, _ Env, _ wctx) (int, error) {
		switch ev.Payload {
		case "blocker":
			return workflows.Do(s, "block", block)
		case "sleeper":
			if err := workflows.Sleep(s, "nap", time.Minute); err != nil {
				return 0, err
			}
		}
		return workflows.Do(s, "mark", func(context.Context) (int, error) {
			mu.Lock()
			order = append(order, ev.Payload)
			mu.Unlock()
			return 0, nil
		})
	})
	sleeper := r.create("a", "sleeper")
	wait(t, sleeper, workflows.StatusWaiting)
	r.create("c", "blocker")
	<-started
	time.Sleep(2 * time.Minute) // the sleeper is due, but the only slot is taken
	fresh := r.create("b", "new")
	synctest.Wait()
	if st := status(t, fresh); st.Status != workflows.StatusQueued {
		t.Fatalf("new instance is %s, want queued behind the running one", st.Status)
	}
	close(release)
	wait(t, sleeper, workflows.StatusComplete)
	wait(t, fresh, workflows.StatusComplete)
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(order) != "[sleeper new]" {
		t.Fatalf("order = %v, want the woken instance before the newly queued one", order)
	}
}

func testWF029Concurrency(t *testing.T, nd NewDriver) {
	entered := make(chan string, 3)
	release := make(chan struct{})
	r := start(t, nd, workflows.Options{MaxConcurrent: 2}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.Do(s, "block", func(ctx context.Context) (int, error) {
			entered <- ev.InstanceID
			<-release
			return 0, nil
		})
	})
	ins := []*workflows.Instance{r.create("a", 0), r.create("b", 0), r.create("c", 0)}
	<-entered
	<-entered
	synctest.Wait()
	counts := map[workflows.Status]int{}
	for _, in := range ins {
		counts[status(t, in).Status]++
	}
	if counts[workflows.StatusRunning] != 2 || counts[workflows.StatusQueued] != 1 || len(entered) != 0 {
		t.Fatalf("statuses %v, want 2 running and 1 queued", counts)
	}
	close(release)
	for _, in := range ins {
		wait(t, in, workflows.StatusComplete)
	}
}

func testParallelSteps(t *testing.T, nd NewDriver) {
	var calls counter
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		var (
			wg   sync.WaitGroup
			errs [3]error
			vals [3]int
		)
		wg.Go(func() {
			vals[0], errs[0] = workflows.Do(s, "p1", func(context.Context) (int, error) { return calls.inc("p1"), nil })
		})
		wg.Go(func() {
			if errs[1] = workflows.Sleep(s, "nap", time.Hour); errs[1] == nil {
				vals[1], errs[1] = workflows.Do(s, "p2", func(context.Context) (int, error) { return 10 * calls.inc("p2"), nil })
			}
		})
		wg.Go(func() {
			vals[2], errs[2] = workflows.Do(s, "p3", func(context.Context) (int, error) { return 100 * calls.inc("p3"), nil })
		})
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			return 0, err
		}
		return vals[0] + vals[1] + vals[2], nil
	})
	begin := time.Now()
	st := wait(t, r.create("i1", 0), workflows.StatusComplete)
	if string(st.Output) != "111" || calls.get("p1") != 1 || calls.get("p2") != 1 || calls.get("p3") != 1 {
		t.Fatalf("output %s, calls p1=%d p2=%d p3=%d", st.Output, calls.get("p1"), calls.get("p2"), calls.get("p3"))
	}
	if got := describe(t, r.e, "i1").End.Sub(begin); got != time.Hour {
		t.Fatalf("finished at +%s, want +1h", got)
	}
}

func testParallelSleepAndWait(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		var (
			wg   sync.WaitGroup
			errs [2]error
			got  int
		)
		wg.Go(func() { errs[0] = workflows.Sleep(s, "nap", time.Hour) })
		wg.Go(func() {
			var e workflows.StepEvent[int]
			e, errs[1] = workflows.WaitForEvent[int](s, "wait", "go", 2*time.Hour)
			got = e.Payload
		})
		wg.Wait()
		return got, errors.Join(errs[:]...)
	})
	begin := time.Now()
	in := r.create("i1", 0)
	time.Sleep(90 * time.Minute)
	if err := in.SendEvent(t.Context(), "go", 9); err != nil {
		t.Fatal(err)
	}
	if st := wait(t, in, workflows.StatusComplete); string(st.Output) != "9" {
		t.Fatalf("output %s", st.Output)
	}
	d := describe(t, r.e, "i1")
	for _, s := range d.Steps {
		want := map[string]time.Duration{"nap": time.Hour, "wait": 90 * time.Minute}[s.Name]
		if s.Success == nil || !*s.Success || s.End.Sub(begin) != want {
			t.Errorf("step %s ended at +%s (success %v), want +%s: %+v", s.Name, s.End.Sub(begin), s.Success, want, d)
		}
	}
}

func testSwallowedSuspend(t *testing.T, nd NewDriver) {
	var (
		calls    counter
		suspends counter
	)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (string, error) {
		if err := workflows.Sleep(s, "nap", time.Hour); workflows.IsSuspend(err) {
			suspends.inc("sleep")
		}
		// The error is dropped: the run goes on, but every later step suspends too and the
		// run's result is ignored.
		_, err := workflows.Do(s, "after", func(context.Context) (int, error) { return calls.inc("after"), nil })
		if err != nil {
			return "swallowed: " + err.Error(), nil
		}
		return "done", nil
	})
	st := wait(t, r.create("i1", 0), workflows.StatusComplete)
	if string(st.Output) != `"done"` || calls.get("after") != 1 || suspends.get("sleep") != 1 {
		t.Fatalf("output %s, after ran %d times, %d suspends", st.Output, calls.get("after"), suspends.get("sleep"))
	}
}

func testCrashMidAttempt(t *testing.T, nd NewDriver) {
	d := shared(t, nd)
	var log attemptLog
	started := make(chan struct{})
	run := func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.Do(s, "work", func(ctx context.Context) (int, error) {
			if log.add() == 1 {
				close(started)
				<-ctx.Done() // the process stops during the first attempt
				return 0, ctx.Err()
			}
			return 7, nil
		})
	}
	r1 := start(t, nd, workflows.Options{Driver: d}, run)
	r1.create("i1", 0)
	<-started
	time.Sleep(time.Second) // long enough for the running attempt to be stored
	r1.e.Close()
	r2 := start(t, nd, workflows.Options{Driver: d}, run)
	in, _ := r2.wf.Get(t.Context(), "i1")
	st := wait(t, in, workflows.StatusComplete)
	a := describe(t, r2.e, "i1").Steps[0].Attempts
	if string(st.Output) != "7" || len(a) != 2 || a[0].Error == nil || a[0].Error.Name != workflows.NameInternal || *a[1].Success != true {
		t.Fatalf("output %s, attempts %+v; want the cut attempt failed as internal and a second one", st.Output, a)
	}
}

func testEventWhilePaused(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		e, err := workflows.WaitForEvent[int](s, "wait", "go", time.Hour)
		return e.Payload, err
	})
	in := r.create("i1", 0)
	wait(t, in, workflows.StatusWaiting)
	if err := in.Pause(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := in.SendEvent(t.Context(), "go", 5); err != nil {
		t.Fatalf("event to a paused instance: %v", err)
	}
	synctest.Wait()
	if st := status(t, in); st.Status != workflows.StatusPaused {
		t.Fatalf("an event woke a paused instance: %s", st.Status)
	}
	time.Sleep(2 * time.Hour) // longer than the wait's timeout: paused time does not count
	if err := in.Resume(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := wait(t, in, workflows.StatusComplete); string(st.Output) != "5" {
		t.Fatalf("output %s", st.Output)
	}
}
