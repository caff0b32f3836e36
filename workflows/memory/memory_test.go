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

// Conformance items proven by the tests run here (named without the hyphen in test names):
// WF-001 WF-002 WF-003 WF-004 WF-005 WF-006 WF-007 WF-008 WF-009 WF-010 WF-011 WF-012 WF-013
// WF-014 WF-015 WF-016 WF-017 WF-018 WF-019 WF-020 WF-021 WF-022 WF-023 WF-024 WF-025 WF-026
// WF-027 WF-028 WF-029 WF-031 WF-032 WF-033
