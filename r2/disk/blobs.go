package disk

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"github.com/flarego/flarego/r2"
)

// validBlobID accepts only the ids r2.NewBlobID makes: 32 lowercase hex characters. Paths
// are built from nothing else.
func validBlobID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// blobPath is where a committed blob lives: blobs/<first two hex>/<id>.
func (d *Driver) blobPath(id string) string {
	return filepath.Join(d.dir, blobsDir, id[:2], id)
}

func (d *Driver) tmpPath(id string) string { return filepath.Join(d.dir, tmpDir, id) }

// blobWriter collects a blob. Up to the inline limit it stays in a pooled buffer (a small
// object then lives in its index row); past it the blob goes to a file in tmp/ that
// Close moves into blobs/, so a blob file in blobs/ is always complete.
type blobWriter struct {
	d      *Driver
	id     string
	buf    *[]byte
	f      *os.File
	closed bool
}

var inlineBufs = sync.Pool{New: func() any { b := make([]byte, 0, DefaultInlineLimit); return &b }}

func putInlineBuf(b *[]byte) {
	if cap(*b) <= DefaultInlineLimit {
		*b = (*b)[:0]
		inlineBufs.Put(b)
	}
}

// Create starts a blob.
func (d *Driver) Create(ctx context.Context) (r2.BlobWriter, error) {
	if err := d.live(); err != nil {
		return nil, err
	}
	w := &blobWriter{d: d, id: r2.NewBlobID()}
	if d.inlineLimit > 0 {
		w.buf = inlineBufs.Get().(*[]byte)
	}
	return w, nil
}

func (w *blobWriter) ID() string { return w.id }

func (w *blobWriter) Write(p []byte) (int, error) {
	if w.f == nil && w.buf != nil && len(*w.buf)+len(p) <= w.d.inlineLimit {
		*w.buf = append(*w.buf, p...)
		return len(p), nil
	}
	if w.f == nil {
		if err := w.spill(); err != nil {
			return 0, err
		}
	}
	return w.f.Write(p)
}

// spill moves the buffered bytes into a file in tmp/.
func (w *blobWriter) spill() error {
	f, err := os.OpenFile(w.d.tmpPath(w.id), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	w.f = f
	if w.buf != nil {
		_, err = f.Write(*w.buf)
		putInlineBuf(w.buf)
		w.buf = nil
	}
	return err
}

func (w *blobWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.f == nil && w.buf != nil {
		w.d.inline.Store(w.id, w.buf)
		w.buf = nil
		return nil
	}
	if w.f == nil {
		if err := w.spill(); err != nil {
			return err
		}
	}
	return w.d.finishFile(w.id, w.f)
}

// finishFile closes a blob's temp file and moves it into blobs/.
func (d *Driver) finishFile(id string, f *os.File) error {
	if d.opts.Sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	shard := filepath.Join(d.dir, blobsDir, id[:2])
	if _, ok := d.shards.Load(shard); !ok {
		if err := os.MkdirAll(shard, 0o755); err != nil {
			return err
		}
		d.shards.Store(shard, true)
	}
	if err := os.Rename(d.tmpPath(id), d.blobPath(id)); err != nil {
		return err
	}
	if d.opts.Sync {
		return syncDir(shard)
	}
	return nil
}

func (w *blobWriter) Abort() {
	if w.f != nil && !w.closed {
		w.f.Close()
	}
	w.closed = true
	if w.buf != nil {
		putInlineBuf(w.buf)
		w.buf = nil
	}
	w.d.discard(w.id)
	os.Remove(w.d.tmpPath(w.id))
}

// takeInline claims a small blob for its index row.
func (d *Driver) takeInline(id string) (*[]byte, bool) {
	v, ok := d.inline.LoadAndDelete(id)
	if !ok {
		return nil, false
	}
	return v.(*[]byte), true
}

// materialize writes a small blob to a file, for the uses that need one.
func (d *Driver) materialize(id string) error {
	buf, ok := d.takeInline(id)
	if !ok {
		return nil
	}
	defer putInlineBuf(buf)
	f, err := os.OpenFile(d.tmpPath(id), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(*buf); err != nil {
		f.Close()
		os.Remove(d.tmpPath(id))
		return err
	}
	return d.finishFile(id, f)
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// discard drops blobs that were written but whose commit failed.
func (d *Driver) discard(ids ...string) {
	for _, id := range ids {
		if buf, ok := d.takeInline(id); ok {
			putInlineBuf(buf)
			continue
		}
		if validBlobID(id) {
			os.Remove(d.blobPath(id))
		}
	}
}

func partIDs(parts []r2.BlobRef) []string {
	ids := make([]string, 0, len(parts))
	for _, p := range parts {
		ids = append(ids, p.Blob)
	}
	return ids
}

// BlobCount counts the blob files in the bucket's directory: a diagnostic, and what the
// conformance suite uses to check that overwrites and deletes free space.
func (d *Driver) BlobCount() (int, error) {
	n := 0
	shards, err := os.ReadDir(filepath.Join(d.dir, blobsDir))
	if err != nil {
		return 0, err
	}
	for _, s := range shards {
		files, err := os.ReadDir(filepath.Join(d.dir, blobsDir, s.Name()))
		if err != nil {
			return 0, err
		}
		n += len(files)
	}
	return n, nil
}
