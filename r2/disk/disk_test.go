package disk_test

import (
	"testing"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/disk"
	"github.com/flarego/flarego/r2/r2test"
)

func newDriver(t testing.TB) r2.Driver {
	d, err := disk.Open(t.TempDir(), disk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDiskDriver(t *testing.T) {
	r2test.Run(t, newDriver)
}

// Every object in a file of its own, so that the suite's freeing checks see files.
func TestDiskDriverWithoutInline(t *testing.T) {
	r2test.Run(t, func(t testing.TB) r2.Driver {
		d, err := disk.Open(t.TempDir(), disk.Options{InlineLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
