package ai_test

import (
	"context"
	"strings"
	"testing"

	"github.com/flarego/flarego/ai"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ai.ParseConfig([]byte(`{
		"providers": {"ollama": {"type": "openai", "base_url": "http://127.0.0.1:11434/v1", "api_key_env": "OLLAMA_KEY", "headers": {"X-A": "b"}}},
		"models": {"@cf/meta/llama-3.1-8b-instruct": {"provider": "ollama", "model": "llama3.1:8b"}},
		"default": {"provider": "ollama"},
		"cache": {"max_entries": 10, "max_bytes": 1000}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Providers["ollama"].BaseURL != "http://127.0.0.1:11434/v1" || cfg.Models[llama].Model != "llama3.1:8b" ||
		cfg.Default.Provider != "ollama" || cfg.Cache.MaxEntries != 10 {
		t.Fatalf("%+v", cfg)
	}
	if _, err := ai.ParseConfig([]byte(`{"modles": {}}`)); err == nil || !strings.Contains(err.Error(), "modles") {
		t.Fatalf("a misspelt key was accepted: %v", err)
	}
	if cfg, err := ai.ParseConfig(nil); err != nil || cfg.Models != nil {
		t.Fatalf("empty: %+v %v", cfg, err)
	}
}

func TestLoadConfig_Environment(t *testing.T) {
	env := map[string]string{
		"FLAREGO_AI_BASE_URL": "http://127.0.0.1:8080/v1",
		"FLAREGO_AI_API_KEY":  "k",
		"FLAREGO_AI_MODELS":   "@cf/meta/llama-3.1-8b-instruct=llama3.1:8b, @cf/baai/bge-base-en-v1.5=nomic-embed-text,*",
		"OLLAMA_KEY":          "from-env",
	}
	cfg, err := ai.LoadConfig([]byte(`{"providers": {"ollama": {"base_url": "http://x/v1", "api_key_env": "OLLAMA_KEY"}}}`),
		func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Providers["env"]; p.BaseURL != "http://127.0.0.1:8080/v1" || p.APIKey != "k" || p.Type != "openai" {
		t.Fatalf("env provider %+v", p)
	}
	if cfg.Providers["ollama"].APIKey != "from-env" {
		t.Fatalf("api_key_env not resolved: %+v", cfg.Providers["ollama"])
	}
	if r := cfg.Models["@cf/baai/bge-base-en-v1.5"]; r.Provider != "env" || r.Model != "nomic-embed-text" {
		t.Fatalf("route %+v", r)
	}
	if cfg.Default == nil || cfg.Default.Provider != "env" || cfg.Default.Model != "" {
		t.Fatalf("default %+v", cfg.Default)
	}
	if _, err := ai.New(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := ai.LoadConfig(nil, func(k string) string {
		if k == ai.EnvModels {
			return "a=b"
		}
		return ""
	}); err == nil {
		t.Fatal("FLAREGO_AI_MODELS without a base URL was accepted")
	}
}

// The configured route reaches the upstream under the upstream's name (through the
// environment path users take for Ollama).
func TestLoadConfig_RoutesToUpstream(t *testing.T) {
	u := newUpstream(t)
	cfg, err := ai.LoadConfig(nil, func(k string) string {
		return map[string]string{ai.EnvBaseURL: u.URL + "/v1", ai.EnvModels: llama + "=llama3.1:8b"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var info ai.RequestInfo
	if _, err := c.Run(context.Background(), llama, map[string]any{"prompt": "hi there"}, &ai.RunOptions{Info: &info}); err != nil {
		t.Fatal(err)
	}
	if _, body, _ := u.last(); body["model"] != "llama3.1:8b" || info.Provider != "env" || info.UpstreamModel != "llama3.1:8b" {
		t.Fatalf("sent %v, info %+v", body, info)
	}
}
