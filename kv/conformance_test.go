package kv_test

import (
	"testing"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvtest"
)

func TestMemoryConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Driver { return kv.NewMemoryDriver() })
}

// A Namespace whose driver opens in the background behaves the same once it has.
func TestDeferredConformance(t *testing.T) {
	kvtest.RunDeferred(t, func(t *testing.T) kv.Driver { return kv.NewMemoryDriver() })
}

// Conformance items proven by the tests run here (named without the hyphen in test names):
// KV-001 KV-002 KV-004 KV-005 KV-007 KV-008 KV-009 KV-010 KV-011 KV-012 KV-013 KV-014 KV-015
// KV-016 KV-017 KV-018 KV-019 KV-020 KV-021 KV-023 KV-024 KV-025 KV-026 KV-027 KV-028 KV-029
// KV-030 KV-031 KV-032 KV-033 KV-034 KV-035 KV-036 KV-037 KV-039
