package host_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

type VZEnv struct {
	Docs *vectorize.Index `binding:"DOCS"`
}

// A Vectorize index bound from the config and created at start from flarego.vectorize_indexes.
func TestVectorizeBindingThroughRunner(t *testing.T) {
	app := worker.New[VZEnv](worker.HandlerFunc[VZEnv](func(req *http.Request, env VZEnv, ctx *worker.Context) (*http.Response, error) {
		if _, err := env.Docs.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0}}, {ID: "b", Values: []float32{0, 1, 0}}}); err != nil {
			return nil, err
		}
		m, err := env.Docs.Query(ctx, []float32{0.9, 0.1, 0}, vectorize.QueryOptions{TopK: 1})
		if err != nil {
			return nil, err
		}
		return worker.Text(200, m.Matches[0].ID)
	}))
	rt := workertest.New(t, app, workertest.Config(`{
		"vectorize": [{"binding": "DOCS", "index_name": "docs"}],
		"flarego": {"vectorize_indexes": [{"name": "docs", "dimensions": 3, "metric": "cosine"}]}}`))
	require.Equal(t, "a", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
}
