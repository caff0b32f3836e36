package kvsqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvsqlite"
	"github.com/stretchr/testify/require"
)

// A hot key is served from memory; this handle's own writes are visible at once (KV-036:
// read-your-writes), another handle's writes within the cache's check interval.
func TestReadCacheSeesOwnWritesAtOnceAndOthersSoon_KV036(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, err := kvsqlite.OpenNamespace(dir, "ns", kv.Options{})
	require.NoError(t, err)
	defer a.Close()
	b, err := kvsqlite.OpenNamespace(dir, "ns", kv.Options{})
	require.NoError(t, err)
	defer b.Close()

	require.NoError(t, a.PutString(ctx, "k", "one"))
	v, _ := a.GetText(ctx, "k")
	require.Equal(t, "one", v)
	v, _ = a.GetText(ctx, "k") // cached now
	require.Equal(t, "one", v)
	require.NoError(t, a.PutString(ctx, "k", "two"))
	v, _ = a.GetText(ctx, "k")
	require.Equal(t, "two", v, "own write visible at once")

	got, _ := a.Get(ctx, "k")
	got[0] = 'X' // the caller owns the returned bytes; the cache keeps its copy
	v, _ = a.GetText(ctx, "k")
	require.Equal(t, "two", v)

	require.NoError(t, b.PutString(ctx, "k", "three"))
	require.Eventually(t, func() bool {
		v, _ := a.GetText(ctx, "k")
		return v == "three"
	}, 5*time.Second, 10*time.Millisecond, "another handle's write becomes visible")
}
