package workflowstest

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/workflows"
)

type person struct {
	Name string `json:"name"`
}

// blockingStep returns a callback that reports its start on started (once) and returns
// when release is closed.
func blockingStep(started chan<- struct{}, release <-chan struct{}) func(context.Context) (int, error) {
	var once sync.Once
	return func(ctx context.Context) (int, error) {
		once.Do(func() { close(started) })
		select {
		case <-release:
			return 1, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func testWF001Event(t *testing.T, nd NewDriver) {
	var (
		mu  sync.Mutex
		got workflows.Event[person]
	)
	r := start(t, nd, workflows.Options{Name: "signup"}, func(ev workflows.Event[person], s *workflows.Step, _ Env, _ wctx) (string, error) {
		mu.Lock()
		got = ev
		mu.Unlock()
		return "ok", nil
	})
	created := time.Now()
	in := r.create("i1", person{Name: "ada"})
	wait(t, in, workflows.StatusComplete)
	mu.Lock()
	defer mu.Unlock()
	if got.Payload.Name != "ada" || got.InstanceID != "i1" || got.WorkflowName != "signup" || !got.Timestamp.Equal(created) {
		t.Fatalf("event = %+v, want payload ada, id i1, workflow signup, timestamp %v", got, created)
	}
}

func testWF001PayloadReadOnly(t *testing.T, nd NewDriver) {
	var (
		mu   sync.Mutex
		seen []string
	)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[person], s *workflows.Step, _ Env, _ wctx) (string, error) {
		mu.Lock()
		seen = append(seen, ev.Payload.Name)
		mu.Unlock()
		ev.Payload.Name = "changed"
		if err := workflows.Sleep(s, "nap", time.Minute); err != nil {
			return "", err
		}
		return ev.Payload.Name, nil
	})
	wait(t, r.create("i1", person{Name: "ada"}), workflows.StatusComplete)
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, []string{"ada", "ada"}) {
		t.Fatalf("payload seen by each run = %v, want [ada ada]", seen)
	}
}

func testWF002Output(t *testing.T, nd NewDriver) {
	type result struct {
		Total int `json:"total"`
	}
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (result, error) {
		return result{Total: ev.Payload * 2}, nil
	})
	st := wait(t, r.create("i1", 21), workflows.StatusComplete)
	if string(st.Output) != `{"total":42}` {
		t.Fatalf("output = %s", st.Output)
	}
	out, err := workflows.DecodeOutput[result](st)
	if err != nil || out.Total != 42 {
		t.Fatalf("DecodeOutput = %+v, %v", out, err)
	}
}

func testWF002Unserialisable(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (chan int, error) {
		return make(chan int), nil
	})
	st := wait(t, r.create("i1", 0), workflows.StatusErrored)
	if st.Error == nil || !strings.Contains(st.Error.Message, "not serialisable") || st.Output != nil {
		t.Fatalf("status = %+v, want errored with a not serialisable error", st)
	}
}

func testWF003Queued(t *testing.T, nd NewDriver) {
	e, err := workflows.Open(testOptions(workflows.Options{Driver: nd(t)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	wf := workflows.Bind[int](e)
	in, err := wf.Create(t.Context(), workflows.CreateOptions[int]{ID: "i1", Params: 1})
	if err != nil {
		t.Fatal(err)
	}
	synctest.Wait()
	if st := status(t, in); st.Status != workflows.StatusQueued || st.Output != nil {
		t.Fatalf("status before the engine runs = %+v, want queued", st)
	}
	def := workflows.NewDefinition("Test", func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return ev.Payload, nil
	})
	if err := e.Start(def, Env{}); err != nil {
		t.Fatal(err)
	}
	wait(t, in, workflows.StatusComplete)
}

func testWF003UUID(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return 0, nil
	})
	in := r.create("", 0)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(in.ID) {
		t.Fatalf("generated id %q is not a random UUID", in.ID)
	}
	wait(t, in, workflows.StatusComplete)
}

func testWF004InvalidID(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return 0, nil
	})
	for _, id := range []string{"-leading-dash", "has space", "dot.ted", "ümlaut", strings.Repeat("a", 65)} {
		_, err := r.wf.Create(t.Context(), workflows.CreateOptions[int]{ID: id})
		if !errors.Is(err, workflows.ErrInvalidID) || err.Error() != "Workflow instance has invalid id" {
			t.Errorf("Create(%q) = %v, want %q", id, err, "Workflow instance has invalid id")
		}
	}
	for _, id := range []string{strings.Repeat("a", 64), "_x", "a-b_c", "0"} {
		if _, err := r.wf.Create(t.Context(), workflows.CreateOptions[int]{ID: id}); err != nil {
			t.Errorf("Create(%q) = %v, want ok", id, err)
		}
	}
	if _, err := r.wf.Create(t.Context(), workflows.CreateOptions[int]{ID: "_x"}); !errors.Is(err, workflows.ErrAlreadyExists) {
		t.Errorf("Create of an existing id = %v, want ErrAlreadyExists", err)
	}
}

func testWF005Batch(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return ev.Payload, nil
	})
	ctx := t.Context()
	if _, err := r.wf.CreateBatch(ctx, nil); err == nil || err.Error() != "WorkflowError: batchCreate should have at least 1 instance" {
		t.Errorf("empty batch: %v", err)
	}
	if _, err := r.wf.CreateBatch(ctx, make([]workflows.CreateOptions[int], 101)); !errors.Is(err, workflows.ErrBatchTooLarge) {
		t.Errorf("batch of 101: %v, want ErrBatchTooLarge", err)
	}
	ins, err := r.wf.CreateBatch(ctx, []workflows.CreateOptions[int]{{ID: "c", Params: 3}, {ID: "a", Params: 1}, {ID: "b", Params: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 3 || ins[0].ID != "c" || ins[1].ID != "a" || ins[2].ID != "b" {
		t.Fatalf("batch returned %v, want c, a, b in order", ins)
	}
	for i, in := range ins {
		st := wait(t, in, workflows.StatusComplete)
		if want := []string{"3", "1", "2"}[i]; string(st.Output) != want {
			t.Errorf("%s output = %s, want %s", in.ID, st.Output, want)
		}
	}
	// All or nothing: one existing id fails the whole batch.
	if _, err := r.wf.CreateBatch(ctx, []workflows.CreateOptions[int]{{ID: "new"}, {ID: "a"}}); !errors.Is(err, workflows.ErrAlreadyExists) {
		t.Fatalf("batch with an existing id = %v", err)
	}
	if _, err := r.wf.Get(ctx, "new"); !errors.Is(err, workflows.ErrNotFound) {
		t.Errorf("part of a failed batch was created: %v", err)
	}
	full := make([]workflows.CreateOptions[int], 100)
	if ins, err := r.wf.CreateBatch(ctx, full); err != nil || len(ins) != 100 {
		t.Errorf("batch of 100: %d, %v", len(ins), err)
	}
}

func testWF006GetMissing(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return 0, nil
	})
	_, err := r.wf.Get(t.Context(), "nope")
	if !errors.Is(err, workflows.ErrNotFound) || err.Error() != "instance.not_found" {
		t.Fatalf("Get(missing) = %v, want instance.not_found", err)
	}
	r.create("yes", 0)
	if in, err := r.wf.Get(t.Context(), "yes"); err != nil || in.ID != "yes" {
		t.Fatalf("Get(yes) = %v, %v", in, err)
	}
}

func testWF007StatusShape(t *testing.T, nd NewDriver) {
	started, release := make(chan struct{}), make(chan struct{})
	block := blockingStep(started, release)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[string], s *workflows.Step, _ Env, _ wctx) (string, error) {
		switch ev.Payload {
		case "fail":
			return "", errors.New("boom")
		case "block":
			if _, err := workflows.Do(s, "block", block); err != nil {
				return "", err
			}
		}
		if _, err := workflows.Do(s, "i'm a step?", func(context.Context) (string, error) { return "yes you are", nil }); err != nil {
			return "", err
		}
		return "I'm a output string", nil
	})
	done := wait(t, r.create("ok", "ok"), workflows.StatusComplete)
	if b, _ := json.Marshal(done); string(b) != `{"status":"complete","__LOCAL_DEV_STEP_OUTPUTS":["yes you are"],"output":"I'm a output string"}` {
		t.Errorf("complete status JSON = %s", b)
	}
	failed := wait(t, r.create("fail", "fail"), workflows.StatusErrored)
	if b, _ := json.Marshal(failed); string(b) != `{"status":"errored","__LOCAL_DEV_STEP_OUTPUTS":[],"output":null,"error":{"name":"Error","message":"boom"}}` {
		t.Errorf("errored status JSON = %s", b)
	}
	in := r.create("block", "block")
	<-started
	running := wait(t, in, workflows.StatusRunning)
	if b, _ := json.Marshal(running); string(b) != `{"status":"running","__LOCAL_DEV_STEP_OUTPUTS":[],"output":null}` {
		t.Errorf("running status JSON = %s", b)
	}
	close(release)
	wait(t, in, workflows.StatusComplete)
}

func testWF008Waiting(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if _, err := workflows.WaitForEvent[int](s, "wait", "go", 0); err != nil {
			return 0, err
		}
		return 1, nil
	})
	in := r.create("i1", 0)
	// Production reports waiting (the local runtime says running); this engine reports
	// waiting, which tests written for either accept.
	st := wait(t, in, workflows.StatusWaiting, workflows.StatusRunning)
	synctest.Wait()
	if st = status(t, in); st.Status != workflows.StatusWaiting {
		t.Fatalf("status while waiting for an event = %s", st.Status)
	}
}

func testWF009PauseDuringStep(t *testing.T, nd NewDriver) {
	var calls counter
	started, release := make(chan struct{}), make(chan struct{})
	block := blockingStep(started, release)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if _, err := workflows.Do(s, "a", func(ctx context.Context) (int, error) { calls.inc("a"); return block(ctx) }); err != nil {
			return 0, err
		}
		return workflows.Do(s, "b", func(context.Context) (int, error) { return calls.inc("b"), nil })
	})
	in := r.create("i1", 0)
	<-started
	if err := in.Pause(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := status(t, in); st.Status != workflows.StatusWaitingForPause {
		t.Fatalf("status after pause during a step = %s, want waitingForPause", st.Status)
	}
	close(release)
	wait(t, in, workflows.StatusPaused)
	synctest.Wait()
	if calls.get("b") != 0 {
		t.Fatalf("the next step ran while paused")
	}
	if err := in.Pause(t.Context()); err != nil {
		t.Errorf("pausing a paused instance: %v", err)
	}
	if err := in.Resume(t.Context()); err != nil {
		t.Fatal(err)
	}
	wait(t, in, workflows.StatusComplete)
	if calls.get("a") != 1 || calls.get("b") != 1 {
		t.Fatalf("calls a=%d b=%d, want 1 and 1: resume continues after the last completed step", calls.get("a"), calls.get("b"))
	}
}

func testWF009PauseWhileSleeping(t *testing.T, nd NewDriver) {
	var (
		mu   sync.Mutex
		done time.Time
	)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if err := workflows.Sleep(s, "nap", time.Hour); err != nil {
			return 0, err
		}
		return workflows.Do(s, "after", func(context.Context) (int, error) {
			mu.Lock()
			done = time.Now()
			mu.Unlock()
			return 1, nil
		})
	})
	in := r.create("i1", 0)
	wait(t, in, workflows.StatusWaiting)
	time.Sleep(20 * time.Minute)
	if err := in.Pause(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := status(t, in); st.Status != workflows.StatusPaused {
		t.Fatalf("pausing a sleeping instance: status %s, want paused at once", st.Status)
	}
	time.Sleep(3 * time.Hour)
	if st := status(t, in); st.Status != workflows.StatusPaused {
		t.Fatalf("paused instance woke: %s", st.Status)
	}
	resumed := time.Now()
	if err := in.Resume(t.Context()); err != nil {
		t.Fatal(err)
	}
	wait(t, in, workflows.StatusComplete)
	mu.Lock()
	defer mu.Unlock()
	if want := resumed.Add(40 * time.Minute); !done.Equal(want) {
		t.Fatalf("sleep ended %v after resume, want the remaining 40m", done.Sub(resumed))
	}
}

func testWF009ResumeCancelsPause(t *testing.T, nd NewDriver) {
	started, release := make(chan struct{}), make(chan struct{})
	block := blockingStep(started, release)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if _, err := workflows.Do(s, "a", block); err != nil {
			return 0, err
		}
		return workflows.Do(s, "b", func(context.Context) (int, error) { return 2, nil })
	})
	in := r.create("i1", 0)
	<-started
	if err := in.Pause(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := in.Resume(t.Context()); err != nil {
		t.Fatalf("resume of a pending pause: %v", err)
	}
	if st := status(t, in); st.Status != workflows.StatusRunning {
		t.Fatalf("status after cancelling the pause = %s, want running", st.Status)
	}
	close(release)
	wait(t, in, workflows.StatusComplete)
}

func testWF009ResumeNotPaused(t *testing.T, nd NewDriver) {
	started, release := make(chan struct{}), make(chan struct{})
	block := blockingStep(started, release)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.Do(s, "a", block)
	})
	in := r.create("i1", 0)
	<-started
	err := in.Resume(t.Context())
	if !errors.Is(err, workflows.ErrCannotResume) {
		t.Fatalf("resume of a running instance = %v, want ErrCannotResume", err)
	}
	close(release)
	wait(t, in, workflows.StatusComplete)
	if err := in.Resume(t.Context()); !errors.Is(err, workflows.ErrCannotResume) {
		t.Fatalf("resume of a complete instance = %v", err)
	}
}

func testWF010Terminate(t *testing.T, nd NewDriver) {
	var calls counter
	started := make(chan struct{})
	var once sync.Once
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		_, err := workflows.Do(s, "a", func(ctx context.Context) (int, error) {
			once.Do(func() { close(started) })
			<-ctx.Done()
			calls.inc("a cancelled")
			return 0, ctx.Err()
		})
		if err != nil {
			return 0, err
		}
		return workflows.Do(s, "b", func(context.Context) (int, error) { return calls.inc("b"), nil })
	})
	in := r.create("i1", 0)
	<-started
	time.Sleep(time.Second) // long enough for the running attempt to be stored
	if err := in.Terminate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := status(t, in); st.Status != workflows.StatusTerminated {
		t.Fatalf("status = %s, want terminated", st.Status)
	}
	synctest.Wait()
	if calls.get("a cancelled") != 1 || calls.get("b") != 0 {
		t.Fatalf("step context cancelled %d times, b ran %d times; want 1 and 0", calls.get("a cancelled"), calls.get("b"))
	}
	d := describe(t, r.e, "i1")
	if st := status(t, in); st.Status != workflows.StatusTerminated || len(d.Steps) != 1 || d.Steps[0].Success != nil {
		t.Fatalf("after terminate: %s, steps %+v", st.Status, d.Steps)
	}
	if err := in.Terminate(t.Context()); !errors.Is(err, workflows.ErrCannotTerminate) {
		t.Fatalf("second terminate = %v", err)
	}
}

func testWF010TerminateFinished(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if ev.Payload == 1 {
			return 0, errors.New("x")
		}
		return 0, nil
	})
	for i, want := range []workflows.Status{workflows.StatusComplete, workflows.StatusErrored} {
		in := r.create(string(rune('a'+i)), i)
		wait(t, in, want)
		err := in.Terminate(t.Context())
		if err == nil || err.Error() != "(instance.cannot_terminate) Cannot terminate instance since its on a finite state" {
			t.Errorf("terminate %s instance = %v", want, err)
		}
	}
}

func testWF011Restart(t *testing.T, nd NewDriver) {
	var calls counter
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[person], s *workflows.Step, _ Env, _ wctx) (string, error) {
		if _, err := workflows.Do(s, "a", func(context.Context) (int, error) { return calls.inc("a"), nil }); err != nil {
			return "", err
		}
		if err := workflows.Sleep(s, "nap", time.Hour); err != nil {
			return "", err
		}
		return ev.Payload.Name, nil
	})
	in := r.create("i1", person{Name: "ada"})
	wait(t, in, workflows.StatusWaiting)
	if err := in.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	synctest.Wait()
	wait(t, in, workflows.StatusWaiting)
	if calls.get("a") != 2 {
		t.Fatalf("step a ran %d times, want 2: restart discards cached results", calls.get("a"))
	}
	st := wait(t, in, workflows.StatusComplete)
	if string(st.Output) != `"ada"` || len(st.StepOutputs) != 1 {
		t.Fatalf("after restart: %+v, want the original params and one step output", st)
	}
	// A finished instance can be restarted too.
	if err := in.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	wait(t, in, workflows.StatusWaiting)
	if calls.get("a") != 3 {
		t.Fatalf("restart of a complete instance: a ran %d times", calls.get("a"))
	}
}

type approval struct {
	By string `json:"by"`
}

func testWF012SendEvent(t *testing.T, nd NewDriver) {
	var (
		mu  sync.Mutex
		got workflows.StepEvent[approval]
	)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (string, error) {
		e, err := workflows.WaitForEvent[approval](s, "approval", "approve", time.Hour)
		if err != nil {
			return "", err
		}
		mu.Lock()
		got = e
		mu.Unlock()
		return e.Payload.By, nil
	})
	in := r.create("i1", 0)
	wait(t, in, workflows.StatusWaiting)
	if err := in.SendEvent(t.Context(), "other", approval{By: "eve"}); err != nil {
		t.Fatal(err)
	}
	synctest.Wait()
	if st := status(t, in); st.Status != workflows.StatusWaiting {
		t.Fatalf("an event of another type woke the instance: %s", st.Status)
	}
	time.Sleep(time.Minute)
	sent := time.Now()
	if err := in.SendEvent(t.Context(), "approve", approval{By: "bob"}); err != nil {
		t.Fatal(err)
	}
	st := wait(t, in, workflows.StatusComplete)
	mu.Lock()
	defer mu.Unlock()
	if string(st.Output) != `"bob"` || got.Type != "approve" || !got.Timestamp.Equal(sent) {
		t.Fatalf("output %s, event %+v; want bob, type approve, timestamp %v", st.Output, got, sent)
	}
}

func testWF012EventBeforeWait(t *testing.T, nd NewDriver) {
	started, release := make(chan struct{}), make(chan struct{})
	block := blockingStep(started, release)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) ([]int, error) {
		if _, err := workflows.Do(s, "first", block); err != nil {
			return nil, err
		}
		var out []int
		for _, name := range []string{"w1", "w2"} {
			e, err := workflows.WaitForEvent[int](s, name, "x", 0)
			if err != nil {
				return nil, err
			}
			out = append(out, e.Payload)
		}
		return out, nil
	})
	in := r.create("i1", 0)
	<-started
	for _, p := range []int{1, 2} {
		if err := in.SendEvent(t.Context(), "x", p); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	st := wait(t, in, workflows.StatusComplete)
	if string(st.Output) != "[1,2]" {
		t.Fatalf("output %s, want [1,2]: events sent before the wait are kept, in order", st.Output)
	}
}

func testWF012SendToFinished(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if ev.Payload == 1 {
			return 0, errors.New("x")
		}
		return 0, nil
	})
	for i, want := range []workflows.Status{workflows.StatusComplete, workflows.StatusErrored} {
		in := r.create(string(rune('a'+i)), i)
		wait(t, in, want)
		if err := in.SendEvent(t.Context(), "e", 1); !errors.Is(err, workflows.ErrCannotSendEvent) {
			t.Errorf("SendEvent to %s instance = %v, want ErrCannotSendEvent", want, err)
		}
	}
	if err := r.e.SendEvent(t.Context(), "missing", "e", nil); !errors.Is(err, workflows.ErrNotFound) {
		t.Errorf("SendEvent to a missing instance = %v", err)
	}
}

func testWF031Persist(t *testing.T, nd NewDriver) {
	d := shared(t, nd)
	var calls counter
	run := func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		n, err := workflows.Do(s, "a", func(context.Context) (int, error) { return calls.inc(ev.InstanceID), nil })
		if err != nil {
			return 0, err
		}
		if err := workflows.Sleep(s, "nap", time.Hour); err != nil {
			return 0, err
		}
		return n, nil
	}
	r1 := start(t, nd, workflows.Options{Driver: d}, run)
	in := r1.create("i1", 0)
	r1.create("done", 0)
	wait(t, in, workflows.StatusWaiting)
	if err := r1.e.Close(); err != nil {
		t.Fatal(err)
	}
	r2 := start(t, nd, workflows.Options{Driver: d}, run)
	in2, err := r2.wf.Get(t.Context(), "i1")
	if err != nil {
		t.Fatal(err)
	}
	st := wait(t, in2, workflows.StatusComplete)
	if string(st.Output) != "1" || calls.get("i1") != 1 {
		t.Fatalf("after reopening: output %s, a ran %d times", st.Output, calls.get("i1"))
	}
	done, _ := r2.wf.Get(t.Context(), "done")
	wait(t, done, workflows.StatusComplete)
}

func testWF031Delete(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return 0, workflows.Sleep(s, "nap", time.Hour)
	})
	in := r.create("i1", 0)
	wait(t, in, workflows.StatusWaiting)
	if err := in.Delete(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.wf.Get(t.Context(), "i1"); !errors.Is(err, workflows.ErrNotFound) {
		t.Fatalf("Get after delete = %v", err)
	}
	if err := in.Delete(t.Context()); !errors.Is(err, workflows.ErrNotFound) {
		t.Fatalf("second delete = %v", err)
	}
	time.Sleep(2 * time.Hour)
	synctest.Wait()
	// The id is free again.
	r.create("i1", 0)
}

func testWF032StepOutputs(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if _, err := workflows.Do(s, "a", func(context.Context) (int, error) { return 1, nil }); err != nil {
			return 0, err
		}
		if err := workflows.Sleep(s, "nap", time.Minute); err != nil {
			return 0, err
		}
		if _, err := workflows.WaitForEvent[string](s, "wait", "e", 0); err != nil {
			return 0, err
		}
		_, err := workflows.Do(s, "b", func(context.Context) (string, error) { return "two", nil })
		return 0, err
	})
	in := r.create("i1", 0)
	if err := in.SendEvent(t.Context(), "e", "payload"); err != nil {
		t.Fatal(err)
	}
	st := wait(t, in, workflows.StatusComplete)
	b, _ := json.Marshal(st.StepOutputs)
	if string(b) != `[1,"payload","two"]` {
		t.Fatalf("__LOCAL_DEV_STEP_OUTPUTS = %s, want [1,\"payload\",\"two\"]", b)
	}
}
