package assets

import (
	"encoding/json"
	"fmt"
	"strings"
)

// WorkerFirst decides, from `assets.run_worker_first`, which requests reach the worker
// before any asset is looked up. The zero value sends none.
type WorkerFirst struct {
	all      bool
	include  []string
	excludes []string
}

// ParseWorkerFirst reads run_worker_first: absent, a boolean, or a list of path patterns
// where `*` matches any run of characters and a leading `!` excludes.
func ParseWorkerFirst(raw json.RawMessage) (WorkerFirst, error) {
	var wf WorkerFirst
	if len(raw) == 0 {
		return wf, nil
	}
	if err := json.Unmarshal(raw, &wf.all); err == nil {
		return wf, nil
	}
	var patterns []string
	if err := json.Unmarshal(raw, &patterns); err != nil {
		return wf, fmt.Errorf("assets: run_worker_first must be a boolean or a list of path patterns")
	}
	for _, p := range patterns {
		if !strings.HasPrefix(strings.TrimPrefix(p, "!"), "/") {
			return wf, fmt.Errorf("assets: run_worker_first pattern %q must start with / (or !/)", p)
		}
		if rest, ok := strings.CutPrefix(p, "!"); ok {
			wf.excludes = append(wf.excludes, rest)
		} else {
			wf.include = append(wf.include, p)
		}
	}
	return wf, nil
}

// Match reports whether a request for p runs the worker first.
func (wf WorkerFirst) Match(p string) bool {
	if wf.all {
		return true
	}
	for _, x := range wf.excludes {
		if globMatch(x, p) {
			return false
		}
	}
	for _, in := range wf.include {
		if globMatch(in, p) {
			return true
		}
	}
	return false
}

// globMatch matches p against a pattern whose `*` spans any characters, slashes included.
func globMatch(pattern, p string) bool {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == p
	}
	if !strings.HasPrefix(p, parts[0]) {
		return false
	}
	p = p[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		j := strings.Index(p, parts[i])
		if j < 0 {
			return false
		}
		p = p[j+len(parts[i]):]
	}
	return strings.HasSuffix(p, parts[len(parts)-1])
}
