package env

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// LoadSecrets reads the local secrets beside a config in dir for environment (may be ""),
// with the platform's precedence (W-004), and keeps only the keys of required when it is
// not empty (W-005). warnings names required keys that are missing.
func LoadSecrets(dir, environment string, required []string) (secrets map[string]string, warnings []string, err error) {
	secrets, err = readSecretFiles(dir, environment)
	if err != nil {
		return nil, nil, err
	}
	if len(required) == 0 {
		return secrets, nil, nil
	}
	kept := make(map[string]string, len(required))
	for _, k := range required {
		v, ok := secrets[k]
		if !ok {
			warnings = append(warnings, fmt.Sprintf("required secret %q is not set in .dev.vars or .env", k))
			continue
		}
		kept[k] = v
	}
	sort.Strings(warnings)
	return kept, warnings, nil
}

func readSecretFiles(dir, environment string) (map[string]string, error) {
	// .dev.vars wins outright: .dev.vars.<env> alone when present, else .dev.vars alone.
	devVars := []string{".dev.vars"}
	if environment != "" {
		devVars = []string{".dev.vars." + environment, ".dev.vars"}
	}
	for _, name := range devVars {
		m, err := readDotenv(filepath.Join(dir, name))
		if err == nil {
			return m, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	// .env files merge, lowest precedence first.
	order := []string{".env"}
	if environment != "" {
		order = append(order, ".env."+environment)
	}
	order = append(order, ".env.local")
	if environment != "" {
		order = append(order, ".env."+environment+".local")
	}
	out := map[string]string{}
	for _, name := range order {
		m, err := readDotenv(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

// readDotenv parses KEY=VALUE lines: `#` comments, optional `export `, single, double
// (with \n escapes) and unquoted values, and double-quoted values spanning lines.
func readDotenv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseDotenv(path, data)
}

// ParseDotenv parses dotenv text; path names the file in errors.
func ParseDotenv(path string, data []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		s = strings.TrimPrefix(s, "export ")
		key, val, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, &SyntaxError{Path: path, Line: line, Column: 1, Msg: "expected KEY=VALUE"}
		}
		val = strings.TrimSpace(val)
		switch {
		case strings.HasPrefix(val, `"`):
			start := line
			for !closedQuote(val) && sc.Scan() {
				line++
				val += "\n" + sc.Text()
			}
			if !closedQuote(val) {
				return nil, &SyntaxError{Path: path, Line: start, Column: len(key) + 2, Msg: "unclosed double quote"}
			}
			end := strings.LastIndex(val, `"`)
			u, err := strconv.Unquote(strings.ReplaceAll(val[:end+1], "\n", `\n`))
			if err != nil {
				u = val[1:end]
			}
			val = u
		case strings.HasPrefix(val, "'"):
			if end := strings.LastIndex(val, "'"); end > 0 {
				val = val[1:end]
			}
		default:
			if i := strings.Index(val, " #"); i >= 0 {
				val = strings.TrimSpace(val[:i])
			}
		}
		out[key] = val
	}
	return out, sc.Err()
}

func closedQuote(v string) bool {
	if len(v) < 2 {
		return false
	}
	for i := len(v) - 1; i > 0; i-- {
		if v[i] == '"' {
			n := 0
			for j := i - 1; j >= 0 && v[j] == '\\'; j-- {
				n++
			}
			return n%2 == 0
		}
	}
	return false
}
