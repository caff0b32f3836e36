package workflows_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

func TestListWorkflows(t *testing.T) {
	dir := t.TempDir()
	if l, err := workflows.ListWorkflows(t.Context(), dir+"/missing"); err != nil || len(l) != 0 {
		t.Fatalf("missing dir: %v, %v", l, err)
	}
	for _, name := range []string{"billing", "signup"} {
		e, err := workflows.Open(workflows.Options{Name: name, ClassName: "C_" + name, ScriptName: "app", Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if name == "signup" {
			// A tool process: store without running.
			if _, err := e.Trigger(t.Context(), "a", `{"x":1}`); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Trigger(t.Context(), "b", ""); err != nil {
				t.Fatal(err)
			}
			if err := e.Terminate(t.Context(), "b"); err != nil {
				t.Fatal(err)
			}
		}
		e.Close()
	}
	l, err := workflows.ListWorkflows(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 2 || l[0].Name != "billing" || l[1].Name != "signup" || l[1].ClassName != "C_signup" ||
		l[1].ScriptName != "app" || l[1].Instances[workflows.StatusQueued] != 1 || l[1].Instances[workflows.StatusTerminated] != 1 ||
		l[1].Path != workflows.DBPath(dir, "signup") {
		t.Fatalf("ListWorkflows = %+v", l)
	}

	// The runner picks up what the tool stored.
	e, err := workflows.Open(workflows.Options{Name: "signup", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	run := func(ev workflows.Event[map[string]int], s *workflows.Step, _ struct{}, _ *worker.Context) (int, error) {
		return ev.Payload["x"], nil
	}
	if err := e.Start(workflows.NewDefinition("C_signup", run), struct{}{}); err != nil {
		t.Fatal(err)
	}
	st, err := e.WaitForStatus(context.Background(), "a", workflows.StatusComplete)
	if err != nil || string(st.Output) != "1" {
		t.Fatalf("triggered instance: %+v, %v", st, err)
	}
	counts, err := e.Counts(t.Context())
	if err != nil || counts[workflows.StatusComplete] != 1 || counts[workflows.StatusTerminated] != 1 {
		t.Fatalf("Counts = %v, %v", counts, err)
	}
}

func TestOpenValidatesName(t *testing.T) {
	for _, name := range []string{"", "../escape", "has space"} {
		if _, err := workflows.Open(workflows.Options{Name: name}); err == nil {
			t.Errorf("Open(%q) succeeded", name)
		}
	}
}

func TestStartChecks(t *testing.T) {
	e, err := workflows.Open(workflows.Options{Name: "w"})
	if err != nil {
		t.Fatal(err)
	}
	def := workflows.NewDefinition("W", func(ev workflows.Event[int], s *workflows.Step, _ struct{}, _ *worker.Context) (int, error) {
		return 0, nil
	})
	if err := e.Start(def, 42); err == nil {
		t.Errorf("Start with the wrong Env type succeeded")
	}
	if err := e.Start(def, &struct{}{}); err != nil {
		t.Fatalf("Start with *Env: %v", err)
	}
	if err := e.Start(def, struct{}{}); err == nil {
		t.Errorf("second Start succeeded")
	}
	e.Close()
	if _, err := e.Create(t.Context()); err != workflows.ErrClosed {
		t.Errorf("Create after Close = %v", err)
	}
}

func TestRegister(t *testing.T) {
	type Env struct{}
	app := worker.New[Env](worker.HandlerFunc[Env](func(*http.Request, Env, *worker.Context) (*http.Response, error) {
		return worker.Text(http.StatusOK, "")
	}))
	def := workflows.Register(app, "Signup", func(ev workflows.Event[string], s *workflows.Step, _ Env, _ *worker.Context) (int, error) {
		return len(ev.Payload), nil
	})
	regs := app.Registrations()
	if len(regs) != 1 || regs[0].Kind != workflows.RegistrationKind || regs[0].Name != "Signup" || regs[0].Value != def {
		t.Fatalf("registrations = %+v", regs)
	}
	if def.ClassName() != "Signup" || def.ParamsType().String() != "string" || def.OutputType().String() != "int" ||
		def.EnvType().Name() != "Env" {
		t.Fatalf("definition types: %v %v %v", def.ParamsType(), def.OutputType(), def.EnvType())
	}
}

func TestDescribeText(t *testing.T) {
	e, err := workflows.Open(workflows.Options{Name: "text"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	run := func(ev workflows.Event[map[string]int], s *workflows.Step, _ struct{}, _ *worker.Context) (int, error) {
		n, err := workflows.Do(s, "count", func(context.Context) (int, error) { return 3, nil })
		if err != nil {
			return 0, err
		}
		_, err = workflows.WaitForEvent[int](s, "wait", "go", 0)
		return n, err
	}
	if err := e.Start(workflows.NewDefinition("Text", run), struct{}{}); err != nil {
		t.Fatal(err)
	}
	ids, _ := e.Create(t.Context(), workflows.NewInstance{ID: "t1", Params: []byte(`{"a":1}`)})
	if _, err := e.WaitForStatus(t.Context(), ids[0], workflows.StatusWaiting); err != nil {
		t.Fatal(err)
	}
	d, err := e.Describe(t.Context(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := d.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Instance:", "t1", "waiting", `{"a":1}`, "count", "output 3", "attempt 1", "ok", "waitForEvent", "event go"} {
		if !strings.Contains(out, want) {
			t.Errorf("describe text lacks %q:\n%s", want, out)
		}
	}
}
