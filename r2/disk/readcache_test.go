package disk_test

import (
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/disk"
	"github.com/stretchr/testify/require"
)

func openBucket(t *testing.T, dir string) (*r2.Bucket, *disk.Driver) {
	t.Helper()
	d, err := disk.Open(dir, disk.Options{})
	require.NoError(t, err)
	b := r2.New(d, r2.Options{Name: "b"})
	t.Cleanup(func() { b.Close() })
	return b, d
}

func put(t *testing.T, b *r2.Bucket, key, value string) {
	t.Helper()
	_, err := b.Put(context.Background(), key, strings.NewReader(value), nil)
	require.NoError(t, err)
}

// A cached small object is replaced or removed by this process's writes at once.
func TestReadCacheSeesOwnWritesAtOnce(t *testing.T) {
	b, _ := openBucket(t, t.TempDir())
	put(t, b, "k", "one")
	require.Equal(t, "one", read(t, b, "k"))
	require.Equal(t, "one", read(t, b, "k")) // from the cache
	put(t, b, "k", "two")
	require.Equal(t, "two", read(t, b, "k"))
	require.NoError(t, b.Delete(context.Background(), "k"))
	_, err := b.Get(context.Background(), "k", nil)
	require.ErrorIs(t, err, r2.ErrNotFound)
}

// Another process's writes (here another driver on the same folder) are seen once the
// cache looks at the index files, which it does by itself every 100 ms.
func TestReadCacheSeesOtherProcessesWrites(t *testing.T) {
	dir := t.TempDir()
	mine, d := openBucket(t, dir)
	other, _ := openBucket(t, dir)
	put(t, mine, "k", "mine")
	require.Equal(t, "mine", read(t, mine, "k"))
	put(t, other, "k", "theirs")
	d.LookAtFiles()
	require.Equal(t, "theirs", read(t, mine, "k"))
}

// What a read hands out is a copy: changing it does not change the next read.
func TestReadCacheHandsOutCopies(t *testing.T) {
	b, _ := openBucket(t, t.TempDir())
	_, err := b.Put(context.Background(), "k", strings.NewReader("value"), &r2.PutOptions{CustomMetadata: map[string]string{"a": "1"}})
	require.NoError(t, err)
	for range 2 {
		obj, err := b.Get(context.Background(), "k", nil)
		require.NoError(t, err)
		require.Equal(t, "1", obj.CustomMetadata["a"])
		obj.CustomMetadata["a"] = "changed"
		buf := make([]byte, 5)
		_, err = io.ReadFull(obj.Body, buf)
		require.NoError(t, err)
		copy(buf, "XXXXX")
		obj.Body.Close()
	}
	require.Equal(t, "value", read(t, b, "k"))
}

// Readers never see a value older than one whose write completed before they began, nor
// go backwards, while a writer overwrites the object.
func TestReadCacheNeverGoesBackwards(t *testing.T) {
	b, _ := openBucket(t, t.TempDir())
	put(t, b, "k", "0")
	var done atomic.Int64 // the last value whose Put returned
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := int64(0)
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := done.Load()
				v, err := strconv.ParseInt(read(t, b, "k"), 10, 64)
				if err != nil {
					t.Error(err)
					return
				}
				if v < floor || v < last {
					t.Errorf("read %d after %d was written and %d was read", v, floor, last)
					return
				}
				last = v
			}
		}()
	}
	for i := int64(1); i <= 300; i++ {
		put(t, b, "k", strconv.FormatInt(i, 10))
		done.Store(i)
	}
	close(stop)
	wg.Wait()
}
