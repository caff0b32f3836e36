package writegen

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWritesEndTheGeneration(t *testing.T) {
	g := New(time.Hour, filepath.Join(t.TempDir(), "db"))
	gen, idle := g.Current()
	require.True(t, idle)
	require.True(t, g.Unchanged(gen))

	g.BeginWrite()
	_, idle = g.Current()
	require.False(t, idle, "a write in progress: the cache is bypassed")
	require.False(t, g.Unchanged(gen))
	g.EndWrite()

	next, idle := g.Current()
	require.True(t, idle)
	require.NotEqual(t, gen, next, "the write ended the generation")
	require.False(t, g.Unchanged(gen))
	require.True(t, g.Unchanged(next))
}

func TestAnotherProcessesWriteEndsTheGeneration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	require.NoError(t, os.WriteFile(path, []byte("one"), 0o644))
	g := New(time.Hour, path)
	gen, _ := g.Current()
	require.NoError(t, os.WriteFile(path, []byte("longer"), 0o644))
	g.LookNow()
	next, _ := g.Current()
	require.NotEqual(t, gen, next)
}
