package r2_test

import (
	"testing"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/r2test"
)

func TestMemoryDriver(t *testing.T) {
	r2test.Run(t, func(t testing.TB) r2.Driver { return r2.NewMemoryDriver() })
}

// A bucket whose storage opens in the background behaves the same once it has.
func TestDeferredBucket(t *testing.T) {
	r2test.RunDeferred(t, func(t testing.TB) r2.Driver { return r2.NewMemoryDriver() })
}

// Conformance items proven by the tests run here (named without the hyphen in test names):
// R2-001 R2-002 R2-003 R2-004 R2-005 R2-006 R2-007 R2-008 R2-009 R2-010 R2-011 R2-012 R2-013
// R2-014 R2-015 R2-016 R2-017 R2-018 R2-019 R2-020 R2-021 R2-022 R2-023 R2-024 R2-025 R2-026
// R2-027 R2-028 R2-029 R2-030 R2-031 R2-032 R2-033 R2-034 R2-035 R2-036 R2-037 R2-038 R2-039
// R2-040 R2-041 R2-042 R2-043 R2-045 R2-046 R2-047 R2-048 R2-049 R2-050 R2-051 R2-052 R2-053
// R2-054 R2-056 R2-057 R2-058 R2-059
