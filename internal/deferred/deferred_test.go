package deferred

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValueWaitsForOpen(t *testing.T) {
	release := make(chan struct{})
	d := Start(func() (int, error) { <-release; return 7, nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.GetContext(ctx)
	require.ErrorIs(t, err, context.Canceled, "not made yet: the context ends the wait")
	close(release)
	v, err := d.Get()
	require.NoError(t, err)
	require.Equal(t, 7, v)
	v, err = d.GetContext(ctx)
	require.NoError(t, err, "made: an ended context does not matter")
	require.Equal(t, 7, v)
}

func TestValueKeepsTheError(t *testing.T) {
	broken := errors.New("broken")
	d := Start(func() (string, error) { return "", broken })
	<-d.Done()
	_, err := d.Get()
	require.ErrorIs(t, err, broken)
	_, err = d.Get()
	require.ErrorIs(t, err, broken)
}

func TestNilValueIsMade(t *testing.T) {
	var d *Value[int]
	require.NoError(t, d.Wait(context.Background()))
}
