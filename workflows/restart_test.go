package workflows_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

// These tests run part of themselves in a child process (this test binary again, told by
// an environment variable), kill it with SIGKILL at a chosen point, and continue from the
// same state directory in the parent: the storage and scheduler must carry the instance on.

const childDirEnv = "FLAREGO_WORKFLOWS_CHILD_DIR"

type killEnv struct{}

// calls counts step callbacks in this process.
var calls struct{ before, stuck, after atomic.Int32 }

// killRun is the workflow both processes run. In "sleep" mode the child is killed while
// the instance sleeps; in "step" mode while a step's callback runs (it never returns in
// the child).
func killRun(ev workflows.Event[string], s *workflows.Step, _ killEnv, _ *worker.Context) (string, error) {
	n, err := workflows.Do(s, "before", func(context.Context) (int, error) { return int(calls.before.Add(1)), nil })
	if err != nil {
		return "", err
	}
	switch ev.Payload {
	case "sleep":
		if err := workflows.Sleep(s, "nap", 500*time.Millisecond); err != nil {
			return "", err
		}
	case "step":
		if _, err := workflows.Do(s, "stuck", func(ctx context.Context) (int, error) {
			if os.Getenv(childDirEnv) != "" {
				<-ctx.Done() // the parent kills the process during this attempt
			}
			return int(calls.stuck.Add(1)), nil
		}); err != nil {
			return "", err
		}
	}
	m, err := workflows.Do(s, "after", func(context.Context) (int, error) { return int(calls.after.Add(1)), nil })
	return fmt.Sprintf("before=%d after=%d", n, m), err
}

func resetCalls() {
	calls.before.Store(0)
	calls.stuck.Store(0)
	calls.after.Store(0)
}

func openKill(t *testing.T, dir string) *workflows.Engine {
	t.Helper()
	e, err := workflows.Open(workflows.Options{Name: "kill", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(workflows.NewDefinition("Kill", killRun), killEnv{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// child creates the instance and reports when it reaches the point to be killed at.
func child(t *testing.T, dir, mode string) {
	e := openKill(t, dir)
	wf := workflows.Bind[string](e)
	in, err := wf.Create(context.Background(), workflows.CreateOptions[string]{ID: "i1", Params: mode})
	if err != nil {
		t.Fatal(err)
	}
	if mode == "sleep" {
		if _, err := in.WaitForStatus(context.Background(), workflows.StatusWaiting); err != nil {
			t.Fatal(err)
		}
	} else {
		// Wait until the attempt in progress is stored as running.
		for {
			d, err := e.Describe(context.Background(), "i1")
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Steps) == 2 && len(d.Steps[1].Attempts) == 1 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	fmt.Println("READY") // the parent kills us now
	select {}
}

func killChild(t *testing.T, test, mode string) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir, "FLAREGO_WORKFLOWS_CHILD_MODE="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "READY" {
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup of any kind
		t.Fatal(err)
	}
	cmd.Wait()
	return dir
}

func resumeAfterKill(t *testing.T, dir string) *workflows.Description {
	t.Helper()
	e := openKill(t, dir)
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	in, err := workflows.Bind[string](e).Get(ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := in.WaitForStatus(ctx, workflows.StatusComplete)
	if err != nil {
		t.Fatalf("after the kill: %v (%+v)", err, st)
	}
	if string(st.Output) != `"before=1 after=1"` {
		t.Fatalf("output %s", st.Output)
	}
	d, err := e.Describe(ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestKillDuringSleep_WF025_WF031(t *testing.T) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		child(t, dir, os.Getenv("FLAREGO_WORKFLOWS_CHILD_MODE"))
		return
	}
	resetCalls()
	dir := killChild(t, "TestKillDuringSleep_WF025_WF031", "sleep")
	d := resumeAfterKill(t, dir)
	if calls.before.Load() != 0 || calls.after.Load() != 1 {
		t.Fatalf("in the new process: before ran %d times, after %d; want 0 and 1", calls.before.Load(), calls.after.Load())
	}
	if nap := d.Steps[1]; nap.Type != "sleep" || nap.End.Before(nap.Until) {
		t.Fatalf("sleep step %+v ended before its time", nap)
	}
}

func TestKillDuringStep(t *testing.T) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		child(t, dir, os.Getenv("FLAREGO_WORKFLOWS_CHILD_MODE"))
		return
	}
	resetCalls()
	dir := killChild(t, "TestKillDuringStep", "step")
	d := resumeAfterKill(t, dir)
	stuck := d.Steps[1]
	if len(stuck.Attempts) != 2 || stuck.Attempts[0].Error == nil || stuck.Attempts[0].Error.Name != workflows.NameInternal ||
		!*stuck.Attempts[1].Success || calls.stuck.Load() != 1 {
		t.Fatalf("step cut by the kill: %+v; want a failed internal attempt and one retry", stuck)
	}
}
