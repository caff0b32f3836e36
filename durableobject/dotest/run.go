package dotest

import (
	"testing"

	"github.com/flarego/flarego/durableobject"
)

// Run runs the conformance suite against drivers made by newDriver, one fresh driver per
// subtest (restart tests reuse theirs across engines).
func Run(t *testing.T, newDriver func(t *testing.T) durableobject.Driver) {
	t.Run("IDs", func(t *testing.T) { testIDs(t, newDriver) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newDriver) })
	t.Run("KV", func(t *testing.T) { testKV(t, newDriver) })
	t.Run("SQL", func(t *testing.T) { testSQL(t, newDriver) })
	t.Run("Alarms", func(t *testing.T) { testAlarms(t, newDriver) })
	t.Run("WebSockets", func(t *testing.T) { testWebSockets(t, newDriver) })
	t.Run("Lifecycle", func(t *testing.T) { testLifecycle(t, newDriver) })
}
