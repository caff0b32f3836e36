package host_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flarego/flarego/ai"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

type AIEnv struct {
	AI *ai.Client `binding:"AI"`
}

func TestAIBindingFromConfig(t *testing.T) {
	h := worker.HandlerFunc[AIEnv](func(req *http.Request, env AIEnv, ctx *worker.Context) (*http.Response, error) {
		out, err := env.AI.Run(ctx, "@cf/baai/bge-base-en-v1.5", map[string]any{"text": []string{"hello world"}}, nil)
		if err != nil {
			return worker.Text(500, err.Error())
		}
		return worker.JSON(200, out)
	})
	rt := workertest.New(t, worker.New[AIEnv](h), workertest.Config(`{
		"ai": {"binding": "AI"},
		"flarego": {"ai": {"models": {"@cf/baai/bge-base-en-v1.5": {"provider": "embedded", "model": "@flarego/glove-6b-100d-sif"}}}}
	}`))
	resp := rt.Fetch(httptest.NewRequest("GET", "/", nil))
	var out struct {
		Shape []int `json:"shape"`
	}
	require.NoError(t, json.Unmarshal([]byte(body(t, resp)), &out))
	require.Equal(t, []int{1, 100}, out.Shape, "the embedded model is honest about its 100 dimensions")

	// Unrouted, a platform model name is a clear error naming the config key.
	rt = workertest.New(t, worker.New[AIEnv](h), workertest.Config(`{"ai": {"binding": "AI"}}`))
	require.Contains(t, body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))), "flarego.ai.models")
}

// Conformance items proven by the tests here (their names carry the IDs without the hyphen):
// CR-009 CR-012 CR-014 W-001 W-009 W-010 W-011 W-013 W-014 W-018 W-024 W-025 W-028 W-032 W-033
// W-034 W-036 W-037 X-003
