package env_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flarego/flarego/env"
	"github.com/stretchr/testify/require"
)

const jsoncConfig = `{
  // comments and trailing commas are fine
  "name": "app",
  "compatibility_date": "2026-11-01",
  "vars": { "MODE": "dev", "FEATURES": {"beta": true}, "LIMIT": 5, },
  "kv_namespaces": [{ "binding": "CACHE", "id": "c1" }],
  "future_key": 1,
  "env": {
    "staging": {
      "vars": { "MODE": "staging" },
      "kv_namespaces": [{ "binding": "CACHE", "id": "c-staging" }],
    },
  },
}`

func TestParseJSONC_W002_VarsAsStringsAndJSON(t *testing.T) {
	cfg, err := env.Parse("wrangler.jsonc", []byte(jsoncConfig), "")
	require.NoError(t, err)
	require.Equal(t, "app", cfg.Name)
	require.Equal(t, "c1", cfg.KVNamespaces[0].ID)
	require.Contains(t, cfg.Warnings, `unknown key "future_key" ignored`)

	type Env struct {
		Mode     string          `binding:"MODE"`
		Features map[string]bool `binding:"FEATURES"`
		Limit    int             `binding:"LIMIT"`
	}
	e, err := env.Load[Env](env.Source{Config: cfg})
	require.NoError(t, err)
	require.Equal(t, Env{Mode: "dev", Features: map[string]bool{"beta": true}, Limit: 5}, e)
}

func TestEnvironment_W003_VarsAndBindingsNotInherited(t *testing.T) {
	cfg, err := env.Parse("wrangler.jsonc", []byte(jsoncConfig), "staging")
	require.NoError(t, err)
	require.Equal(t, "app-staging", cfg.Name)
	require.Equal(t, "2026-11-01", cfg.CompatibilityDate, "inheritable keys carry over")
	require.Equal(t, "c-staging", cfg.KVNamespaces[0].ID)
	require.Len(t, cfg.Vars, 1)
	require.JSONEq(t, `"staging"`, string(cfg.Vars["MODE"]))

	_, err = env.Parse("wrangler.jsonc", []byte(jsoncConfig), "prod")
	require.ErrorContains(t, err, `no environment "prod" (sections: staging)`)
}

func TestParseTOML(t *testing.T) {
	src := `
name = "app"
[vars]
MODE = "dev"
[[kv_namespaces]]
binding = "CACHE"
id = "c1"
[triggers]
crons = ["0 9 * * MON-FRI"]
[env.staging.vars]
MODE = "staging"
`
	cfg, err := env.Parse("wrangler.toml", []byte(src), "")
	require.NoError(t, err)
	require.Equal(t, "c1", cfg.KVNamespaces[0].ID)
	require.Equal(t, []string{"0 9 * * MON-FRI"}, cfg.Triggers.Crons)
	st, err := env.Parse("wrangler.toml", []byte(src), "staging")
	require.NoError(t, err)
	require.Empty(t, st.KVNamespaces)
	require.Equal(t, []string{"0 9 * * MON-FRI"}, st.Triggers.Crons)
}

func TestMalformedConfigNamesFileLineAndProblem(t *testing.T) {
	_, err := env.Parse("wrangler.jsonc", []byte("{\n  \"name\": \"x\",\n  \"vars\": {\"A\": }\n}"), "")
	var se *env.SyntaxError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 3, se.Line)
	require.True(t, strings.HasPrefix(err.Error(), "wrangler.jsonc:3:"), err.Error())

	_, err = env.Parse("wrangler.jsonc", []byte("{\n  \"dev\": {\"port\": \"8787\"}\n}"), "")
	require.ErrorAs(t, err, &se)
	require.Equal(t, 2, se.Line)
	require.Contains(t, err.Error(), "dev.port must be int")

	_, err = env.Parse("wrangler.toml", []byte("name = \"x\"\nvars = [\n"), "")
	require.ErrorAs(t, err, &se)
	require.Equal(t, "wrangler.toml", se.Path)
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	type Env struct {
		A   string     `binding:"A"`
		B   env.Secret `binding:"B"`
		C   int        `binding:"C"`
		Opt string     `binding:"OPT,optional"`
		KV  *struct{}  `binding:"KV"`
	}
	cfg := &env.Config{Vars: map[string]json.RawMessage{"C": json.RawMessage(`"not a number"`)}}
	resolve := func(name string, t reflect.Type) (reflect.Value, bool, error) {
		if name == "KV" {
			return reflect.Value{}, true, fmt.Errorf("kv namespace %q: open failed", name)
		}
		return reflect.Value{}, false, nil
	}
	_, err := env.Load[Env](env.Source{Config: cfg, Resolve: resolve})
	var le *env.LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Problems, 4)
	for _, name := range []string{"A (field A", "B (field B", "C (field C", "KV (field KV"} {
		require.Contains(t, err.Error(), name)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := env.NewSecret("hunter2")
	type holder struct{ Key env.Secret }
	h := holder{Key: s}
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", h, h, h, s, s, s),
	} {
		require.NotContains(t, out, "hunter2")
	}
	b, _ := json.Marshal(h)
	require.NotContains(t, string(b), "hunter2")
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "secret", s)
	require.NotContains(t, sb.String(), "hunter2")
	require.Equal(t, "hunter2", s.Reveal())
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
}

func TestSecrets_W004_DevVarsWinsOverDotEnv(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".env", "A=from-env\n")
	write(t, dir, ".dev.vars", "# comment\nexport B=\"line1\\nline2\"\nC='single'\n")
	s, _, err := env.LoadSecrets(dir, "", nil)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"B": "line1\nline2", "C": "single"}, s)

	write(t, dir, ".dev.vars.staging", "S=staging-only\n")
	s, _, err = env.LoadSecrets(dir, "staging", nil)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"S": "staging-only"}, s)
}

func TestSecrets_W004_DotEnvPrecedence(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".env", "A=env\nB=env\nC=env\nD=env\n")
	write(t, dir, ".env.staging", "B=env.staging\nC=env.staging\nD=env.staging\n")
	write(t, dir, ".env.local", "C=env.local\nD=env.local\n")
	write(t, dir, ".env.staging.local", "D=env.staging.local\n")
	s, _, err := env.LoadSecrets(dir, "staging", nil)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"A": "env", "B": "env.staging", "C": "env.local", "D": "env.staging.local"}, s)
}

func TestSecrets_W005_RequiredFilters(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".dev.vars", "KEEP=1\nDROP=2\n")
	s, warnings, err := env.LoadSecrets(dir, "", []string{"KEEP", "MISSING"})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"KEEP": "1"}, s)
	require.Equal(t, []string{`required secret "MISSING" is not set in .dev.vars or .env`}, warnings)
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	_, err := env.Find(dir)
	require.ErrorIs(t, err, env.ErrNoConfig)
	write(t, dir, "wrangler.toml", "name='x'")
	write(t, dir, "wrangler.jsonc", "{}")
	p, err := env.Find(dir)
	require.NoError(t, err)
	require.Equal(t, "wrangler.jsonc", filepath.Base(p))
}

// Conformance items proven by the tests here (their names carry the IDs without the hyphen):
// W-002 W-003 W-004 W-005

func TestVarsLimitsAreWarnings_W006(t *testing.T) {
	big := strings.Repeat("x", 6<<10)
	cfg, err := env.Parse("wrangler.jsonc", []byte(`{"vars":{"BIG":"`+big+`"}}`), "")
	require.NoError(t, err)
	require.Contains(t, cfg.Warnings, `var "BIG" is 6146 bytes, over the platform's limit of 5120`)
}
