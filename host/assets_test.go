package host_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

type AssetsEnv struct {
	Assets *worker.Assets `binding:"ASSETS"`
}

func TestStaticAssetsBeforeWorkerAndBinding(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "public", "api"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "public", "index.html"), []byte("home"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "public", "api", "x.json"), []byte("{}"), 0o644))
	var calls atomic.Int32
	h := worker.HandlerFunc[AssetsEnv](func(req *http.Request, env AssetsEnv, ctx *worker.Context) (*http.Response, error) {
		calls.Add(1)
		if req.URL.Path == "/via-binding" {
			r := req.Clone(ctx)
			r.URL.Path = "/"
			return env.Assets.Fetch(r)
		}
		return worker.Text(200, "worker "+req.URL.Path)
	})
	rt := workertest.New(t, worker.New[AssetsEnv](h), workertest.Dir(dir), workertest.Config(`{
		"assets": {"directory": "public", "binding": "ASSETS", "not_found_handling": "single-page-application",
		           "run_worker_first": ["/api/*"]}}`))

	resp := rt.Fetch(httptest.NewRequest("GET", "/", nil))
	require.Equal(t, "home", body(t, resp))
	require.Zero(t, calls.Load(), "assets are served without entering the worker")

	require.Equal(t, "worker /api/x.json", body(t, rt.Fetch(httptest.NewRequest("GET", "/api/x.json", nil))), "run_worker_first")
	require.Equal(t, "worker /missing", body(t, rt.Fetch(httptest.NewRequest("GET", "/missing", nil))), "no asset: the worker")

	nav := httptest.NewRequest("GET", "/app/route", nil)
	nav.Header.Set("Sec-Fetch-Mode", "navigate")
	require.Equal(t, "home", body(t, rt.Fetch(nav)), "SPA navigation gets index.html")

	require.Equal(t, "home", body(t, rt.Fetch(httptest.NewRequest("GET", "/via-binding", nil))))
}

func TestAssetsBindingWithoutDirectoryFailsStart(t *testing.T) {
	_, err := newRunnerErr(t, `{"assets":{"binding":"ASSETS"}}`, fn(nil))
	require.ErrorContains(t, err, `assets.binding "ASSETS" needs assets.directory`)
}
