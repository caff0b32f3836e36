package workertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
)

// Runtime is the real runner, in memory, for one test.
type Runtime struct {
	t      testing.TB
	Runner *host.Runner
}

// Option configures New.
type Option func(*host.Options) error

// Config gives the runner a config as JSONC text (the wrangler.jsonc format).
func Config(jsonc string) Option {
	return func(o *host.Options) error {
		cfg, err := env.Parse("wrangler.jsonc", []byte(jsonc), o.Environment)
		if err != nil {
			return err
		}
		o.Config = cfg
		return nil
	}
}

// ConfigValue gives the runner a config built in code.
func ConfigValue(cfg *env.Config) Option {
	return func(o *host.Options) error { o.Config = cfg; return nil }
}

// Dir sets the project directory (for .dev.vars, migrations and assets).
func Dir(dir string) Option {
	return func(o *host.Options) error { o.Dir = dir; return nil }
}

// PersistTo persists state in dir instead of memory (for restart tests).
func PersistTo(dir string) Option {
	return func(o *host.Options) error { o.PersistTo = dir; o.NoPersist = false; return nil }
}

// StrictLimits applies the platform's production limits.
func StrictLimits() Option {
	return func(o *host.Options) error { o.StrictLimits = true; return nil }
}

// New starts app on the real runner with every binding in memory and no listener; the
// runner is closed when the test ends. It fails t when the runner cannot start.
func New(t testing.TB, app worker.Runnable, opts ...Option) *Runtime {
	t.Helper()
	o := host.Options{NoPersist: true, LogOutput: tbWriter{t}, LogLevel: "debug", Config: &env.Config{}}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			t.Fatalf("workertest.New: %v", err)
		}
	}
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	r, err := host.New(context.Background(), o, app)
	if err != nil {
		t.Fatalf("workertest.New: %v", err)
	}
	t.Cleanup(func() { r.Shutdown(context.Background()) })
	return &Runtime{t: t, Runner: r}
}

// Fetch sends req through the runner as a client request would arrive, and returns the
// recorded response.
func (rt *Runtime) Fetch(req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	rt.Runner.ServeHTTP(rec, req)
	return rec.Result()
}
