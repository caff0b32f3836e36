package r2

import (
	"bytes"
	"context"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/btree"
)

// memDriver keeps a bucket in memory: records in a B-tree ordered by key, blobs as byte
// slices. A reader holds the slices it opened, so an overwrite or delete never disturbs
// it and the garbage collector frees the bytes when the last reader is done.
type memDriver struct {
	mu      sync.RWMutex
	objects *btree.BTreeG[*Record]
	blobs   map[string][]byte
	uploads map[string]*Upload
	parts   map[string]map[int]*UploadPart
	closed  bool
}

// NewMemoryDriver returns an empty in-memory Driver (also a MultipartDriver). Its data
// lives as long as the driver.
func NewMemoryDriver() Driver {
	return &memDriver{
		objects: btree.NewG(16, func(a, b *Record) bool { return a.Key < b.Key }),
		blobs:   map[string][]byte{},
		uploads: map[string]*Upload{},
		parts:   map[string]map[int]*UploadPart{},
	}
}

type memBlobWriter struct {
	d   *memDriver
	id  string
	buf bytes.Buffer
}

func (w *memBlobWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }
func (w *memBlobWriter) ID() string                  { return w.id }

func (w *memBlobWriter) Close() error {
	w.d.mu.Lock()
	defer w.d.mu.Unlock()
	if w.d.closed {
		return ErrClosed
	}
	w.d.blobs[w.id] = slices.Clip(w.buf.Bytes())
	return nil
}

func (w *memBlobWriter) Abort() {
	w.d.mu.Lock()
	defer w.d.mu.Unlock()
	delete(w.d.blobs, w.id)
}

func (d *memDriver) Create(ctx context.Context) (BlobWriter, error) {
	return &memBlobWriter{d: d, id: NewBlobID()}, nil
}

func (d *memDriver) get(key string) *Record {
	rec, _ := d.objects.Get(&Record{Key: key})
	return rec
}

func (d *memDriver) Stat(ctx context.Context, key string) (*Record, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, ErrClosed
	}
	rec := d.get(key)
	if rec == nil {
		return nil, ErrNoSuchKey
	}
	return cloneRecord(rec), nil
}

func (d *memDriver) Open(ctx context.Context, key string) (*Record, Blob, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, nil, ErrClosed
	}
	rec := d.get(key)
	if rec == nil {
		return nil, nil, ErrNoSuchKey
	}
	chunks := make([][]byte, len(rec.Parts))
	for i, p := range rec.Parts {
		chunks[i] = d.blobs[p.Blob]
	}
	return cloneRecord(rec), memBlob(chunks), nil
}

type memBlob [][]byte

func (m memBlob) Close() error { return nil }

func (m memBlob) Section(off, n int64) io.ReadCloser {
	var rs []io.Reader
	for _, c := range m {
		size := int64(len(c))
		if off >= size {
			off -= size
			continue
		}
		take := min(size-off, n)
		rs = append(rs, bytes.NewReader(c[off:off+take]))
		n -= take
		off = 0
		if n == 0 {
			break
		}
	}
	return io.NopCloser(io.MultiReader(rs...))
}

// free drops rec's blobs; callers hold mu.
func (d *memDriver) free(rec *Record) {
	if rec == nil {
		return
	}
	for _, p := range rec.Parts {
		delete(d.blobs, p.Blob)
	}
}

func (d *memDriver) Put(ctx context.Context, rec *Record, check func(old *Record) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	old := d.get(rec.Key)
	if check != nil {
		if err := check(old); err != nil {
			d.free(rec)
			return err
		}
	}
	d.objects.ReplaceOrInsert(cloneRecord(rec))
	d.free(old)
	return nil
}

func (d *memDriver) Delete(ctx context.Context, keys []string) ([]*Record, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	var removed []*Record
	for _, k := range keys {
		if old, ok := d.objects.Delete(&Record{Key: k}); ok {
			d.free(old)
			removed = append(removed, old)
		}
	}
	return removed, nil
}

func (d *memDriver) Scan(ctx context.Context, q ScanQuery) ([]*Record, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, ErrClosed
	}
	from := max(q.From, q.Prefix)
	var out []*Record
	d.objects.AscendGreaterOrEqual(&Record{Key: from}, func(r *Record) bool {
		if !strings.HasPrefix(r.Key, q.Prefix) {
			return false
		}
		if q.After && r.Key == q.From {
			return true
		}
		out = append(out, cloneRecord(r))
		return len(out) < q.Limit
	})
	return out, nil
}

func (d *memDriver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

func (d *memDriver) CreateUpload(ctx context.Context, u *Upload) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	c := *u
	d.uploads[u.ID] = &c
	return nil
}

// liveUpload returns the upload in progress under key, or nil.
func (d *memDriver) liveUpload(key, id string) *Upload {
	u := d.uploads[id]
	if u == nil || u.Key != key || u.State != UploadInProgress || u.Expired(time.Now()) {
		return nil
	}
	return u
}

func (d *memDriver) PutPart(ctx context.Context, key string, p *UploadPart) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if d.liveUpload(key, p.UploadID) == nil {
		delete(d.blobs, p.Blob)
		return ErrNoSuchUpload
	}
	ps := d.parts[p.UploadID]
	if ps == nil {
		ps = map[int]*UploadPart{}
		d.parts[p.UploadID] = ps
	}
	if old := ps[p.Number]; old != nil {
		delete(d.blobs, old.Blob)
	}
	c := *p
	ps[p.Number] = &c
	return nil
}

func (d *memDriver) CompleteUpload(ctx context.Context, key, id string, build func(*Upload, []*UploadPart) (*Record, error)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	u := d.uploads[id]
	if u == nil || u.Key != key {
		return ErrInternal
	}
	if d.liveUpload(key, id) == nil {
		return ErrNoSuchUpload
	}
	rec, err := build(u, d.sortedParts(id))
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, p := range rec.Parts {
		used[p.Blob] = true
	}
	for _, p := range d.parts[id] {
		if !used[p.Blob] {
			delete(d.blobs, p.Blob)
		}
	}
	delete(d.parts, id)
	old := d.get(key)
	d.objects.ReplaceOrInsert(cloneRecord(rec))
	d.free(old)
	u.State = UploadCompleted
	return nil
}

func (d *memDriver) sortedParts(id string) []*UploadPart {
	var out []*UploadPart
	for _, p := range d.parts[id] {
		c := *p
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *UploadPart) int { return a.Number - b.Number })
	return out
}

func (d *memDriver) AbortUpload(ctx context.Context, key, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	u := d.uploads[id]
	if u == nil || u.Key != key {
		return ErrInternal
	}
	if u.State != UploadInProgress {
		return nil
	}
	for _, p := range d.parts[id] {
		delete(d.blobs, p.Blob)
	}
	delete(d.parts, id)
	u.State = UploadAborted
	return nil
}

func (d *memDriver) Uploads(ctx context.Context, q UploadQuery) ([]*Upload, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, ErrClosed
	}
	now := time.Now()
	var all []*Upload
	for _, u := range d.uploads {
		if u.State == UploadInProgress && !u.Expired(now) && strings.HasPrefix(u.Key, q.Prefix) {
			c := *u
			all = append(all, &c)
		}
	}
	SortUploads(all)
	var out []*Upload
	for _, u := range all {
		if q.HasAfter && !UploadAfter(u, q, d.uploads[q.AfterID]) {
			continue
		}
		out = append(out, u)
		if len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// SortUploads orders uploads by key, then creation time, then id: the order
// MultipartDriver.Uploads returns.
func SortUploads(us []*Upload) {
	slices.SortFunc(us, func(a, b *Upload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// UploadAfter reports whether u comes after q's marker in SortUploads order; marker is
// the upload q.AfterID names, nil when unknown (every upload of q.AfterKey is then
// skipped).
func UploadAfter(u *Upload, q UploadQuery, marker *Upload) bool {
	if u.Key != q.AfterKey {
		return u.Key > q.AfterKey
	}
	if q.AfterID == "" || marker == nil || marker.Key != q.AfterKey {
		return false
	}
	if c := u.Created.Compare(marker.Created); c != 0 {
		return c > 0
	}
	return u.ID > marker.ID
}

func (d *memDriver) Parts(ctx context.Context, key, id string) (*Upload, []*UploadPart, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, nil, ErrClosed
	}
	u := d.liveUpload(key, id)
	if u == nil {
		return nil, nil, ErrNoSuchUpload
	}
	c := *u
	return &c, d.sortedParts(id), nil
}

// cloneRecord copies a record so callers never share a driver's maps or slices.
func cloneRecord(r *Record) *Record {
	c := *r
	c.CustomMetadata = maps.Clone(r.CustomMetadata)
	c.Parts = slices.Clone(r.Parts)
	return &c
}

// BlobCount reports how many blobs the driver holds, for tests that check freeing.
func (d *memDriver) BlobCount() (int, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.blobs), nil
}
