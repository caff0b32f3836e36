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

func TestConformanceInMemory(t *testing.T) {
	d1test.Run(t, func(t testing.TB) d1.Driver {
		d, err := d1sqlite.OpenMemory(d1sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
