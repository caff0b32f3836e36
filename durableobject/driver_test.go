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
