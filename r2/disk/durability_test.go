package disk_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/disk"
)

func read(t *testing.T, b *r2.Bucket, key string) string {
	t.Helper()
	obj, err := b.Get(context.Background(), key, nil)
	require.NoError(t, err)
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	require.NoError(t, err)
	return string(data)
}

// data survives a restart with the same directory.
func TestReopen_X001(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, err := disk.OpenBucket(dir, disk.Options{}, r2.Options{Name: "b", MinPartSize: 1})
	require.NoError(t, err)
	_, err = b.Put(ctx, "k", strings.NewReader("kept"), &r2.PutOptions{
		HTTPMetadata: &r2.HTTPMetadata{ContentType: "text/plain"}, CustomMetadata: map[string]string{"a": "1"}})
	require.NoError(t, err)
	u, err := b.CreateMultipartUpload(ctx, "mp", nil)
	require.NoError(t, err)
	p1, err := u.UploadPart(ctx, 1, strings.NewReader("one"), nil)
	require.NoError(t, err)
	require.NoError(t, b.Close())

	b, err = disk.OpenBucket(dir, disk.Options{Sync: true}, r2.Options{Name: "b", MinPartSize: 1})
	require.NoError(t, err)
	defer b.Close()
	require.Equal(t, "kept", read(t, b, "k"))
	head, err := b.Head(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "text/plain", head.HTTPMetadata.ContentType)
	require.Equal(t, map[string]string{"a": "1"}, head.CustomMetadata)
	u = b.ResumeMultipartUpload("mp", u.UploadID)
	p2, err := u.UploadPart(ctx, 2, strings.NewReader("two"), nil)
	require.NoError(t, err)
	_, err = u.Complete(ctx, []r2.UploadedPart{p1, p2})
	require.NoError(t, err)
	require.Equal(t, "onetwo", read(t, b, "mp"))
}

// The crash helper runs in a child process: it stores "old", then starts overwriting it
// with a body that never ends, and waits to be killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv("R2_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestCrashMidPut")
	}
	b, err := disk.OpenBucket(dir, disk.Options{}, r2.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = b.Put(ctx, "k", strings.NewReader("old"), nil)
	require.NoError(t, err)
	pr, pw := io.Pipe()
	go func() {
		pw.Write(make([]byte, 4<<20))
		fmt.Println("streaming")
		select {}
	}()
	b.Put(ctx, "k", pr, nil)
	t.Fatal("the put cannot finish")
}

// A process killed in the middle of a put leaves the previous object whole and no half
// object visible; the sweep later removes the partial file.
func TestCrashMidPut(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "R2_CRASH_DIR="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(out)
	for lines.Scan() && lines.Text() != "streaming" {
	}
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()

	tmp, err := os.ReadDir(filepath.Join(dir, "tmp"))
	require.NoError(t, err)
	require.Len(t, tmp, 1, "the interrupted blob is still in tmp/")
	d, err := disk.Open(dir, disk.Options{})
	require.NoError(t, err)
	b := r2.New(d, r2.Options{})
	require.Equal(t, "old", read(t, b, "k"))
	page, err := b.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	require.NoError(t, b.Close())

	// Files untouched since before the sweep's grace period are leftovers.
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "tmp", tmp[0].Name()), old, old))
	orphan := filepath.Join(dir, "blobs", "ab", "ab"+strings.Repeat("0", 30))
	require.NoError(t, os.MkdirAll(filepath.Dir(orphan), 0o755))
	require.NoError(t, os.WriteFile(orphan, []byte("orphan"), 0o644))
	require.NoError(t, os.Chtimes(orphan, old, old))
	d, err = disk.Open(dir, disk.Options{})
	require.NoError(t, err)
	d.WaitSweep()
	tmp, err = os.ReadDir(filepath.Join(dir, "tmp"))
	require.NoError(t, err)
	require.Empty(t, tmp)
	require.NoFileExists(t, orphan)
	n, err := d.BlobCount()
	require.NoError(t, err)
	require.Equal(t, 0, n, "the live object is small enough to live in the index")
	require.Equal(t, "old", read(t, r2.New(d, r2.Options{}), "k"))
	require.NoError(t, d.Close())
}
