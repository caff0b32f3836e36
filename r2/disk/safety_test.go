package disk_test

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/disk"
)

// Blob files are named by ids, never keys: no key, however crafted, reaches a path
// outside the bucket's directory or names a file after itself.
func TestCraftedKeysStayInsideBucket(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "bucket")
	b, err := disk.OpenBucket(dir, disk.Options{}, r2.Options{Name: "bucket"})
	require.NoError(t, err)
	defer b.Close()
	ctx := context.Background()
	crafted := []string{
		"../escape", "../../../../../../tmp/escape", "/etc/passwd", "/absolute", "a/../../b",
		"..", ".", "./x", "a\x00b", "\x00", "..\\..\\windows", "C:\\evil", "blobs/../index.sqlite",
		"tmp/../../x", "index.sqlite", "%2e%2e/x", strings.Repeat("../", 340), strings.Repeat("é", 500),
	}
	for i, k := range crafted {
		_, err := b.Put(ctx, k, strings.NewReader(k), nil)
		require.NoError(t, err, "key %q", k)
		u, err := b.CreateMultipartUpload(ctx, k+"/mp", nil)
		require.NoError(t, err)
		p, err := u.UploadPart(ctx, 1, strings.NewReader("part"), nil)
		require.NoError(t, err)
		if i%2 == 0 {
			_, err = u.Complete(ctx, []r2.UploadedPart{p})
			require.NoError(t, err)
		}
	}
	for _, k := range crafted {
		obj, err := b.Get(ctx, k, nil)
		require.NoError(t, err, "key %q", k)
		data, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		require.Equal(t, k, string(data))
	}
	_, err = b.Put(ctx, strings.Repeat("x", 1025), strings.NewReader("x"), nil)
	require.ErrorIs(t, err, r2.ErrInvalidObjectName)

	// Nothing was written beside the bucket directory...
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	// ...and inside it every file is the index or a blob named by its id.
	blob := regexp.MustCompile(`^blobs/([0-9a-f]{2})/([0-9a-f]{32})$`)
	err = filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(dir, path)
		if e.IsDir() {
			require.Regexp(t, `^(\.|blobs|tmp|blobs/[0-9a-f]{2})$`, rel)
			return nil
		}
		if strings.HasPrefix(rel, "index.sqlite") {
			return nil
		}
		m := blob.FindStringSubmatch(rel)
		require.NotNil(t, m, "unexpected file %s", rel)
		require.Equal(t, m[1], m[2][:2])
		return nil
	})
	require.NoError(t, err)
	for _, k := range crafted {
		require.NoError(t, b.Delete(ctx, k))
	}
}
