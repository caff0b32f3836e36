package deferred

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
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

// Serialised opens run one at a time: while one is open, the other has not started.
func TestSerializedOpensRunOneAtATime(t *testing.T) {
	SerializeOpens()
	release := make(chan struct{})
	var running, most atomic.Int32
	open := func() (int, error) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		running.Add(-1)
		return 0, nil
	}
	a, b := Start(open), Start(open)
	for running.Load() == 0 {
		runtime.Gosched()
	}
	for range 100 {
		runtime.Gosched() // the other open would start now if nothing held it back
	}
	close(release)
	require.NoError(t, a.Wait(context.Background()))
	require.NoError(t, b.Wait(context.Background()))
	require.Equal(t, int32(1), most.Load())
}
