package filechange_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flarego/flarego/internal/filechange"
	"github.com/stretchr/testify/require"
)

// past is a modification time well behind the clock, so that looks trust what they see.
var past = time.Now().Add(-time.Hour).Truncate(time.Second).Add(123456789)

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	require.NoError(t, os.Chtimes(path, past, past))
}

func TestCheckSeesSizeTimeAndIdentity(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	write(t, a, "one")
	w := filechange.New(time.Hour, a, b)
	require.False(t, w.Check(), "nothing changed")

	write(t, a, "one!") // size
	require.True(t, w.Check())
	require.False(t, w.Check())

	require.NoError(t, os.Chtimes(a, past.Add(time.Second), past.Add(time.Second))) // time
	require.True(t, w.Check())
	require.False(t, w.Check())

	write(t, b, "new") // a file that appears
	require.True(t, w.Check())
	require.False(t, w.Check())

	// Another file of the same size and time renamed over it: only the identity differs.
	c := filepath.Join(dir, "c")
	write(t, c, "two!")
	require.NoError(t, os.Rename(c, a))
	require.True(t, w.Check())
	require.False(t, w.Check())

	require.NoError(t, os.Remove(b)) // a file that goes
	require.True(t, w.Check())
	require.False(t, w.Check())
}

// A file modified just before a look may change again within the same clock tick without
// its time moving: the next look reports a change whatever it sees.
func TestRecentWritesAreNotTrusted(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	write(t, a, "x")
	w := filechange.New(time.Hour, a)
	// Same size, and a time the clock has not left behind (the future: however slow the
	// test runs).
	require.NoError(t, os.WriteFile(a, []byte("y"), 0o644))
	soon := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(a, soon, soon))
	require.True(t, w.Check())
	require.True(t, w.Check(), "seen modified within a tick of the last look")
	require.NoError(t, os.Chtimes(a, past, past))
	require.True(t, w.Check())
	require.False(t, w.Check())
}

func TestPollWaitsForTheInterval(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	write(t, a, "x")
	w := filechange.New(time.Hour, a)
	write(t, a, "xy")
	require.False(t, w.Poll(), "not due yet: no look")
	require.True(t, w.Check())

	w = filechange.New(0, a)
	write(t, a, "xyz")
	require.True(t, w.Poll(), "due at every call")
	require.False(t, w.Poll())
}
