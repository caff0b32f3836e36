package d1sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	"github.com/flarego/flarego/d1/d1test"
)

func TestConformance(t *testing.T) {
	d1test.Run(t, func(t testing.TB) d1.Driver {
		d, err := d1sqlite.Open(filepath.Join(t.TempDir(), "db.sqlite"), d1sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestConformanceDeferred(t *testing.T) {
	d1test.RunDeferred(t, func(t testing.TB) d1.Driver {
		d, err := d1sqlite.Open(filepath.Join(t.TempDir(), "db.sqlite"), d1sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestConformanceInMemory(t *testing.T) {
	d1test.Run(t, func(t testing.TB) d1.Driver {
		d, err := d1sqlite.OpenMemory(d1sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

// Conformance items proven by the tests run here (named without the hyphen in test names):
// D1-001 D1-002 D1-003 D1-004 D1-005 D1-006 D1-007 D1-008 D1-009 D1-010 D1-011 D1-012 D1-013
// D1-014 D1-015 D1-016 D1-017 D1-018 D1-019 D1-020 D1-021 D1-022 D1-023 D1-024 D1-025 D1-026
// D1-029 D1-030 D1-031 D1-032 D1-033 D1-034 D1-035 D1-037 D1-038 D1-046 D1-047
