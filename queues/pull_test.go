package queues_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

type apiResponse struct {
	Success bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	Messages []any          `json:"messages"`
	Result   map[string]any `json:"result"`
}

type pullMsg struct {
	ID          string            `json:"id"`
	Body        string            `json:"body"`
	Attempts    int               `json:"attempts"`
	LeaseID     string            `json:"lease_id"`
	TimestampMS int64             `json:"timestamp_ms"`
	Metadata    map[string]string `json:"metadata"`
}

type pullResp struct {
	Success bool `json:"success"`
	Result  struct {
		MessageBacklogCount int       `json:"message_backlog_count"`
		Messages            []pullMsg `json:"messages"`
		Metadata            struct {
			Metrics struct {
				BacklogCount             int   `json:"backlog_count"`
				BacklogBytes             int64 `json:"backlog_bytes"`
				OldestMessageTimestampMS int64 `json:"oldest_message_timestamp_ms"`
			} `json:"metrics"`
		} `json:"metadata"`
	} `json:"result"`
}

func post(t *testing.T, srv *httptest.Server, queueID, op string, body any) (*http.Response, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	u := srv.URL + "/accounts/acc123/queues/" + url.PathEscape(queueID) + "/messages/" + op
	resp, err := http.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp, buf.Bytes()
}

func pullHTTP(t *testing.T, srv *httptest.Server, queueID string, body any) pullResp {
	t.Helper()
	resp, raw := post(t, srv, queueID, "pull", body)
	if resp.StatusCode != 200 {
		t.Fatalf("pull: %d %s", resp.StatusCode, raw)
	}
	var pr pullResp
	if err := json.Unmarshal(raw, &pr); err != nil {
		t.Fatal(err)
	}
	return pr
}

func ackHTTP(t *testing.T, srv *httptest.Server, queueID string, body any) map[string]any {
	t.Helper()
	resp, raw := post(t, srv, queueID, "ack", body)
	var ar apiResponse
	if err := json.Unmarshal(raw, &ar); err != nil {
		t.Fatalf("ack: %d %s", resp.StatusCode, raw)
	}
	if resp.StatusCode != 200 || !ar.Success {
		t.Fatalf("ack: %d %s", resp.StatusCode, raw)
	}
	return ar.Result
}

func pullServer(t *testing.T, consumers ...queues.ConsumerConfig) (*queues.Engine, *httptest.Server) {
	t.Helper()
	e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{Consumers: consumers})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.PullHandler())
	t.Cleanup(func() { srv.Close(); e.Close(context.Background()) })
	return e, srv
}

func TestPull_Q030_PullShape(t *testing.T) {
	e, srv := pullServer(t, queues.ConsumerConfig{Queue: "work", Type: queues.PullConsumer})
	p := producerOf[Job](e, "work")
	before := time.Now().UnixMilli()
	for i := range 7 {
		if err := p.Send(context.Background(), Job{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	pr := pullHTTP(t, srv, "work", map[string]any{}) // default batch_size 5
	if !pr.Success || len(pr.Result.Messages) != 5 {
		t.Fatalf("pulled %d messages (success %v), want the default 5", len(pr.Result.Messages), pr.Success)
	}
	m := pr.Result.Messages[0]
	if len(m.ID) != 32 || m.Attempts != 1 || m.LeaseID == "" || m.TimestampMS < before || m.Metadata["CF-Content-Type"] != "json" {
		t.Errorf("message %+v", m)
	}
	if pr.Result.MessageBacklogCount != 7 || pr.Result.Metadata.Metrics.BacklogCount != 7 || pr.Result.Metadata.Metrics.OldestMessageTimestampMS < before {
		t.Errorf("backlog %+v", pr.Result)
	}
	pr = pullHTTP(t, srv, "work", map[string]any{"batch_size": 100, "visibility_timeout_ms": 60000})
	if len(pr.Result.Messages) != 2 {
		t.Errorf("second pull got %d, want the 2 not in flight", len(pr.Result.Messages))
	}
	for _, bad := range []map[string]any{{"batch_size": 101}, {"batch_size": 0}, {"visibility_timeout_ms": 43200001}} {
		resp, raw := post(t, srv, "work", "pull", bad)
		if resp.StatusCode != 400 || !bytes.Contains(raw, []byte(`"success":false`)) {
			t.Errorf("pull %v: %d %s, want a 400 error envelope", bad, resp.StatusCode, raw)
		}
	}
}

func TestPull_Q031_BodyEncoding(t *testing.T) {
	e, srv := pullServer(t)
	p := producerOf[any](e, "enc")
	ctx := context.Background()
	p.Send(ctx, map[string]int{"a": 1}) // json
	p.Send(ctx, "plain text", queues.ContentText)
	p.Send(ctx, []byte{0xff, 0x00}, queues.ContentBytes)
	p.Send(ctx, "v8", queues.ContentV8)
	pr := pullHTTP(t, srv, "enc", map[string]any{"batch_size": 10})
	want := map[string]string{
		"json":  base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)),
		"text":  "plain text",
		"bytes": base64.StdEncoding.EncodeToString([]byte{0xff, 0x00}),
		"v8":    base64.StdEncoding.EncodeToString([]byte(`"v8"`)),
	}
	if len(pr.Result.Messages) != 4 {
		t.Fatalf("got %d messages", len(pr.Result.Messages))
	}
	for _, m := range pr.Result.Messages {
		ct := m.Metadata["CF-Content-Type"]
		if m.Body != want[ct] {
			t.Errorf("%s body %q, want %q", ct, m.Body, want[ct])
		}
	}
}

func TestPull_Q032_AckAndRetry(t *testing.T) {
	e, srv := pullServer(t)
	p := producerOf[Job](e, "work")
	for i := range 3 {
		p.Send(context.Background(), Job{N: i})
	}
	pr := pullHTTP(t, srv, "work", map[string]any{"batch_size": 3})
	ms := pr.Result.Messages
	res := ackHTTP(t, srv, "work", map[string]any{
		"acks":    []map[string]any{{"lease_id": ms[0].LeaseID}, {"lease_id": ms[1].LeaseID}},
		"retries": []map[string]any{{"lease_id": ms[2].LeaseID}},
	})
	if res["ackCount"] != 2.0 || res["retryCount"] != 1.0 {
		t.Errorf("ack result %v", res)
	}
	pr = pullHTTP(t, srv, "work", map[string]any{})
	if len(pr.Result.Messages) != 1 || pr.Result.Messages[0].ID != ms[2].ID || pr.Result.Messages[0].Attempts != 2 {
		t.Fatalf("after ack+retry pulled %+v, want the retried message with attempts 2", pr.Result.Messages)
	}
	// A delayed retry is not visible until its delay passes.
	ackHTTP(t, srv, "work", map[string]any{"retries": []map[string]any{{"lease_id": pr.Result.Messages[0].LeaseID, "delay_seconds": 600}}})
	if got := pullHTTP(t, srv, "work", map[string]any{}); len(got.Result.Messages) != 0 {
		t.Errorf("a retry delayed by 600 s was pulled at once")
	}
	if info := depth(t, e, "work"); info.Delayed != 1 {
		t.Errorf("info %+v, want 1 delayed", info)
	}
}

func TestPull_Q032_VisibilityTimeoutRedelivers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{Consumers: []queues.ConsumerConfig{
			{Queue: "work", Type: queues.PullConsumer, VisibilityTimeout: 10 * time.Second, MaxRetries: new(1), DeadLetterQueue: "dead"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		ctx := context.Background()
		producerOf[Job](e, "work").Send(ctx, Job{N: 1})
		first, _, err := e.Pull(ctx, "work", 0, 0)
		if err != nil || len(first) != 1 {
			t.Fatalf("pull: %v %v", first, err)
		}
		time.Sleep(9 * time.Second)
		if again, _, _ := e.Pull(ctx, "work", 0, 0); len(again) != 0 {
			t.Fatal("redelivered before the visibility timeout")
		}
		time.Sleep(time.Second)
		second, _, _ := e.Pull(ctx, "work", 0, 0)
		if len(second) != 1 || second[0].Attempts != 2 {
			t.Fatalf("after the visibility timeout got %+v, want attempts 2", second)
		}
		// max_retries 1: a retry after the second attempt goes to the dead letter queue.
		res, err := e.Ack(ctx, "work", nil, []queues.PullRetry{{LeaseID: second[0].LeaseID}})
		if err != nil || res.RetryCount != 1 {
			t.Fatal(res, err)
		}
		if depth(t, e, "work").Messages != 0 || depth(t, e, "dead").Messages != 1 {
			t.Errorf("message not moved to the dead letter queue")
		}
		// A message whose visibility ran out after its last attempt is dead-lettered at the
		// next pull instead of being handed out again.
		producerOf[Job](e, "work").Send(ctx, Job{N: 2})
		e.Pull(ctx, "work", 0, 0)
		time.Sleep(10 * time.Second)
		e.Pull(ctx, "work", 0, 0)
		time.Sleep(10 * time.Second)
		if got, _, _ := e.Pull(ctx, "work", 0, 0); len(got) != 0 {
			t.Errorf("a message past max_retries was pulled again: %+v", got)
		}
		if d := depth(t, e, "dead").Messages; d != 2 {
			t.Errorf("dead letter depth %d, want 2", d)
		}
	})
}

func TestPull_Q033_LateAckAndShortPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		ctx := context.Background()
		start := time.Now()
		if got, _, err := e.Pull(ctx, "work", 10, 0); err != nil || len(got) != 0 || time.Since(start) != 0 {
			t.Fatalf("pull of an empty queue = %v, %v after %v; want nothing at once", got, err, time.Since(start))
		}
		producerOf[Job](e, "work").Send(ctx, Job{N: 1})
		a, _, _ := e.Pull(ctx, "work", 1, time.Second)
		time.Sleep(2 * time.Second)
		b, _, _ := e.Pull(ctx, "work", 1, time.Minute) // another consumer took it over
		if len(a) != 1 || len(b) != 1 {
			t.Fatal("pulls failed")
		}
		res, err := e.Ack(ctx, "work", []string{a[0].LeaseID}, nil) // late ack by the first consumer
		if err != nil || res.AckCount != 1 {
			t.Fatal(res, err)
		}
		if d := depth(t, e, "work").Messages; d != 0 {
			t.Errorf("late ack not accepted: depth %d", d)
		}
	})
}

func TestPull_Q034_OneConsumerType(t *testing.T) {
	synctestRun(t, func(t *testing.T) {
		h := start(t, queues.NewMemoryDriver(), queues.Options{}, "pushed", func(*queues.Batch[Job], Env, *worker.Context) error { return nil })
		defer h.close()
		if _, _, err := h.e.Pull(context.Background(), "pushed", 1, 0); !errors.Is(err, queues.ErrConsumerType) {
			t.Errorf("pull from a queue with a push consumer = %v, want ErrConsumerType", err)
		}
	})
	e, err := queues.NewEngine(queues.NewMemoryDriver(), queues.Options{Consumers: []queues.ConsumerConfig{{Queue: "configured-push"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	if _, _, err := e.Pull(context.Background(), "configured-push", 1, 0); !errors.Is(err, queues.ErrConsumerType) {
		t.Errorf("pull from a queue configured for push = %v, want ErrConsumerType", err)
	}
}

func TestPull_HTTPErrors(t *testing.T) {
	_, srv := pullServer(t, queues.ConsumerConfig{Queue: "pushed"})
	resp, raw := post(t, srv, "pushed", "pull", map[string]any{})
	if resp.StatusCode != 400 || !bytes.Contains(raw, []byte("one consumer type")) && !bytes.Contains(raw, []byte("push")) {
		t.Errorf("pull from push queue: %d %s", resp.StatusCode, raw)
	}
	r, err := http.Get(srv.URL + "/accounts/a/queues/q/messages/pull")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 404 && r.StatusCode != 405 {
		t.Errorf("GET pull: %d", r.StatusCode)
	}
	resp, raw = post(t, srv, "q", "ack", "not an object")
	if resp.StatusCode != 400 {
		t.Errorf("bad JSON: %d %s", resp.StatusCode, raw)
	}
	res := ackHTTP(t, srv, "q", map[string]any{"acks": []map[string]any{{"lease_id": "bogus"}}})
	if res["ackCount"] != 0.0 || len(res["warnings"].([]any)) != 1 {
		t.Errorf("bogus lease: %v", res)
	}
}

func TestPull_Q038_OddNamesAndQueueIDs(t *testing.T) {
	e, srv := pullServer(t)
	for i, name := range []string{"my queue", "a/b", "ü?&#"} {
		p := producerOf[Job](e, name)
		for _, id := range []string{name, queues.QueueID(name)} {
			if err := p.Send(context.Background(), Job{N: i}); err != nil {
				t.Fatal(err)
			}
			pr := pullHTTP(t, srv, id, map[string]any{})
			if len(pr.Result.Messages) != 1 {
				t.Fatalf("queue %q pulled as %q: %d messages, want 1", name, id, len(pr.Result.Messages))
			}
			body, _ := base64.StdEncoding.DecodeString(pr.Result.Messages[0].Body)
			if string(body) != fmt.Sprintf(`{"n":%d}`, i) {
				t.Errorf("body %s", body)
			}
			ackHTTP(t, srv, id, map[string]any{"acks": []map[string]any{{"lease_id": pr.Result.Messages[0].LeaseID}}})
		}
		if info := depth(t, e, name); info.Messages != 0 || info.ID != queues.QueueID(name) {
			t.Errorf("queue %q: %+v", name, info)
		}
	}
}
