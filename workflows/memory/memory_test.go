package memory_test

import (
	"testing"

	"github.com/flarego/flarego/workflows/driver"
	"github.com/flarego/flarego/workflows/memory"
	"github.com/flarego/flarego/workflows/workflowstest"
)

func TestConformance(t *testing.T) {
	workflowstest.Run(t, func(testing.TB) driver.Driver { return memory.New() })
}
