package host_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvsqlite"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

type KVEnv struct {
	Cache *kv.Namespace `binding:"CACHE"`
	Same  *kv.Namespace `binding:"SAME"`
}

func kvApp() *worker.App[KVEnv] {
	return worker.New[KVEnv](worker.HandlerFunc[KVEnv](func(req *http.Request, env KVEnv, ctx *worker.Context) (*http.Response, error) {
		k := req.URL.Query().Get("k")
		if v := req.URL.Query().Get("v"); v != "" {
			if err := env.Cache.PutString(ctx, k, v); err != nil {
				return nil, err
			}
			return worker.Text(200, "ok")
		}
		v, err := env.Same.GetText(ctx, k) // a second binding to the same id sees the same data
		if err != nil {
			return worker.Text(404, err.Error())
		}
		return worker.Text(200, v)
	}))
}

// KV through the runner, persisted, shared by id, and the kv subcommands
// working on the same files while the runner is open.
func TestKVBindingPersistsAndCLI_X001_X002(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "wrangler.jsonc")
	require.NoError(t, os.WriteFile(cfgPath, []byte(`{"kv_namespaces":[{"binding":"CACHE","id":"c1"},{"binding":"SAME","id":"c1"}]}`), 0o600))
	open := func() *host.Runner {
		r, err := host.New(context.Background(), host.Options{ConfigPath: cfgPath, LogOutput: io.Discard}, kvApp())
		require.NoError(t, err)
		return r
	}
	fetch := func(r *host.Runner, target string) string {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		return rec.Body.String()
	}
	r := open()
	require.Equal(t, "ok", fetch(r, "/?k=a&v=1"))
	require.Equal(t, "1", fetch(r, "/?k=a"))

	cli := func(args ...string) string {
		var out, errOut bytes.Buffer
		code := host.Run(context.Background(), append(args, "--config", cfgPath), &out, &errOut, kvApp())
		require.Zero(t, code, errOut.String())
		return out.String()
	}
	require.Equal(t, "1", cli("kv", "key", "get", "a", "--binding", "CACHE"))
	cli("kv", "key", "put", "b", "from-cli", "--binding", "CACHE")
	require.Equal(t, "from-cli", fetch(r, "/?k=b"), "the runner sees what the CLI wrote")
	require.Contains(t, cli("kv", "key", "list", "--namespace-id", "c1"), `"name":"b"`)
	require.NoError(t, r.Close(context.Background()))

	r = open() // a restart finds the data
	defer r.Close(context.Background())
	require.Equal(t, "1", fetch(r, "/?k=a"))
}

func TestRunnerFlagsBeforeSubcommand(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "wrangler.jsonc")
	require.NoError(t, os.WriteFile(cfgPath, []byte(`{"kv_namespaces":[{"binding":"CACHE","id":"c1"}]}`), 0o600))
	var out, errOut bytes.Buffer
	require.Zero(t, host.Run(context.Background(), []string{"--config", cfgPath, "kv", "key", "put", "k", "v", "--binding", "CACHE"}, &out, &errOut, kvApp()), errOut.String())
	require.Zero(t, host.Run(context.Background(), []string{"--config=" + cfgPath, "kv", "key", "get", "k", "--binding", "CACHE"}, &out, &errOut, kvApp()), errOut.String())
	require.Equal(t, "v", out.String())
}

// Storage opens in the background: the runner starts even when a namespace's file cannot
// be opened, logs why, and calls on that binding return the reason while others work.
func TestBindingThatCannotOpenFailsItsCallsNotTheStart(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "wrangler.jsonc")
	require.NoError(t, os.WriteFile(cfgPath, []byte(`{"kv_namespaces":[{"binding":"CACHE","id":"c1"},{"binding":"SAME","id":"c1"}]}`), 0o600))
	state := filepath.Join(dir, "state")
	// A directory where the namespace's file belongs.
	require.NoError(t, os.MkdirAll(filepath.Join(state, "kv", kvsqlite.FileName("c1")), 0o755))
	var logs bytes.Buffer
	r, err := host.New(context.Background(), host.Options{ConfigPath: cfgPath, PersistTo: state, LogOutput: &syncBuffer{b: &logs}}, kvApp())
	require.NoError(t, err, "the runner starts")
	defer r.Close(context.Background())
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/?k=a&v=1", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Contains(t, rec.Body.String(), "KV open failed")
	require.NoError(t, r.Close(context.Background()))
	require.Contains(t, logs.String(), "open KV namespace")
}
