package workflows

import "time"

// Limits of names, ids and sizes.
const (
	// MaxInstanceIDLength is the longest instance id (§12: the platform's 64, not the local
	// engine's 100).
	MaxInstanceIDLength = 64
	// MaxWorkflowNameLength is the longest workflow name.
	MaxWorkflowNameLength = 64
	// MaxStepNameLength is the longest step name, in UTF-16 code units as JavaScript
	// counts (WF-016).
	MaxStepNameLength = 256
	// MaxBatch is the most instances one CreateBatch may create (WF-005).
	MaxBatch = 100
	// MaxPayloadBytes bounds params, event payloads and each step's stored result (WF-023).
	MaxPayloadBytes = 1 << 20
	// MaxSleep is the longest sleep (WF-025).
	MaxSleep = 365 * 24 * time.Hour
	// DefaultEventTimeout is how long WaitForEvent waits by default (WF-027).
	DefaultEventTimeout = 24 * time.Hour
)

// validID reports whether id matches ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$ within max characters.
func validID(id string, max int) bool {
	if id == "" || len(id) > max {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case c == '-' && i > 0:
		default:
			return false
		}
	}
	return true
}

// validStepName applies WF-016: at most 256 UTF-16 code units, no control characters
// 0x00–0x1F.
func validStepName(name string) bool {
	n := 0
	for _, r := range name {
		if r < 0x20 {
			return false
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n <= MaxStepNameLength
}
