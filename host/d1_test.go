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

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

type D1Env struct {
	DB *d1.Database `binding:"DB"`
}

func d1App() *worker.App[D1Env] {
	return worker.New[D1Env](worker.HandlerFunc[D1Env](func(req *http.Request, env D1Env, ctx *worker.Context) (*http.Response, error) {
		if name := req.URL.Query().Get("add"); name != "" {
			if _, err := env.DB.Prepare("INSERT INTO notes (body) VALUES (?)").Bind(name).Run(ctx); err != nil {
				return nil, err
			}
		}
		row, err := env.DB.Prepare("SELECT count(*) AS n FROM notes").First(ctx)
		if err != nil {
			return nil, err
		}
		return worker.JSON(200, row)
	}))
}

// A D1 database from the config, its migrations applied at start, and the d1 subcommands
// on the same file while the runner serves.
func TestD1BindingMigrationsAndCLI(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "migrations"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "migrations", "0001_notes.sql"), []byte("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"), 0o644))
	cfgPath := filepath.Join(dir, "wrangler.jsonc")
	require.NoError(t, os.WriteFile(cfgPath, []byte(`{"d1_databases":[{"binding":"DB","database_name":"notes","database_id":"n-1"}]}`), 0o600))
	r, err := host.New(context.Background(), host.Options{ConfigPath: cfgPath, ApplyMigrations: true, LogOutput: io.Discard}, d1App())
	require.NoError(t, err)
	defer r.Close(context.Background())
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/?add=first", nil))
	require.JSONEq(t, `{"n":1}`, rec.Body.String())

	cli := func(args ...string) string {
		var out, errOut bytes.Buffer
		code := host.Run(context.Background(), append(args, "--config", cfgPath), &out, &errOut, d1App())
		require.Zero(t, code, errOut.String())
		return out.String()
	}
	require.Contains(t, cli("d1", "migrations", "list", "notes"), "No migrations to apply.")
	require.Contains(t, cli("d1", "execute", "notes", "--command", "INSERT INTO notes (body) VALUES ('cli')", "--json"), `"changes":1`)
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	require.JSONEq(t, `{"n":2}`, rec.Body.String(), "the runner sees the CLI's write")

	out := filepath.Join(dir, "dump.sql")
	cli("d1", "export", "notes", "--output", out)
	dump, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(dump), "INSERT INTO")
	require.Contains(t, cli("d1", "time-travel", "info", "notes"), "bookmark: ")
	require.Contains(t, cli("d1", "migrations", "create", "notes", "add tags"), "0002_add_tags.sql")
}
