package r2cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/r2cli"
)

func run(t *testing.T, store *r2.Store, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := r2cli.Run(context.Background(), store, args, r2cli.IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	return out.String(), err
}

func TestObjectCommands(t *testing.T) {
	store := r2.NewMemoryStore(r2.Options{})
	defer store.Close()
	_, err := run(t, store, "", "bucket", "create", "photos")
	require.NoError(t, err)
	out, err := run(t, store, "", "bucket", "list")
	require.NoError(t, err)
	require.Contains(t, out, "name:          photos")

	_, err = run(t, store, "meow", "object", "put", "photos/cats/a.txt", "--pipe", "--content-type", "text/plain", "--cache-control", "no-store")
	require.NoError(t, err)
	src := filepath.Join(t.TempDir(), "b.txt")
	require.NoError(t, os.WriteFile(src, []byte("from a file"), 0o644))
	_, err = run(t, store, "", "object", "put", "--file", src, "photos/cats/b.txt")
	require.NoError(t, err)

	out, err = run(t, store, "", "object", "get", "photos/cats/a.txt", "--pipe")
	require.NoError(t, err)
	require.Equal(t, "meow", out)
	dest := filepath.Join(t.TempDir(), "out.txt")
	_, err = run(t, store, "", "object", "get", "photos/cats/b.txt", "--file", dest)
	require.NoError(t, err)
	data, _ := os.ReadFile(dest)
	require.Equal(t, "from a file", string(data))

	out, err = run(t, store, "", "object", "head", "photos/cats/a.txt")
	require.NoError(t, err)
	require.Contains(t, out, `"contentType": "text/plain"`)
	require.Contains(t, out, `"cacheControl": "no-store"`)

	out, err = run(t, store, "", "object", "list", "photos", "--delimiter", "/")
	require.NoError(t, err)
	require.Contains(t, out, "cats/")
	out, err = run(t, store, "", "object", "list", "photos", "--prefix", "cats/")
	require.NoError(t, err)
	require.Contains(t, out, "cats/a.txt")
	require.Contains(t, out, "cats/b.txt")

	_, err = run(t, store, "", "object", "delete", "photos/cats/a.txt")
	require.NoError(t, err)
	_, err = run(t, store, "", "object", "get", "photos/cats/a.txt", "--pipe")
	require.ErrorIs(t, err, r2.ErrNotFound)

	_, err = run(t, store, "", "bucket", "delete", "photos")
	require.ErrorIs(t, err, r2.ErrBucketNotEmpty)
	_, err = run(t, store, "", "object", "put", "photos/x", "--pipe", "--file", src)
	require.ErrorIs(t, err, r2cli.ErrUsage)
	_, err = run(t, store, "", "object", "get", "nobucket/x", "--pipe")
	require.ErrorIs(t, err, r2.ErrNoSuchBucket)
	_, err = run(t, store, "", "frobnicate", "now")
	require.ErrorIs(t, err, r2cli.ErrUsage)
}
