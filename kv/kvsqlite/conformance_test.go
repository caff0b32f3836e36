package kvsqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvsqlite"
	"github.com/flarego/flarego/kv/kvtest"
)

func TestConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Driver {
		d, err := kvsqlite.Open(filepath.Join(t.TempDir(), "ns.sqlite"), kvsqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestConformanceInMemory(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Driver {
		d, err := kvsqlite.OpenMemory()
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
