package host_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

type Job struct {
	N int `json:"n"`
}

type QEnv struct {
	Jobs *queues.Producer[Job] `binding:"JOBS"`
}

func TestQueueProducerAndConsumerThroughRunner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var got []int
		app := worker.New[QEnv](worker.HandlerFunc[QEnv](func(req *http.Request, env QEnv, ctx *worker.Context) (*http.Response, error) {
			if err := env.Jobs.Send(ctx, Job{N: 7}); err != nil {
				return nil, err
			}
			return worker.Text(200, "sent")
		}))
		queues.Consume(app, "jobs", func(b *queues.Batch[Job], env QEnv, ctx *worker.Context) error {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range b.Messages {
				got = append(got, m.Body.N)
			}
			return nil
		})
		rt := workertest.New(t, app, workertest.Config(`{
			"queues": {"producers": [{"binding": "JOBS", "queue": "jobs"}],
			           "consumers": [{"queue": "jobs", "max_batch_timeout": 2}]}}`))
		require.Equal(t, "sent", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
		time.Sleep(3 * time.Second)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, []int{7}, got)
	})
}

func TestPullConsumerEndpointMounted(t *testing.T) {
	app := worker.New[QEnv](worker.HandlerFunc[QEnv](func(req *http.Request, env QEnv, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, "worker")
	}))
	rt := workertest.New(t, app, workertest.Config(`{
		"queues": {"producers": [{"binding": "JOBS", "queue": "pulled"}],
		           "consumers": [{"queue": "pulled", "type": "http_pull"}]}}`))
	req := httptest.NewRequest("POST", "http://localhost/accounts/x/queues/pulled/messages/pull", strings.NewReader(`{"batch_size": 5}`))
	resp := rt.Fetch(req)
	require.Equal(t, 200, resp.StatusCode)
	require.Contains(t, body(t, resp), `"messages"`)
}
