package ai

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// Config says which provider serves which model. The zero Config serves the two embedded
// models (ModelGloVe, ModelExtractiveQA) and nothing else: every other model name is an
// error that says what to configure.
//
// In a project it comes from the "flarego" → "ai" object of the wrangler config (a key the
// platform's tools ignore; see the package docs for the JSON) and from FLAREGO_AI_*
// environment variables, read by LoadConfig.
type Config struct {
	// Providers by name. "embedded" is reserved for the models the package ships.
	Providers map[string]ProviderConfig `json:"providers,omitempty"`
	// Models maps a model name a worker asks for to the provider and model serving it.
	Models map[string]Route `json:"models,omitempty"`
	// Default serves every model name Models does not list, nil means none. An empty
	// Default.Model passes the requested name through unchanged.
	Default *Route `json:"default,omitempty"`
	// Cache bounds the gateway response cache.
	Cache CacheConfig `json:"cache,omitzero"`
	// NoEmbedded hides the embedded models (they still load only when first used).
	NoEmbedded bool `json:"no_embedded,omitempty"`

	// HTTPClient is used by HTTP providers; nil means a client with no overall timeout
	// (generations can take minutes; gateway timeouts and contexts bound them).
	HTTPClient *http.Client `json:"-"`
	// Logger receives retries and provider failures at debug/warn level; nil discards.
	Logger *slog.Logger `json:"-"`
}

// ProviderConfig configures one provider.
type ProviderConfig struct {
	// Type is "openai": an OpenAI-compatible HTTP API (Ollama, llama.cpp's server, vLLM, ...).
	Type string `json:"type,omitempty"`
	// BaseURL is the API root, the part before /chat/completions, e.g.
	// "http://127.0.0.1:11434/v1" for Ollama.
	BaseURL string `json:"base_url,omitempty"`
	// APIKey is sent as a bearer token. Prefer APIKeyEnv so the key stays out of the file.
	APIKey string `json:"api_key,omitempty"`
	// APIKeyEnv names an environment variable LoadConfig reads the key from.
	APIKeyEnv string `json:"api_key_env,omitempty"`
	// Headers are added to every request.
	Headers map[string]string `json:"headers,omitempty"`

	// Provider, when set from Go, is used as is and the fields above are ignored.
	Provider Provider `json:"-"`
}

// Route sends one model name to a provider.
type Route struct {
	// Provider names an entry of Config.Providers, or "embedded".
	Provider string `json:"provider"`
	// Model is the provider's name for the model; empty means the requested name.
	Model string `json:"model,omitempty"`
	// Task overrides the task taken from the catalogue or guessed from the input:
	// "text-generation" or "text-embeddings".
	Task Task `json:"task,omitempty"`
}

// CacheConfig bounds the in-memory response cache of the AI Gateway emulation.
type CacheConfig struct {
	// MaxEntries caps the number of cached responses; 0 means 1024.
	MaxEntries int `json:"max_entries,omitempty"`
	// MaxBytes caps their total JSON size; 0 means 32 MiB.
	MaxBytes int64 `json:"max_bytes,omitempty"`
}

// EmbeddedProvider is the reserved provider name of the models the package ships.
const EmbeddedProvider = "embedded"

// Names of the configuration keys, as error messages quote them.
const (
	ConfigKey     = "flarego.ai.models"
	EnvBaseURL    = "FLAREGO_AI_BASE_URL"
	EnvAPIKey     = "FLAREGO_AI_API_KEY"
	EnvModels     = "FLAREGO_AI_MODELS"
	envProviderID = "env"
)

// ParseConfig decodes the JSON of the "flarego" → "ai" object. Unknown fields are errors,
// so that a typo does not silently leave a model unserved.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if len(strings.TrimSpace(string(data))) == 0 {
		return c, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("ai: config: %w", err)
	}
	return c, nil
}

// LoadConfig decodes data (the "flarego" → "ai" JSON object, may be empty) with ParseConfig,
// then applies the environment read through getenv (os.Getenv; nil means no environment):
//
//   - FLAREGO_AI_BASE_URL defines a provider named "env" of type openai at that URL, with
//     FLAREGO_AI_API_KEY as its key.
//   - FLAREGO_AI_MODELS routes models to it: comma-separated name=upstream pairs, e.g.
//     "@cf/meta/llama-3.1-8b-instruct=llama3.1:8b,@cf/baai/bge-base-en-v1.5=nomic-embed-text".
//     The name "*" sets the default route ("*" alone or "*=" passes names through unchanged).
//
// It also resolves every provider's APIKeyEnv. Environment settings win over the file's.
func LoadConfig(data []byte, getenv func(string) string) (Config, error) {
	c, err := ParseConfig(data)
	if err != nil {
		return c, err
	}
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	for name, p := range c.Providers {
		if p.APIKeyEnv != "" {
			if key := getenv(p.APIKeyEnv); key != "" {
				p.APIKey = key
				c.Providers[name] = p
			}
		}
	}
	if base := getenv(EnvBaseURL); base != "" {
		if c.Providers == nil {
			c.Providers = map[string]ProviderConfig{}
		}
		c.Providers[envProviderID] = ProviderConfig{Type: "openai", BaseURL: base, APIKey: getenv(EnvAPIKey)}
	}
	if models := getenv(EnvModels); models != "" {
		if getenv(EnvBaseURL) == "" {
			return Config{}, fmt.Errorf("ai: %s is set but %s is not", EnvModels, EnvBaseURL)
		}
		if c.Models == nil {
			c.Models = map[string]Route{}
		}
		for pair := range strings.SplitSeq(models, ",") {
			pair = strings.TrimSpace(pair)
			if pair == "" {
				continue
			}
			name, upstream, _ := strings.Cut(pair, "=")
			name, upstream = strings.TrimSpace(name), strings.TrimSpace(upstream)
			if name == "*" {
				c.Default = &Route{Provider: envProviderID, Model: upstream}
				continue
			}
			if name == "" {
				return Config{}, fmt.Errorf("ai: %s: empty model name in %q", EnvModels, pair)
			}
			c.Models[name] = Route{Provider: envProviderID, Model: upstream}
		}
	}
	return c, nil
}

// buildProviders constructs the configured providers.
func (c *Config) buildProviders() (map[string]Provider, error) {
	out := map[string]Provider{}
	for name, pc := range c.Providers {
		if name == EmbeddedProvider {
			return nil, fmt.Errorf("ai: config: provider name %q is reserved", name)
		}
		if pc.Provider != nil {
			out[name] = pc.Provider
			continue
		}
		switch pc.Type {
		case "openai", "":
			if _, err := url.Parse(pc.BaseURL); err != nil || pc.BaseURL == "" {
				return nil, fmt.Errorf("ai: config: providers[%q]: base_url %q is not a URL", name, pc.BaseURL)
			}
			hdr := http.Header{}
			for k, v := range pc.Headers {
				hdr.Set(k, v)
			}
			p, err := NewOpenAI(OpenAIConfig{BaseURL: pc.BaseURL, APIKey: pc.APIKey, Headers: hdr, HTTPClient: c.HTTPClient})
			if err != nil {
				return nil, fmt.Errorf("ai: config: providers[%q]: %w", name, err)
			}
			out[name] = p
		default:
			return nil, fmt.Errorf("ai: config: providers[%q]: unknown type %q (want \"openai\")", name, pc.Type)
		}
	}
	if !c.NoEmbedded {
		out[EmbeddedProvider] = embedded{}
	}
	return out, nil
}
