package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

type Env struct {
	Orders *workflows.Workflow[Order] `binding:"ORDERS"`
}

type Order struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

// Fulfil is a workflow: each step's result is stored, so when run executes again after
// the sleep, "reserve stock" returns its stored result instead of reserving twice.
func Fulfil(ev workflows.Event[Order], step *workflows.Step, env Env, ctx *worker.Context) (string, error) {
	reservation, err := workflows.Do(step, "reserve stock", func(ctx context.Context) (string, error) {
		return fmt.Sprintf("R-%s-%d", ev.Payload.ID, ev.Payload.Items), nil
	})
	if err != nil {
		return "", err // also how a suspended run unwinds: return step errors unchanged
	}
	if err := workflows.Sleep(step, "cooling-off period", 10*time.Millisecond); err != nil {
		return "", err
	}
	return workflows.Do(step, "ship", func(ctx context.Context) (string, error) {
		return "shipped " + reservation, nil
	})
}

// An engine runs one workflow. The runner opens it from the state directory, puts a
// binding in the Env and starts it; here everything is in memory.
func Example() {
	eng, err := workflows.Open(workflows.Options{Name: "orders"})
	if err != nil {
		panic(err)
	}
	defer eng.Close()
	env := Env{Orders: workflows.Bind[Order](eng)}
	if err := eng.Start(workflows.NewDefinition("Fulfil", Fulfil), env); err != nil {
		panic(err)
	}

	ctx := context.Background()
	inst, err := env.Orders.Create(ctx, workflows.CreateOptions[Order]{ID: "order-1", Params: Order{ID: "1", Items: 3}})
	if err != nil {
		panic(err)
	}
	st, err := inst.WaitForStatus(ctx, workflows.StatusComplete)
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(st)
	fmt.Println(string(b))
	// Output:
	// {"status":"complete","__LOCAL_DEV_STEP_OUTPUTS":["R-1-3","shipped R-1-3"],"output":"shipped R-1-3"}
}

// Retries, timeouts and errors that must not be retried.
func ExampleDoWith() {
	eng, _ := workflows.Open(workflows.Options{Name: "charges"})
	defer eng.Close()
	var attempts atomic.Int32
	run := func(ev workflows.Event[int], step *workflows.Step, _ Env, _ *worker.Context) (string, error) {
		cfg := workflows.StepConfig{
			Retries: &workflows.Retries{Limit: 3, Delay: time.Millisecond, Backoff: workflows.BackoffLinear},
			Timeout: time.Second,
		}
		_, err := workflows.DoWith(step, "charge card", cfg, func(ctx context.Context) (int, error) {
			if attempts.Add(1) == 1 {
				return 0, errors.New("gateway busy") // retried
			}
			return 0, workflows.NonRetryable(errors.New("card declined")) // not retried
		})
		return "", err
	}
	eng.Start(workflows.NewDefinition("Charge", run), Env{})
	ids, _ := eng.Create(context.Background(), workflows.NewInstance{ID: "c1"})
	st, _ := eng.WaitForStatus(context.Background(), ids[0], workflows.StatusErrored)
	fmt.Println(attempts.Load(), st.Error.Name, st.Error.Message)
	// Output:
	// 2 NonRetryableError card declined
}

// WaitForEvent suspends the instance until an event of the type arrives.
func ExampleWaitForEvent() {
	eng, _ := workflows.Open(workflows.Options{Name: "approvals"})
	defer eng.Close()
	type Approval struct {
		By string `json:"by"`
	}
	run := func(ev workflows.Event[string], step *workflows.Step, _ Env, _ *worker.Context) (string, error) {
		a, err := workflows.WaitForEvent[Approval](step, "wait for approval", "approved", time.Hour)
		if err != nil {
			return "", err
		}
		return ev.Payload + " approved by " + a.Payload.By, nil
	}
	eng.Start(workflows.NewDefinition("Approval", run), Env{})
	ctx := context.Background()
	inst, _ := workflows.Bind[string](eng).Create(ctx, workflows.CreateOptions[string]{Params: "invoice 7"})
	inst.WaitForStatus(ctx, workflows.StatusWaiting)
	inst.SendEvent(ctx, "approved", Approval{By: "ada"})
	st, _ := inst.WaitForStatus(ctx, workflows.StatusComplete)
	fmt.Println(string(st.Output))
	// Output:
	// "invoice 7 approved by ada"
}
