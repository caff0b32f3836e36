package ai_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/ai"
)

// flaky is a provider function that fails with the given statuses first, then answers; it
// records when each call started and can take time to answer (on the bubble's clock).
type flaky struct {
	mu       sync.Mutex
	statuses []int
	took     time.Duration
	calls    []time.Time
}

func (f *flaky) fn(ctx context.Context, _ string, in any) (any, error) {
	f.mu.Lock()
	f.calls = append(f.calls, time.Now())
	var status int
	if len(f.statuses) > 0 {
		status, f.statuses = f.statuses[0], f.statuses[1:]
	}
	f.mu.Unlock()
	if f.took > 0 {
		select {
		case <-time.After(f.took):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if status != 0 {
		return nil, ai.ParseError(status, []byte(`{"errors":[{"code":1,"message":"try again"}]}`))
	}
	return &ai.TextGenerationOutput{Response: "ok " + in.(*ai.TextGenerationInput).Prompt}, nil
}

func (f *flaky) gaps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(f.calls); i++ {
		out = append(out, f.calls[i].Sub(f.calls[i-1]))
	}
	return out
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func flakyClient(f *flaky) *ai.Client {
	return ai.NewFake(map[string]any{llama: ai.FakeFunc(f.fn)}).Client()
}

// AI-011: retries wait RetryDelay, n·RetryDelay or 2ⁿ⁻¹·RetryDelay after attempt n.
func TestGateway_AI011_RetryBackoff(t *testing.T) {
	for _, tc := range []struct {
		backoff ai.Backoff
		gaps    []time.Duration
	}{
		{ai.BackoffConstant, []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}},
		{"", []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}},
		{ai.BackoffLinear, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}},
		{ai.BackoffExponential, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
	} {
		synctest.Test(t, func(t *testing.T) {
			f := &flaky{statuses: []int{503, 429, 500}}
			c := flakyClient(f)
			var info ai.RequestInfo
			out, err := ai.Run[map[string]any, ai.TextGenerationOutput](context.Background(), c, llama, map[string]any{"prompt": "x"}, &ai.RunOptions{
				Gateway: &ai.GatewayOptions{ID: "g", Retries: &ai.GatewayRetries{MaxAttempts: 5, RetryDelay: 100 * time.Millisecond, Backoff: tc.backoff}},
				Info:    &info,
			})
			if err != nil || out.Response != "ok x" || info.Attempts != 4 {
				t.Fatalf("%s: %v %v attempts %d", tc.backoff, out, err, info.Attempts)
			}
			got := f.gaps()
			for i := range tc.gaps {
				if got[i] != tc.gaps[i] {
					t.Fatalf("%s: gaps %v, want %v", tc.backoff, got, tc.gaps)
				}
			}
		})
	}
}

func TestGateway_AI011_RetriesGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{statuses: []int{503, 503, 503}}
		c := flakyClient(f)
		_, err := c.Run(context.Background(), llama, map[string]any{"prompt": "x"}, &ai.RunOptions{
			Gateway: &ai.GatewayOptions{ID: "g", Retries: &ai.GatewayRetries{MaxAttempts: 2}},
		})
		if e, ok := errors.AsType[*ai.Error](err); !ok || e.Status != 503 || f.count() != 2 {
			t.Fatalf("err %v after %d calls", err, f.count())
		}
		// Client errors are not retried.
		f = &flaky{statuses: []int{400, 400}}
		c = flakyClient(f)
		c.Run(context.Background(), llama, map[string]any{"prompt": "x"}, &ai.RunOptions{
			Gateway: &ai.GatewayOptions{ID: "g", Retries: &ai.GatewayRetries{MaxAttempts: 3}},
		})
		if f.count() != 1 {
			t.Fatalf("a 400 was retried: %d calls", f.count())
		}
	})
}

// AI-011: the request timeout bounds each attempt but the last of several; with one
// attempt it gives the platform's 3007 timeout.
func TestGateway_AI011_RequestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{took: 5 * time.Second}
		c := flakyClient(f)
		start := time.Now()
		_, err := c.Run(context.Background(), llama, map[string]any{"prompt": "x"}, &ai.RunOptions{
			Gateway: &ai.GatewayOptions{ID: "g", RequestTimeout: time.Second},
		})
		e, ok := errors.AsType[*ai.Error](err)
		if !ok || e.Code != 3007 || e.Message != "3007: Request timeout" || e.Status != 408 || !errors.Is(err, ai.ErrTimeout) {
			t.Fatalf("err %v", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("timed out after %v", d)
		}

		f = &flaky{took: 5 * time.Second}
		c = flakyClient(f)
		start = time.Now()
		var info ai.RequestInfo
		res, err := c.Run(context.Background(), llama, map[string]any{"prompt": "x"}, &ai.RunOptions{
			Gateway: &ai.GatewayOptions{ID: "g", RequestTimeout: time.Second,
				Retries: &ai.GatewayRetries{MaxAttempts: 3, RetryDelay: 500 * time.Millisecond}},
			Info: &info,
		})
		if err != nil || res.(*ai.TextGenerationOutput).Response != "ok x" || info.Attempts != 3 {
			t.Fatalf("%v %v %+v", res, err, info)
		}
		// 1 s timeout, 0.5 s wait, 1 s timeout, 0.5 s wait, then the last attempt's 5 s.
		if d := time.Since(start); d != 8*time.Second {
			t.Fatalf("took %v, want 8s", d)
		}
	})
}

// AI-011: the timeout of a streamed run is on its first chunk.
func TestGateway_AI011_StreamTimeoutIsOnFirstChunk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := flakyClient(&flaky{took: 2 * time.Second})
		_, err := c.Run(context.Background(), llama, map[string]any{"prompt": "x", "stream": true}, &ai.RunOptions{
			Gateway: &ai.GatewayOptions{ID: "g", RequestTimeout: time.Second},
		})
		if !errors.Is(err, ai.ErrTimeout) {
			t.Fatalf("err %v", err)
		}
		c = flakyClient(&flaky{took: 500 * time.Millisecond})
		res, err := c.Run(context.Background(), llama, map[string]any{"prompt": "x y", "stream": true}, &ai.RunOptions{
			Gateway: &ai.GatewayOptions{ID: "g", RequestTimeout: time.Second},
		})
		if err != nil {
			t.Fatal(err)
		}
		s := res.(*ai.Stream)
		time.Sleep(3 * time.Second) // past the timeout: the started stream must not be cut
		b, err := io.ReadAll(s)
		s.Close()
		if err != nil || string(b) != "data: {\"response\":\"ok\"}\n\ndata: {\"response\":\" x\"}\n\ndata: {\"response\":\" y\"}\n\ndata: [DONE]\n\n" {
			t.Fatalf("%q %v", b, err)
		}
	})
}

// AI-011: the response cache honours cacheTtl, skipCache and cacheKey, per gateway.
func TestGateway_AI011_Cache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{}
		c := flakyClient(f)
		ctx := context.Background()
		run := func(prompt string, g ai.GatewayOptions) ai.RequestInfo {
			t.Helper()
			var info ai.RequestInfo
			res, err := c.Run(ctx, llama, map[string]any{"prompt": prompt}, &ai.RunOptions{Gateway: &g, Info: &info})
			if err != nil || res.(*ai.TextGenerationOutput).Response != "ok "+prompt && g.CacheKey == "" {
				t.Fatalf("%v %v", res, err)
			}
			return info
		}
		g := ai.GatewayOptions{ID: "g", CacheTTL: time.Minute}
		if i := run("a", g); i.CacheStatus != "MISS" || f.count() != 1 {
			t.Fatalf("first: %+v", i)
		}
		if i := run("a", g); i.CacheStatus != "HIT" || i.Attempts != 0 || f.count() != 1 {
			t.Fatalf("second: %+v", i)
		}
		if i := run("b", g); i.CacheStatus != "MISS" || f.count() != 2 {
			t.Fatalf("other input: %+v", i)
		}
		if i := run("a", ai.GatewayOptions{ID: "other", CacheTTL: time.Minute}); i.CacheStatus != "MISS" {
			t.Fatalf("other gateway: %+v", i)
		}
		if i := run("a", ai.GatewayOptions{ID: "g", CacheTTL: time.Minute, SkipCache: true}); i.CacheStatus != "" || f.count() != 4 {
			t.Fatalf("skipCache: %+v", i)
		}
		if i := run("a", ai.GatewayOptions{ID: "g"}); i.CacheStatus != "" {
			t.Fatalf("no ttl: %+v", i)
		}
		time.Sleep(time.Minute)
		if i := run("a", g); i.CacheStatus != "MISS" {
			t.Fatalf("after the ttl: %+v", i)
		}
		k := ai.GatewayOptions{ID: "g", CacheTTL: time.Minute, CacheKey: "greeting"}
		run("first", k)
		if i := run("second", k); i.CacheStatus != "HIT" {
			t.Fatalf("cacheKey: %+v", i)
		}
		// A hit is a fresh copy: changing it does not change the cache.
		res, _ := c.Run(ctx, llama, map[string]any{"prompt": "second"}, &ai.RunOptions{Gateway: &k})
		res.(*ai.TextGenerationOutput).Response = "changed"
		res, _ = c.Run(ctx, llama, map[string]any{"prompt": "second"}, &ai.RunOptions{Gateway: &k})
		if res.(*ai.TextGenerationOutput).Response != "ok first" {
			t.Fatalf("cached value changed: %v", res)
		}
	})
}

func TestGateway_CacheIsBounded(t *testing.T) {
	f := &flaky{}
	c, err := ai.New(ai.Config{
		Providers: map[string]ai.ProviderConfig{"f": {Provider: ai.NewFake(map[string]any{llama: ai.FakeFunc(f.fn)})}},
		Default:   &ai.Route{Provider: "f"},
		Cache:     ai.CacheConfig{MaxEntries: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	g := &ai.GatewayOptions{ID: "g", CacheTTL: time.Hour}
	for _, p := range []string{"a", "b", "c", "a"} {
		c.Run(context.Background(), llama, map[string]any{"prompt": p}, &ai.RunOptions{Gateway: g})
	}
	if f.count() != 4 {
		t.Fatalf("%d calls: the oldest entry should have been evicted", f.count())
	}
}

// AI-011: log ids and metadata; the log can be read and patched through Gateway(id).
func TestGateway_AI011_Logs(t *testing.T) {
	c := ai.NewFake(nil).Client()
	ctx := context.Background()
	var info ai.RequestInfo
	_, err := c.Run(ctx, llama, map[string]any{"prompt": "one two"}, &ai.RunOptions{
		Gateway: &ai.GatewayOptions{ID: "g", Metadata: map[string]any{"user": "u1"}, EventID: "e1"},
		Info:    &info,
	})
	if err != nil || len(info.GatewayLogID) != 26 || c.AIGatewayLogID() != info.GatewayLogID {
		t.Fatalf("%v %+v", err, info)
	}
	log, err := c.Gateway("g").GetLog(ctx, info.GatewayLogID)
	if err != nil || log.Metadata["user"] != "u1" || log.EventID != "e1" || log.Model != llama || !log.Success || log.TokensOut != 2 {
		t.Fatalf("%+v %v", log, err)
	}
	if err := c.Gateway("g").PatchLog(ctx, info.GatewayLogID, ai.GatewayLogPatch{Feedback: new(1), Score: new(90.0)}); err != nil {
		t.Fatal(err)
	}
	log, _ = c.Gateway("g").GetLog(ctx, info.GatewayLogID)
	if *log.Feedback != 1 || *log.Score != 90 {
		t.Fatalf("%+v", log)
	}
	if _, err := c.Gateway("other").GetLog(ctx, info.GatewayLogID); !errors.Is(err, ai.ErrLogNotFound) {
		t.Fatalf("other gateway: %v", err)
	}
	c.Run(ctx, llama, map[string]any{"prompt": "x"}, &ai.RunOptions{Gateway: &ai.GatewayOptions{ID: "g", CollectLog: new(false)}})
	if c.AIGatewayLogID() != "" {
		t.Fatal("collectLog false still logged")
	}
}

func TestGateway_OptionsValidation(t *testing.T) {
	c := ai.NewFake(nil).Client()
	for _, g := range []ai.GatewayOptions{
		{ID: "g", Retries: &ai.GatewayRetries{MaxAttempts: 6}},
		{ID: "g", Retries: &ai.GatewayRetries{MaxAttempts: 2, RetryDelay: 6 * time.Second}},
		{ID: "g", Retries: &ai.GatewayRetries{MaxAttempts: 2, Backoff: "random"}},
		{ID: "g", CacheTTL: -time.Second},
	} {
		_, err := c.Run(context.Background(), llama, map[string]any{"prompt": "x"}, &ai.RunOptions{Gateway: &g})
		if e, ok := errors.AsType[*ai.Error](err); !ok || e.Name != "AiInternalError" {
			t.Errorf("%+v: %v", g.Retries, err)
		}
	}
	// Without an id there is no gateway, so its options are not looked at (as on the platform).
	if _, err := c.Run(context.Background(), llama, map[string]any{"prompt": "x"}, &ai.RunOptions{
		Gateway: &ai.GatewayOptions{Retries: &ai.GatewayRetries{MaxAttempts: 9}},
	}); err != nil {
		t.Fatal(err)
	}
}

// The platform's JSON shape of the options: seconds and milliseconds.
func TestGatewayOptions_UnmarshalJSON(t *testing.T) {
	var g ai.GatewayOptions
	err := json.Unmarshal([]byte(`{"id":"g","cacheKey":"k","cacheTtl":3600,"skipCache":true,"metadata":{"a":1},
		"collectLog":false,"eventId":"e","requestTimeoutMs":1500,"retries":{"maxAttempts":3,"retryDelayMs":250,"backoff":"linear"}}`), &g)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != "g" || g.CacheKey != "k" || g.CacheTTL != time.Hour || !g.SkipCache || g.Metadata["a"] != 1.0 || *g.CollectLog ||
		g.EventID != "e" || g.RequestTimeout != 1500*time.Millisecond || g.Retries.MaxAttempts != 3 ||
		g.Retries.RetryDelay != 250*time.Millisecond || g.Retries.Backoff != ai.BackoffLinear {
		t.Fatalf("%+v %+v", g, g.Retries)
	}
}

// AI-013: cancelling during a retry wait aborts the run.
func TestGateway_AI013_AbortDuringRetryWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := flakyClient(&flaky{statuses: []int{503, 503}})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		_, err := c.Run(ctx, llama, map[string]any{"prompt": "x"}, &ai.RunOptions{
			Gateway: &ai.GatewayOptions{ID: "g", Retries: &ai.GatewayRetries{MaxAttempts: 3, RetryDelay: 5 * time.Second}},
		})
		if e, ok := errors.AsType[*ai.Error](err); !ok || e.Name != "AbortError" || !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	})
}
