package queues_test

import (
	"path/filepath"
	"testing"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/queues/queuestest"
)

func TestMemoryDriver(t *testing.T) {
	queuestest.Run(t, func(testing.TB) queues.Driver { return queues.NewMemoryDriver() })
}

func TestSQLiteDriver(t *testing.T) {
	queuestest.Run(t, func(t testing.TB) queues.Driver {
		d, err := queues.OpenSQLiteDriver(filepath.Join(t.TempDir(), "queues.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestSQLiteMemoryDriver(t *testing.T) {
	queuestest.Run(t, func(t testing.TB) queues.Driver {
		d, err := queues.OpenSQLiteDriver("")
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
