package host_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

// The callee: a fetch handler and an RPC entrypoint.
type AuthEnv struct {
	Realm string `binding:"REALM,optional"`
}

type Auth struct {
	env AuthEnv
	ctx *worker.Context
}

type User struct {
	ID    string `json:"id"`
	Realm string `json:"realm"`
	Props string `json:"props"`
}

var lookupUser = worker.Method("LookupUser", func(a *Auth, ctx context.Context, id string) (User, error) {
	if id == "" {
		return User{}, errors.New("no id given")
	}
	return User{ID: id, Realm: a.env.Realm, Props: string(a.ctx.Props())}, nil
})

func authApp() *worker.App[AuthEnv] {
	app := worker.New[AuthEnv](worker.HandlerFunc[AuthEnv](func(req *http.Request, env AuthEnv, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, "auth saw "+req.URL.Path+" at depth "+fmt.Sprint(worker.ServiceDepth(ctx)))
	}), worker.Named("auth"))
	worker.RegisterEntrypoint(app, "default", func(env AuthEnv, ctx *worker.Context) *Auth { return &Auth{env: env, ctx: ctx} })
	return app
}

// The caller.
type FrontEnv struct {
	Auth *worker.Service `binding:"AUTH"`
}

func frontApp() *worker.App[FrontEnv] {
	return worker.New[FrontEnv](worker.HandlerFunc[FrontEnv](func(req *http.Request, env FrontEnv, ctx *worker.Context) (*http.Response, error) {
		if id, ok := strings.CutPrefix(req.URL.Path, "/user/"); ok {
			u, err := lookupUser.Call(ctx, env.Auth, id)
			if err != nil {
				return worker.Text(500, "rpc: "+err.Error())
			}
			return worker.JSON(200, u)
		}
		out, _ := http.NewRequestWithContext(ctx, "GET", "http://auth.internal/check", nil)
		resp, err := env.Auth.Fetch(out)
		if err != nil {
			return nil, err
		}
		return resp, nil
	}), worker.Named("front"))
}

const frontConfig = `{"name":"front","services":[{"binding":"AUTH","service":"auth","props":{"tenant":"t1"}}]}`

func TestServiceBindingInProcess_W024_W025_W028(t *testing.T) {
	authCfg, _ := env.Parse("wrangler.jsonc", []byte(`{"name":"auth","vars":{"REALM":"staff"}}`), "")
	rt := workertest.New(t, frontApp(), workertest.Config(frontConfig), func(o *host.Options) error {
		o.Also = append(o.Also, host.AlsoWorker{App: authApp(), Config: authCfg})
		return nil
	})
	require.Equal(t, "auth saw /check at depth 1", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
	var u User
	require.NoError(t, json.Unmarshal([]byte(body(t, rt.Fetch(httptest.NewRequest("GET", "/user/ada", nil)))), &u))
	require.Equal(t, User{ID: "ada", Realm: "staff", Props: `{"tenant":"t1"}`}, u)
	require.Equal(t, "rpc: no id given", body(t, rt.Fetch(httptest.NewRequest("GET", "/user/", nil))))
}

// W-031: a binding to a worker that is not defined fails at start, naming both.
func TestServiceBindingToUnknownWorkerFailsStart_W031(t *testing.T) {
	cfg, _ := env.Parse("wrangler.jsonc", []byte(frontConfig), "")
	_, err := host.New(context.Background(), host.Options{NoPersist: true, Config: cfg, Dir: t.TempDir(), LogOutput: io.Discard}, frontApp())
	require.ErrorContains(t, err, `Worker "front"'s binding "AUTH" refers to a service "core:user:auth", but no such service is defined.`)
}

type LoopEnv struct {
	Self *worker.Service `binding:"SELF"`
}

// W-012: recursion through service bindings past 16 levels is the loop error (1019).
func TestServiceRecursionLimit_W012(t *testing.T) {
	app := worker.New[LoopEnv](worker.HandlerFunc[LoopEnv](func(req *http.Request, env LoopEnv, ctx *worker.Context) (*http.Response, error) {
		out, _ := http.NewRequestWithContext(ctx, "GET", "http://loop/", nil)
		resp, err := env.Self.Fetch(out)
		if err != nil {
			return worker.Text(508, fmt.Sprintf("depth %d: %v", worker.ServiceDepth(ctx), err))
		}
		return resp, nil
	}), worker.Named("loop"))
	rt := workertest.New(t, app, workertest.Config(`{"name":"loop","services":[{"binding":"SELF","service":"loop"}]}`))
	require.Equal(t, "depth 16: "+worker.ErrServiceLoop.Error(), body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
}

// Two runner processes on one machine reach each other's workers through the registry in
// their shared state directory.
func TestServiceBindingAcrossProcesses(t *testing.T) {
	if os.Getenv("FLAREGO_TEST_AUTH_CHILD") != "" {
		return
	}
	state := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestAuthChildProcess$")
	cmd.Env = append(os.Environ(), "FLAREGO_TEST_AUTH_CHILD="+state)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	ready := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "serving auth") {
			ready = true
			break
		}
	}
	require.True(t, ready, "the child runner did not start")
	go io.Copy(io.Discard, out)

	cfg, _ := env.Parse("wrangler.jsonc", []byte(frontConfig), "")
	r, err := host.New(context.Background(), host.Options{PersistTo: state, Config: cfg, Dir: t.TempDir(), LogOutput: io.Discard}, frontApp())
	require.NoError(t, err)
	defer r.Close(context.Background())
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/user/grace", nil))
	var u User
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &u), rec.Body.String())
	require.Equal(t, User{ID: "grace", Realm: "remote", Props: `{"tenant":"t1"}`}, u)

	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	require.Equal(t, "auth saw /check at depth 1", rec.Body.String())
}

// TestAuthChildProcess is the other process of TestServiceBindingAcrossProcesses.
func TestAuthChildProcess(t *testing.T) {
	state := os.Getenv("FLAREGO_TEST_AUTH_CHILD")
	if state == "" {
		t.Skip("runs as a child process only")
	}
	cfg, _ := env.Parse("wrangler.jsonc", []byte(`{"name":"auth","vars":{"REALM":"remote"}}`), "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := host.Serve(ctx, host.Options{PersistTo: state, Config: cfg, Dir: filepath.Join(state, ".."), IP: "127.0.0.1", Port: -1, LogOutput: io.Discard}, authApp(), os.Stdout)
	require.NoError(t, err)
}

// W-030: the work of a worker called through a service binding counts against the CPU
// budget of the caller's request (an in-process call runs on the caller's thread, whose CPU
// clock the caller's budget reads).
func TestServiceCalleeCPUCountsForTheCaller_W030(t *testing.T) {
	busy := worker.New[AuthEnv](worker.HandlerFunc[AuthEnv](func(req *http.Request, env AuthEnv, ctx *worker.Context) (*http.Response, error) {
		deadline := time.Now().Add(30 * time.Millisecond) // about 30 ms of CPU
		x := 0
		for time.Now().Before(deadline) {
			x++
		}
		return worker.Text(200, fmt.Sprint(x > 0))
	}), worker.Named("auth"))
	authCfg, _ := env.Parse("wrangler.jsonc", []byte(`{"name":"auth"}`), "")
	rt := workertest.New(t, frontApp(), workertest.Config(`{"name":"front","limits":{"cpu_ms":1},"services":[{"binding":"AUTH","service":"auth"}]}`), func(o *host.Options) error {
		o.Also = append(o.Also, host.AlsoWorker{App: busy, Config: authCfg})
		return nil
	})
	resp := rt.Fetch(httptest.NewRequest("GET", "/", nil))
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "Error 1102: Worker exceeded resource limits", body(t, resp))
}

// A counter the auth worker hands out by RPC: an object with methods, not a plain value.
type Tally struct{ n int }

func (t *Tally) Add(k int) int { t.n += k; return t.n }

var openTally = worker.Method("OpenTally", func(a *Auth, ctx context.Context, start int) (*Tally, error) {
	return &Tally{n: start}, nil
})

// W-027, in process: an RPC method that returns an object with methods gives the caller the
// callee's own object, so calls on it act on the callee's state, which lives as long as the
// caller holds it. (Across processes only JSON values pass; see package worker.)
func TestRPCReturnsTheCalleesObjectInProcess_W027(t *testing.T) {
	authCfg, _ := env.Parse("wrangler.jsonc", []byte(`{"name":"auth"}`), "")
	front := worker.New[FrontEnv](worker.HandlerFunc[FrontEnv](func(req *http.Request, env FrontEnv, ctx *worker.Context) (*http.Response, error) {
		tally, err := openTally.Call(ctx, env.Auth, 10)
		if err != nil {
			return nil, err
		}
		tally.Add(1)
		return worker.Text(200, fmt.Sprint(tally.Add(5)))
	}), worker.Named("front"))
	rt := workertest.New(t, front, workertest.Config(frontConfig), func(o *host.Options) error {
		o.Also = append(o.Also, host.AlsoWorker{App: authApp(), Config: authCfg})
		return nil
	})
	require.Equal(t, "16", body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil))))
}
