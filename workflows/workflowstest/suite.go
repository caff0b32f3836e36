package workflowstest

import (
	"testing"

	"github.com/flarego/flarego/workflows/driver"
)

// NewDriver returns a new, empty driver. The suite calls it inside synctest bubbles, so the
// driver must create its goroutines and channels when called, not before. The suite closes
// every driver it gets.
type NewDriver func(t testing.TB) driver.Driver

// Run runs the conformance suite against the drivers newDriver makes.
func Run(t *testing.T, newDriver NewDriver) {
	t.Run("Driver", func(t *testing.T) { runDriver(t, newDriver) })
	t.Run("Engine", func(t *testing.T) { runEngine(t, newDriver) })
}

type namedTest struct {
	name string
	fn   func(t *testing.T, nd NewDriver)
}
