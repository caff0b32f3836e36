package host_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

type Env struct {
	Mode string `binding:"MODE,optional"`
}

type fn = worker.HandlerFunc[Env]

func run(t *testing.T, h worker.Handler[Env], opts ...workertest.Option) *workertest.Runtime {
	t.Helper()
	return workertest.New(t, worker.New[Env](h), opts...)
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestFetch_W001_EnvAndContext(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, env.Mode+" "+ctx.Kind())
	}), workertest.Config(`{"vars":{"MODE":"dev"}}`))
	require.Equal(t, "dev fetch", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
}

func TestWaitUntil_W007_W008_RunsAfterResponseAllSettled(t *testing.T) {
	release := make(chan struct{})
	var done sync.WaitGroup
	done.Add(2)
	var ran atomic.Int32
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		ctx.WaitUntil(func(context.Context) error { defer done.Done(); <-release; return errors.New("first fails") })
		ctx.WaitUntil(func(context.Context) error { defer done.Done(); <-release; ran.Add(1); return nil })
		return worker.Text(200, "sent")
	}))
	// The response is complete while both tasks are still blocked (W-007).
	require.Equal(t, "sent", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
	require.Zero(t, ran.Load())
	close(release)
	done.Wait()
	require.Equal(t, int32(1), ran.Load(), "the failing task does not stop the other (W-008)")
}

func TestWaitUntil_W009_ContextOutlivesRequestUntilGrace(t *testing.T) {
	c, cancel := worker.NewContext(context.Background(), worker.ContextOptions{})
	var taskCtx context.Context
	started := make(chan struct{})
	c.WaitUntil(func(ctx context.Context) error { taskCtx = ctx; close(started); <-ctx.Done(); return ctx.Err() })
	<-started
	cancel() // the request ends: the task's context stays alive
	require.NoError(t, taskCtx.Err())
	wctx, stop := context.WithCancel(context.Background())
	stop() // a runner that stops waiting cancels what is left
	require.Error(t, c.Wait(wctx))
	require.Error(t, taskCtx.Err())
}

func TestErrors_W011_W013_500HTMLOnlyWhenAccepted(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		if req.URL.Path == "/panic" {
			panic("kaboom")
		}
		return nil, errors.New("broken handler")
	}))
	for _, tc := range []struct{ accept, want string }{
		{"text/html", "<!DOCTYPE html>"}, {"*/*", "<!DOCTYPE html>"}, {"text/*", "<!DOCTYPE html>"},
		{"application/json", "broken handler"}, {"", "broken handler"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		resp := rt.Fetch(req)
		require.Equal(t, 500, resp.StatusCode)
		b := body(t, resp)
		require.True(t, strings.HasPrefix(b, tc.want), "Accept %q: %s", tc.accept, b)
	}
	resp := rt.Fetch(httptest.NewRequest("GET", "/panic", nil))
	require.Equal(t, 500, resp.StatusCode)
	b := body(t, resp)
	require.Contains(t, b, "panic: kaboom")
	require.Contains(t, b, "goroutine", "the text body carries the stack")
	// The runner carries on.
	require.Equal(t, 500, rt.Fetch(httptest.NewRequest("GET", "/", nil)).StatusCode)
}

func TestPassThrough_W010_ForwardsToUpstream(t *testing.T) {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "origin saw %s", r.URL.Path)
	}))
	defer origin.Close()
	u, _ := url.Parse(origin.URL)
	h := fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		ctx.PassThroughOnException()
		return nil, errors.New("fails after asking for pass-through")
	})
	rt := workertest.New(t, worker.New[Env](h), func(o *host.Options) error { o.Upstream = u; return nil })
	resp := rt.Fetch(httptest.NewRequest("GET", "/page", nil))
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "origin saw /page", body(t, resp))

	// No upstream: a plain 500.
	rt = run(t, h)
	require.Equal(t, 500, rt.Fetch(httptest.NewRequest("GET", "/page", nil)).StatusCode)
}

func TestSubrequests_W016_BudgetFromConfig(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		for i := range 5 {
			if err := worker.Subrequest(ctx); err != nil {
				return worker.Text(429, fmt.Sprintf("call %d: %v", i+1, err))
			}
		}
		return worker.Text(200, "all made")
	}), workertest.Config(`{"limits":{"subrequests":3}}`))
	resp := rt.Fetch(httptest.NewRequest("GET", "/", nil))
	require.Equal(t, "call 4: Too many subrequests. (subrequests: 4 of 3)", body(t, resp))
}

func TestStrictLimits_X003_W018_SizeLimits(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		_, err := io.ReadAll(req.Body)
		if err != nil {
			return worker.Text(413, err.Error())
		}
		return worker.Text(200, "ok")
	}), workertest.StrictLimits())
	long := httptest.NewRequest("GET", "/?q="+strings.Repeat("a", 17<<10), nil)
	require.Equal(t, http.StatusRequestURITooLong, rt.Fetch(long).StatusCode)

	big := httptest.NewRequest("GET", "/", nil)
	big.Header.Set("X-Big", strings.Repeat("b", 129<<10))
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, rt.Fetch(big).StatusCode)

	declared := httptest.NewRequest("POST", "/", strings.NewReader("x"))
	declared.ContentLength = 101 << 20
	require.Equal(t, http.StatusRequestEntityTooLarge, rt.Fetch(declared).StatusCode)

	streamed := httptest.NewRequest("POST", "/", io.LimitReader(zeros{}, 100<<20+1))
	streamed.ContentLength = -1
	require.Equal(t, http.StatusRequestEntityTooLarge, rt.Fetch(streamed).StatusCode)

	require.Equal(t, 200, rt.Fetch(httptest.NewRequest("POST", "/", strings.NewReader("small"))).StatusCode)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestCPUBudget_W012_W014(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		// Burn real CPU on this goroutine: about 30 ms.
		deadline := time.Now().Add(30 * time.Millisecond)
		x := 0
		for time.Now().Before(deadline) {
			x++
		}
		return worker.Text(200, fmt.Sprint(x > 0))
	}), workertest.Config(`{"limits":{"cpu_ms":1}}`))
	resp := rt.Fetch(httptest.NewRequest("GET", "/", nil))
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "Error 1102: Worker exceeded resource limits", body(t, resp))
}

func TestMeasureCPU_W014_ExcludesWaiting(t *testing.T) {
	cpu := worker.MeasureCPU(func() { time.Sleep(50 * time.Millisecond) })
	require.Less(t, cpu, 20*time.Millisecond, "sleeping is not CPU time")
}

func TestTimeZone_W032_UTC(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		name, _ := time.Now().Zone()
		return worker.Text(200, name)
	}))
	require.Equal(t, "UTC", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
}

func TestConnectingIP_W033_InjectedOrKept(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, req.Header.Get("CF-Connecting-IP"))
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "127.0.0.1:5555"
	require.Equal(t, "127.0.0.1", body(t, rt.Fetch(req)))
	req = httptest.NewRequest("GET", "/", nil)
	req.Header.Set("CF-Connecting-IP", "203.0.113.9")
	require.Equal(t, "203.0.113.9", body(t, rt.Fetch(req)))
}

func TestOutboundFetch_W034_CFWorkerHeader(t *testing.T) {
	var seen atomic.Value
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("CF-Worker"))
	}))
	defer origin.Close()
	h := fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		out, _ := http.NewRequest("GET", origin.URL, nil)
		resp, err := worker.Fetch(ctx, out)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		return worker.Text(200, fmt.Sprint(ctx.Subrequests()))
	})
	rt := workertest.New(t, worker.New[Env](h, worker.Named("shop")))
	require.Equal(t, "1", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
	require.Equal(t, "shop.example.com", seen.Load())
}

func TestLocalEndpoints_W036(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, "worker saw "+req.URL.Path)
	}))
	req := httptest.NewRequest("GET", "http://example.com/cdn-cgi/handler/scheduled", nil)
	require.Equal(t, http.StatusForbidden, rt.Fetch(req).StatusCode)
	req = httptest.NewRequest("GET", "http://127.0.0.1:8787/cdn-cgi/local/unknown", nil)
	require.Equal(t, "worker saw /cdn-cgi/local/unknown", body(t, rt.Fetch(req)))
}

func TestScheduledByHand_CR012_CR014_CR016(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, "fetch")
	}))
	resp := rt.Fetch(httptest.NewRequest("GET", "http://localhost/cdn-cgi/handler/scheduled?cron=*+*+*+*+*", nil))
	require.Equal(t, 500, resp.StatusCode, "no Scheduled method: the invocation fails (CR-016)")
	require.Equal(t, "exception", body(t, resp))
}

func TestConfigErrorsStopStartWithEveryProblem(t *testing.T) {
	type Need struct {
		A string     `binding:"A"`
		B env.Secret `binding:"B"`
	}
	app := worker.New[Need](worker.HandlerFunc[Need](func(*http.Request, Need, *worker.Context) (*http.Response, error) {
		return worker.Text(200, "")
	}))
	_, err := host.New(context.Background(), host.Options{NoPersist: true, Config: &env.Config{}, Dir: t.TempDir(), LogOutput: io.Discard}, app)
	require.ErrorContains(t, err, "2 binding problem(s)")
}

func TestPersistDir_W037_DefaultBesideConfigAndUnwritable(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte(`{"name":"x"}`), 0o600))
	r, err := host.New(context.Background(), host.Options{ConfigPath: filepath.Join(dir, "wrangler.jsonc"), LogOutput: io.Discard}, worker.New[Env](fn(nil)))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, ".flarego", "state"), r.PersistDir())
	r.Close(context.Background())

	file := filepath.Join(dir, "not-a-dir")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = host.New(context.Background(), host.Options{PersistTo: filepath.Join(file, "state"), Config: &env.Config{}, LogOutput: io.Discard}, worker.New[Env](fn(nil)))
	require.ErrorContains(t, err, "persist directory")
}

func TestServeOverRealHTTPAndShutdownWaitsForWaitUntil(t *testing.T) {
	var finished atomic.Bool
	h := fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		ctx.WaitUntil(func(context.Context) error { time.Sleep(100 * time.Millisecond); finished.Store(true); return nil })
		return worker.Text(200, "hi")
	})
	var logs bytes.Buffer
	r, err := host.New(context.Background(), host.Options{NoPersist: true, Config: &env.Config{}, IP: "127.0.0.1", Port: -1, LogOutput: &syncBuffer{b: &logs}}, worker.New[Env](h))
	require.NoError(t, err)
	ln, err := r.Listen()
	require.NoError(t, err)
	go r.Serve(ln)
	resp, err := http.Get("http://" + ln.Addr().String() + "/x")
	require.NoError(t, err)
	require.Equal(t, "hi", body(t, resp))

	// A second runner on the same port gets a clear message.
	port := ln.Addr().(*net.TCPAddr).Port
	r2, err := host.New(context.Background(), host.Options{NoPersist: true, Config: &env.Config{}, IP: "127.0.0.1", Port: port, LogOutput: io.Discard}, worker.New[Env](h))
	require.NoError(t, err)
	_, err = r2.Listen()
	require.ErrorContains(t, err, "the port is in use")
	r2.Close(context.Background())

	require.NoError(t, r.Shutdown(context.Background()))
	require.True(t, finished.Load(), "shutdown waited for WaitUntil work")
	require.Contains(t, logs.String(), `"path": "/x", "status": 200`)
}

type syncBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newRunnerErr(t *testing.T, config string, h worker.Handler[Env]) (*host.Runner, error) {
	return newRunnerFor(t, config, worker.New[Env](h))
}

func newRunnerFor[E any](t *testing.T, config string, app *worker.App[E]) (*host.Runner, error) {
	cfg, err := env.Parse("wrangler.jsonc", []byte(config), "")
	require.NoError(t, err)
	r, err := host.New(context.Background(), host.Options{NoPersist: true, Config: cfg, Dir: t.TempDir(), LogOutput: io.Discard}, app)
	if err == nil {
		t.Cleanup(func() { r.Close(context.Background()) })
	}
	return r, err
}

// W-017: at most six outbound connections are open at once per invocation; the seventh
// waits for a slot.
func TestOutboundConnectionSlots_W017(t *testing.T) {
	var open, peak atomic.Int32
	release := make(chan struct{})
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := open.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		open.Add(-1)
	}))
	defer origin.Close()
	ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{})
	defer cancel()
	var wg sync.WaitGroup
	for range 7 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", origin.URL, nil)
			resp, err := worker.Fetch(ctx, req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	require.Eventually(t, func() bool { return open.Load() == 6 }, 10*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	require.Equal(t, int32(6), peak.Load())
}

// A signal that arrives while the runner starts shuts it down before it serves: Serve then
// returns at once instead of serving for good.
func TestShutdownBeforeServe(t *testing.T) {
	h := fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, "hi")
	})
	r, err := host.New(context.Background(), host.Options{NoPersist: true, Config: &env.Config{}, IP: "127.0.0.1", Port: -1, LogOutput: io.Discard}, worker.New[Env](h))
	require.NoError(t, err)
	ln, err := r.Listen()
	require.NoError(t, err)
	require.NoError(t, r.Shutdown(context.Background()))
	require.NoError(t, r.Serve(ln))
	_, err = net.Dial("tcp", ln.Addr().String())
	require.Error(t, err, "the listener is closed")
}

// W-021: a shutdown lets requests in flight finish (within the grace period) before the
// process goes.
func TestShutdownLetsInFlightRequestsFinish_W021(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	h := fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		close(entered)
		<-release
		return worker.Text(200, "finished")
	})
	r, err := host.New(context.Background(), host.Options{NoPersist: true, Config: &env.Config{}, IP: "127.0.0.1", Port: -1, LogOutput: io.Discard}, worker.New[Env](h))
	require.NoError(t, err)
	ln, err := r.Listen()
	require.NoError(t, err)
	go r.Serve(ln)
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		got <- body(t, resp)
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- r.Shutdown(context.Background()) }()
	select {
	case <-stopped:
		t.Fatal("shutdown returned while a request was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	require.Equal(t, "finished", <-got)
	require.NoError(t, <-stopped)
}

// CR-013: the favicon request a browser sends after opening /__scheduled gets a 404, not
// the worker's 500; other favicon requests and other 500s are left alone.
func TestFaviconAfterScheduledPage_CR013(t *testing.T) {
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		if req.URL.Query().Has("returns") {
			return worker.Text(500, "worker error")
		}
		return nil, errors.New("no route")
	}))
	favicon := func(referer, query string) *http.Response {
		req := httptest.NewRequest("GET", "/favicon.ico"+query, nil)
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		return rt.Fetch(req)
	}
	require.Equal(t, 404, favicon("http://localhost:8787/__scheduled", "").StatusCode, "a thrown error")
	require.Equal(t, 404, favicon("http://localhost:8787/__scheduled?cron=*+*+*+*+*", "?returns").StatusCode, "a returned 500")
	require.Equal(t, 500, favicon("http://localhost:8787/other", "").StatusCode)
	require.Equal(t, 500, favicon("", "?returns").StatusCode)
	req := httptest.NewRequest("GET", "/other", nil)
	req.Header.Set("Referer", "http://localhost:8787/__scheduled")
	require.Equal(t, 500, rt.Fetch(req).StatusCode, "only the favicon")
}

// The invocation's context ends when the request does, whether the runner is called by an
// http.Server (which cancels the request's context itself) or directly.
func TestInvocationContextEndsWithTheRequest(t *testing.T) {
	ctxs := make(chan context.Context, 1)
	rt := run(t, fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		ctxs <- req.Context()
		return worker.Text(200, "ok")
	}))
	rt.Runner.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	require.Error(t, (<-ctxs).Err(), "called directly")

	srv := httptest.NewServer(rt.Runner)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	require.Equal(t, "ok", body(t, resp))
	resp.Body.Close()
	select {
	case <-(<-ctxs).Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context of a request served over HTTP did not end")
	}
}

// Headers must arrive within 30 s on an address other machines reach; loopback has no limit.
func TestHeaderTimeoutOffLoopbackOnly(t *testing.T) {
	require.Equal(t, 30*time.Second, host.HeaderTimeout(&net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 8787}))
	require.Equal(t, 30*time.Second, host.HeaderTimeout(&net.TCPAddr{IP: net.IPv4zero, Port: 8787}))
	require.Zero(t, host.HeaderTimeout(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8787}))
	require.Zero(t, host.HeaderTimeout(&net.TCPAddr{IP: net.IPv6loopback, Port: 8787}))
}
