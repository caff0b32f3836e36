package ai_test

import (
	"context"
	"errors"
	"testing"

	"github.com/flarego/flarego/ai"
	"github.com/flarego/flarego/worker"
)

// Every Run is one subrequest of the invocation, retries included, and the budget's error
// comes back once it is spent.
func TestRun_CountsOneSubrequestPerRun(t *testing.T) {
	f := &flaky{statuses: []int{503}}
	c := flakyClient(f)
	wctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{Limits: worker.Limits{Subrequests: 2}})
	defer cancel()
	in := map[string]any{"prompt": "x"}
	if _, err := c.Run(wctx, llama, in, &ai.RunOptions{Gateway: &ai.GatewayOptions{ID: "g", Retries: &ai.GatewayRetries{MaxAttempts: 2}}}); err != nil {
		t.Fatal(err)
	}
	if n := wctx.Subrequests(); n != 1 || f.count() != 2 {
		t.Fatalf("%d subrequests for %d attempts", n, f.count())
	}
	if _, err := c.Run(wctx, llama, in, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(wctx, llama, in, nil); !errors.Is(err, worker.ErrSubrequestLimit) {
		t.Fatalf("third run: %v", err)
	}
}
