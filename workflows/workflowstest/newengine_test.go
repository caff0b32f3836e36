package workflowstest_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
	"github.com/flarego/flarego/workflows/workflowstest"
)

type env struct{ Greeting string }

func greet(ev workflows.Event[string], s *workflows.Step, e env, _ *worker.Context) (string, error) {
	if err := workflows.Sleep(s, "wait a day", 24*time.Hour); err != nil {
		return "", err
	}
	return workflows.Do(s, "greet", func(context.Context) (string, error) { return e.Greeting + " " + ev.Payload, nil })
}

// A user's test of their workflow: a day's sleep takes no time in a synctest bubble.
func TestNewEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := workflowstest.NewEngine(t, workflows.NewDefinition("Greet", greet), env{Greeting: "hello"})
		in, err := workflows.Bind[string](e).Create(t.Context(), workflows.CreateOptions[string]{Params: "ada"})
		if err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		st, err := in.WaitForStatus(t.Context(), workflows.StatusComplete)
		if err != nil || string(st.Output) != `"hello ada"` || time.Since(begin) != 24*time.Hour {
			t.Fatalf("status %+v, %v after %s", st, err, time.Since(begin))
		}
	})
}
