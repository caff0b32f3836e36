package d1_test

import (
	"context"
	"errors"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	"github.com/stretchr/testify/require"
)

func TestDeferredDatabaseWaitsForItsDriver(t *testing.T) {
	release := make(chan struct{})
	db := d1.NewDeferred(func() (d1.Driver, error) {
		<-release
		return d1sqlite.OpenMemory(d1sqlite.Options{})
	})
	done := make(chan error, 1)
	go func() {
		_, err := db.Exec(context.Background(), "CREATE TABLE t (v INTEGER)")
		done <- err
	}()
	close(release)
	require.NoError(t, <-done)
	v, err := db.Prepare("SELECT count(*) FROM t").FirstColumn(context.Background(), "count(*)")
	require.NoError(t, err)
	require.EqualValues(t, 0, v)
	require.NoError(t, db.Close())
}

func TestDeferredDatabaseReportsAFailedOpen(t *testing.T) {
	broken := errors.New("disk on fire")
	db := d1.NewDeferred(func() (d1.Driver, error) { return nil, broken })
	_, err := db.Prepare("SELECT 1").All(context.Background())
	require.ErrorIs(t, err, broken)
	_, err = db.SQL()
	require.ErrorIs(t, err, broken)
	require.Nil(t, db.Driver())
	require.NoError(t, db.Close())
}
