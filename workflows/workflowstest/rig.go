package workflowstest

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
	"github.com/flarego/flarego/workflows/driver"
	"github.com/flarego/flarego/workflows/memory"
)

// Env is the Env type of the suite's workflows.
type Env struct{}

// rig is one engine under test with a typed binding.
type rig[P any] struct {
	t  *testing.T
	e  *workflows.Engine
	wf *workflows.Workflow[P]
}

// testOptions are the suite's engine options: no polling, so that a bubble with nothing
// left to do is idle (and a stuck test is reported as a deadlock instead of spinning).
func testOptions(o workflows.Options) workflows.Options {
	if o.Name == "" {
		o.Name = "wf"
	}
	if o.PollInterval == 0 {
		o.PollInterval = -1
	}
	if os.Getenv("WORKFLOWSTEST_LOG") != "" {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return o
}

func start[P, O any](t *testing.T, nd NewDriver, o workflows.Options, run workflows.RunFunc[Env, P, O]) *rig[P] {
	t.Helper()
	o = testOptions(o)
	if o.Driver == nil {
		o.Driver = nd(t)
	}
	e, err := workflows.Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.Start(workflows.NewDefinition("Test", run), Env{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return &rig[P]{t: t, e: e, wf: workflows.Bind[P](e)}
}

func (r *rig[P]) create(id string, params P) *workflows.Instance {
	r.t.Helper()
	in, err := r.wf.Create(r.t.Context(), workflows.CreateOptions[P]{ID: id, Params: params})
	if err != nil {
		r.t.Fatalf("Create(%q): %v", id, err)
	}
	return in
}

// waitLimit bounds every wait in fake time, so that a wrong expectation fails instead of
// waiting forever.
const waitLimit = 1000 * time.Hour

func wait(t *testing.T, in *workflows.Instance, want ...workflows.Status) workflows.InstanceStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	st, err := in.WaitForStatus(ctx, want...)
	if err != nil {
		t.Fatalf("WaitForStatus(%v): %v (status %+v)", want, err, st)
	}
	return st
}

func status(t *testing.T, in *workflows.Instance) workflows.InstanceStatus {
	t.Helper()
	st, err := in.Status(t.Context())
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	return st
}

func describe(t *testing.T, e *workflows.Engine, id string) *workflows.Description {
	t.Helper()
	d, err := e.Describe(t.Context(), id)
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	return d
}

// counter counts calls by name, safely from step callbacks.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) inc(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
	return c.n[name]
}

func (c *counter) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

// keepOpen shares one driver between engines, so that a test can stop an engine and start
// another on the same data (a process restart).
type keepOpen struct{ driver.Driver }

func (keepOpen) Close() error { return nil }

func shared(t *testing.T, nd NewDriver) driver.Driver {
	d := nd(t)
	t.Cleanup(func() { d.Close() })
	return keepOpen{d}
}

// NewEngine returns a started in-memory engine running def with env, closed when the test
// ends, for testing a workflow. opts may set anything but Driver; Name defaults to "test".
// Use it inside a synctest bubble to make sleeps and retry delays instant.
func NewEngine(t testing.TB, def *workflows.Definition, env any, opts ...workflows.Options) *workflows.Engine {
	t.Helper()
	var o workflows.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Name == "" {
		o.Name = "test"
	}
	if o.PollInterval == 0 {
		o.PollInterval = -1 // nothing else writes to a memory store
	}
	o.Driver = memory.New()
	e, err := workflows.Open(o)
	if err != nil {
		t.Fatalf("workflowstest: Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.Start(def, env); err != nil {
		t.Fatalf("workflowstest: Start: %v", err)
	}
	return e
}

// wctx shortens the context parameter of the suite's run functions.
type wctx = *worker.Context
