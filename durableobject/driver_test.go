package durableobject_test

import (
	"testing"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/durableobject/dotest"
)

// The conformance suite proves, against each driver, DO-001 to DO-050, DO-052 and DO-054 to
// DO-077 (subtests are named after the items); DO-051 and DO-053 do not apply (see the package
// documentation).

func TestMemoryDriver(t *testing.T) {
	dotest.Run(t, func(t *testing.T) durableobject.Driver { return durableobject.MemoryDriver() })
}

func TestDirDriver(t *testing.T) {
	dotest.Run(t, func(t *testing.T) durableobject.Driver { return durableobject.DirDriver(t.TempDir()) })
}

// Conformance items proven by the tests run here (named without the hyphen in test names):
// DO-002 DO-003 DO-004 DO-005 DO-006 DO-007 DO-008 DO-009 DO-010 DO-011 DO-012 DO-013 DO-014
// DO-015 DO-016 DO-017 DO-019 DO-020 DO-021 DO-022 DO-023 DO-024 DO-025 DO-026 DO-027 DO-028
// DO-029 DO-030 DO-031 DO-032 DO-033 DO-034 DO-035 DO-036 DO-037 DO-038 DO-039 DO-040 DO-041
// DO-042 DO-043 DO-044 DO-045 DO-046 DO-047 DO-048 DO-049 DO-055 DO-056 DO-057 DO-058 DO-059
// DO-060 DO-061 DO-062 DO-063 DO-064 DO-065 DO-066 DO-067 DO-068 DO-069 DO-070 DO-072 DO-073
// DO-074 DO-075 DO-076
