package host_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/flarego/flarego/workflows"
	"github.com/stretchr/testify/require"
)

type WFEnv struct {
	Signup *workflows.Workflow[string] `binding:"SIGNUP"`
}

func welcome(ev workflows.Event[string], step *workflows.Step, env WFEnv, ctx *worker.Context) (string, error) {
	msg, err := workflows.Do(step, "greet", func(context.Context) (string, error) { return "hello " + ev.Payload, nil })
	if err != nil {
		return "", err
	}
	if err := workflows.Sleep(step, "wait a day", 24*time.Hour); err != nil {
		return "", err
	}
	return msg + ", a day later", nil
}

// A workflow bound from the config runs through the runner; a day of sleep passes in a
// fake clock.
func TestWorkflowBindingThroughRunner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app := worker.New[WFEnv](worker.HandlerFunc[WFEnv](func(req *http.Request, env WFEnv, ctx *worker.Context) (*http.Response, error) {
			if req.URL.Path == "/status" {
				inst, err := env.Signup.Get(ctx, "u1")
				if err != nil {
					return nil, err
				}
				st, err := inst.Status(ctx)
				if err != nil {
					return nil, err
				}
				return worker.JSON(200, st)
			}
			inst, err := env.Signup.Create(ctx, workflows.CreateOptions[string]{ID: "u1", Params: "ada"})
			if err != nil {
				return nil, err
			}
			return worker.Text(200, inst.ID)
		}))
		workflows.Register(app, "Signup", welcome)
		rt := workertest.New(t, app, workertest.Config(`{"workflows":[{"name":"signup","binding":"SIGNUP","class_name":"Signup"}]}`))
		require.Equal(t, "u1", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
		time.Sleep(time.Hour)
		synctest.Wait()
		require.Contains(t, body(t, rt.Fetch(httptest.NewRequest("GET", "/status", nil))), `"status":"waiting"`)
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		require.Contains(t, body(t, rt.Fetch(httptest.NewRequest("GET", "/status", nil))), `"output":"hello ada, a day later"`)
	})
}

func TestWorkflowClassMissingFailsStart(t *testing.T) {
	app := worker.New[WFEnv](worker.HandlerFunc[WFEnv](nil))
	_, err := newRunnerFor(t, `{"workflows":[{"name":"signup","binding":"SIGNUP","class_name":"Signup"}]}`, app)
	require.ErrorContains(t, err, `registers no class "Signup"`)
}
