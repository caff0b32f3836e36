package kv_test

import (
	"context"
	"errors"
	"testing"

	"github.com/flarego/flarego/kv"
	"github.com/stretchr/testify/require"
)

func TestDeferredNamespaceWaitsForItsDriver(t *testing.T) {
	release := make(chan struct{})
	ns := kv.NewDeferred(func() (kv.Driver, error) { <-release; return kv.NewMemoryDriver(), nil }, kv.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ns.Get(ctx, "k")
	require.ErrorIs(t, err, context.Canceled, "still opening: the caller's context ends the wait")

	put := make(chan error, 1)
	go func() { put <- ns.PutString(context.Background(), "k", "v") }()
	close(release)
	require.NoError(t, <-put)
	v, err := ns.GetText(context.Background(), "k")
	require.NoError(t, err)
	require.Equal(t, "v", v)
	require.NotNil(t, ns.Driver())
	require.NoError(t, ns.Close())
}

func TestDeferredNamespaceReportsAFailedOpen(t *testing.T) {
	broken := errors.New("disk on fire")
	ns := kv.NewDeferred(func() (kv.Driver, error) { return nil, broken }, kv.Options{})
	_, err := ns.Get(context.Background(), "k")
	require.ErrorIs(t, err, broken)
	require.ErrorIs(t, ns.PutString(context.Background(), "k", "v"), broken)
	require.Nil(t, ns.Driver())
	require.NoError(t, ns.Close())
}
