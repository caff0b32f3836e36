package disk

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"

	"github.com/flarego/flarego/r2"
)

func (d *Driver) readRecord(ctx context.Context, key string) (*r2.Record, error) {
	rec, err := scanRecord(d.getStmt.QueryRowContext(ctx, []byte(key)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, r2.ErrNoSuchKey
	}
	return rec, err
}

// Stat reads key's record.
func (d *Driver) Stat(ctx context.Context, key string) (*r2.Record, error) {
	if err := d.live(); err != nil {
		return nil, err
	}
	return d.readRecord(ctx, key)
}

// Open reads key's record and pins its blobs in one step, so that they outlive any
// overwrite or delete until the returned handle is released.
func (d *Driver) Open(ctx context.Context, key string) (*r2.Record, r2.Blob, error) {
	if err := d.live(); err != nil {
		return nil, nil, err
	}
	var gen uint64
	cached := false
	if d.cache != nil {
		if gen, cached = d.cache.writes.Current(); cached {
			if rec, data, ok := d.cache.get(key, gen); ok {
				return rec, inlineBlob(data), nil
			}
		}
	}
	var data []byte
	d.gate.RLock()
	rec, err := scanRecord(d.openStmt.QueryRowContext(ctx, []byte(key)), &data)
	if err == nil {
		d.pins.pin(partIDs(rec.Parts))
	}
	d.gate.RUnlock()
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, r2.ErrNoSuchKey
	}
	if err != nil {
		return nil, nil, err
	}
	if len(rec.Parts) == 0 {
		if cached {
			d.cache.put(key, gen, rec, data)
		}
		return rec, inlineBlob(data), nil
	}
	return rec, &blob{d: d, parts: rec.Parts}, nil
}

// inlineBlob is a small object's bytes, read with its record.
type inlineBlob []byte

func (b inlineBlob) Close() error { return nil }

func (b inlineBlob) Section(off, n int64) io.ReadCloser {
	return io.NopCloser(bytes.NewReader(b[off : off+n]))
}

// blob is a pinned object; its Section streams part files one after the other.
type blob struct {
	d     *Driver
	parts []r2.BlobRef
}

func (b *blob) Close() error {
	for _, p := range b.parts {
		b.d.unpin(p.Blob)
	}
	b.parts = nil
	return nil
}

func (b *blob) Section(off, n int64) io.ReadCloser {
	r := &reader{d: b.d}
	for _, p := range b.parts {
		take := int64(0)
		if off < p.Size && n > 0 {
			take = min(p.Size-off, n)
		}
		r.segs = append(r.segs, segment{id: p.Blob, off: off, n: take})
		if off >= p.Size {
			off -= p.Size
		} else {
			off = 0
		}
		n -= take
	}
	b.parts = nil
	return r
}

// segment is the bytes [off, off+n) of one blob; n may be 0 for a blob the range skips,
// which is only unpinned.
type segment struct {
	id     string
	off, n int64
}

// reader streams segments. Its WriteTo hands each file section to the destination's
// ReadFrom as an *io.LimitedReader over an *os.File, which lets net/http send it with
// sendfile(2).
type reader struct {
	d    *Driver
	segs []segment
	cur  *os.File
	left int64
	err  error
}

// next opens the next non-empty segment, unpinning as it goes; io.EOF at the end.
func (r *reader) next() error {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	for len(r.segs) > 0 {
		s := r.segs[0]
		if s.n == 0 {
			r.segs = r.segs[1:]
			r.d.unpin(s.id)
			continue
		}
		f, err := os.Open(r.d.blobPath(s.id))
		if err != nil {
			return err
		}
		if _, err := f.Seek(s.off, io.SeekStart); err != nil {
			f.Close()
			return err
		}
		r.cur, r.left = f, s.n
		return nil
	}
	return io.EOF
}

// finish drops the current segment after it was read.
func (r *reader) finish() {
	s := r.segs[0]
	r.segs = r.segs[1:]
	r.cur.Close()
	r.cur = nil
	r.d.unpin(s.id)
}

func (r *reader) Read(p []byte) (int, error) {
	for {
		if r.err != nil {
			return 0, r.err
		}
		if r.cur == nil {
			if r.err = r.next(); r.err != nil {
				return 0, r.err
			}
		}
		if len(p) == 0 {
			return 0, nil
		}
		k, err := r.cur.Read(p[:min(int64(len(p)), r.left)])
		r.left -= int64(k)
		if r.left == 0 {
			r.finish()
		} else if err == io.EOF {
			r.err = io.ErrUnexpectedEOF
		} else if err != nil {
			r.err = err
		}
		if k > 0 {
			return k, nil
		}
	}
}

func (r *reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if r.err != nil {
			if r.err == io.EOF {
				return total, nil
			}
			return total, r.err
		}
		if r.cur == nil {
			if r.err = r.next(); r.err != nil {
				continue
			}
		}
		lr := &io.LimitedReader{R: r.cur, N: r.left}
		var k int64
		var err error
		if rf, ok := w.(io.ReaderFrom); ok {
			k, err = rf.ReadFrom(lr)
		} else {
			k, err = io.Copy(w, lr)
		}
		total += k
		r.left -= k
		if err != nil {
			r.err = err
			continue
		}
		if r.left > 0 {
			r.err = io.ErrUnexpectedEOF
			continue
		}
		r.finish()
	}
}

// Close releases the files and pins not yet consumed.
func (r *reader) Close() error {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	for _, s := range r.segs {
		r.d.unpin(s.id)
	}
	r.segs = nil
	if r.err == nil {
		r.err = errors.New("r2/disk: read after close")
	}
	return nil
}
