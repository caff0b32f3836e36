package queues_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/queues/queuestest"
	"github.com/stretchr/testify/require"
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

// A store that opens in the background behaves the same once it has.
func TestDeferredSQLiteDriver(t *testing.T) {
	queuestest.Run(t, func(t testing.TB) queues.Driver {
		path := filepath.Join(t.TempDir(), "queues.sqlite")
		return queues.NewDeferredDriver(func() (queues.Driver, error) { return queues.OpenSQLiteDriver(path) })
	})
}

func TestDeferredDriverReportsAFailedOpen(t *testing.T) {
	broken := errors.New("disk on fire")
	d := queues.NewDeferredDriver(func() (queues.Driver, error) { return nil, broken })
	require.ErrorIs(t, d.Send(context.Background(), "q", []queues.Record{{ID: "1", Body: []byte("x")}}), broken)
	_, err := d.Queues(context.Background())
	require.ErrorIs(t, err, broken)
	require.NoError(t, d.Close())
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
