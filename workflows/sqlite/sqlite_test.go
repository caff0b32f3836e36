package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/flarego/flarego/workflows/driver"
	"github.com/flarego/flarego/workflows/sqlite"
	"github.com/flarego/flarego/workflows/workflowstest"
)

func TestConformance(t *testing.T) {
	workflowstest.Run(t, func(t testing.TB) driver.Driver {
		d, err := sqlite.Open(filepath.Join(t.TempDir(), "wf.sqlite"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestConformanceInMemory(t *testing.T) {
	workflowstest.Run(t, func(t testing.TB) driver.Driver {
		d, err := sqlite.Open("", sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
