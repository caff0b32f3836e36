package env

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/tailscale/hujson"
)

// ConfigNames are the file names Find looks for, in order.
var ConfigNames = []string{"wrangler.jsonc", "wrangler.json", "wrangler.toml"}

// ErrNoConfig is returned by Find when a directory holds none of ConfigNames.
var ErrNoConfig = errors.New("env: no wrangler.jsonc, wrangler.json or wrangler.toml found")

// SyntaxError is a malformed config file: where and what.
type SyntaxError struct {
	Path         string
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
}

// Find returns the config file in dir, trying ConfigNames in order.
func Find(dir string) (string, error) {
	for _, n := range ConfigNames {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w in %s", ErrNoConfig, dir)
}

// ReadFile reads and parses the config at path, applying the `[env.NAME]` section named
// environment when it is not "".
func ReadFile(path, environment string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("env: %w", err)
	}
	return Parse(path, data, environment)
}

// Parse parses config text; path's extension chooses TOML (.toml) or JSONC (anything else)
// and names the file in errors.
func Parse(path string, data []byte, environment string) (*Config, error) {
	var top map[string]any
	var js []byte
	if strings.HasSuffix(path, ".toml") {
		if _, err := toml.Decode(string(data), &top); err != nil {
			var pe toml.ParseError
			if errors.As(err, &pe) {
				return nil, &SyntaxError{Path: path, Line: pe.Position.Line, Column: pe.Position.Col, Msg: pe.Message}
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var err error
		if js, err = json.Marshal(top); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else {
		std, err := hujson.Standardize(bytes.Clone(data))
		if err != nil {
			return nil, jsonSyntaxError(path, data, err)
		}
		js = std
		if err := json.Unmarshal(js, &top); err != nil {
			return nil, jsonSyntaxError(path, js, err)
		}
		if top == nil {
			return nil, &SyntaxError{Path: path, Line: 1, Column: 1, Msg: "the config must be a JSON object"}
		}
	}

	cfg := &Config{Path: path, Environment: environment}
	if environment != "" {
		sec, ok := sectionOf(top, environment)
		if !ok {
			return nil, fmt.Errorf("%s: no environment %q (sections: %s)", path, environment, strings.Join(envNames(top), ", "))
		}
		top = applyEnvironment(top, sec, environment)
		var err error
		if js, err = json.Marshal(top); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := json.Unmarshal(js, cfg); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && environment == "" && !strings.HasSuffix(path, ".toml") {
			line, col := position(js, int(te.Offset))
			return nil, &SyntaxError{Path: path, Line: line, Column: col,
				Msg: fmt.Sprintf("%s must be %s, not %s", te.Field, te.Type, te.Value)}
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg.Warnings = unknownKeys(top, reflect.TypeFor[Config](), "")
	cfg.Warnings = append(cfg.Warnings, varsWarnings(cfg.Vars)...)
	return cfg, nil
}

func jsonSyntaxError(path string, data []byte, err error) error {
	var se *json.SyntaxError
	off := -1
	if errors.As(err, &se) {
		off = int(se.Offset)
	}
	msg := err.Error()
	// hujson reports "hujson: line L, column C: …"; keep its position.
	var l, c int
	if n, _ := fmt.Sscanf(msg, "hujson: line %d, column %d:", &l, &c); n == 2 {
		if i := strings.Index(msg, ": "); i >= 0 {
			if j := strings.Index(msg[i+2:], ": "); j >= 0 {
				msg = msg[i+2+j+2:]
			}
		}
		return &SyntaxError{Path: path, Line: l, Column: c, Msg: msg}
	}
	if off < 0 {
		return fmt.Errorf("%s: %w", path, err)
	}
	l, c = position(data, off)
	return &SyntaxError{Path: path, Line: l, Column: c, Msg: msg}
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	col = off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

func sectionOf(top map[string]any, name string) (map[string]any, bool) {
	envs, _ := top["env"].(map[string]any)
	sec, ok := envs[name].(map[string]any)
	return sec, ok
}

func envNames(top map[string]any) []string {
	envs, _ := top["env"].(map[string]any)
	names := make([]string, 0, len(envs))
	for n := range envs {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}

// nonInheritable are the keys an `[env.NAME]` section does not take from the top level: the
// bindings and vars (W-003).
var nonInheritable = []string{
	"vars", "kv_namespaces", "d1_databases", "r2_buckets", "durable_objects", "queues",
	"workflows", "ai", "vectorize", "services", "secrets", "define", "analytics_engine_datasets",
	"hyperdrive", "browser", "send_email", "mtls_certificates", "dispatch_namespaces",
}

func applyEnvironment(top, sec map[string]any, name string) map[string]any {
	out := make(map[string]any, len(top))
	for k, v := range top {
		out[k] = v
	}
	delete(out, "env")
	for _, k := range nonInheritable {
		delete(out, k)
	}
	for k, v := range sec {
		out[k] = v
	}
	if _, ok := sec["name"]; !ok {
		if n, ok := top["name"].(string); ok && n != "" {
			out["name"] = n + "-" + name
		}
	}
	return out
}

// unknownKeys lists keys of m that t (a struct with json tags) has no field for.
func unknownKeys(m map[string]any, t reflect.Type, prefix string) []string {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = f.Type
	}
	var out []string
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ft, ok := fields[k]
		if !ok {
			out = append(out, fmt.Sprintf("unknown key %q ignored", prefix+k))
			continue
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch v := m[k].(type) {
		case map[string]any:
			if ft.Kind() == reflect.Struct {
				out = append(out, unknownKeys(v, ft, prefix+k+".")...)
			}
		case []any:
			if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
				for i, e := range v {
					if em, ok := e.(map[string]any); ok {
						out = append(out, unknownKeys(em, ft.Elem(), fmt.Sprintf("%s%s[%d].", prefix, k, i))...)
					}
				}
			}
		}
	}
	return out
}

// Var limits (W-006): 128 vars on the paid plan, 5 KB each.
const (
	maxVars     = 128
	maxVarBytes = 5 << 10
)

func varsWarnings(vars map[string]json.RawMessage) []string {
	var out []string
	if len(vars) > maxVars {
		out = append(out, fmt.Sprintf("%d vars exceed the platform's limit of %d", len(vars), maxVars))
	}
	for k, v := range vars {
		if len(v) > maxVarBytes {
			out = append(out, fmt.Sprintf("var %q is %d bytes, over the platform's limit of %d", k, len(v), maxVarBytes))
		}
	}
	sort.Strings(out)
	return out
}
