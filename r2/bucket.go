package r2

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"maps"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/internal/deferred"
	"github.com/flarego/flarego/worker"
)

// Options configure a Bucket. The zero value is the platform's production behaviour.
type Options struct {
	// Name is the bucket's name, reported in event notifications.
	Name string
	// AccountID is reported in event notifications; empty means a fixed local id.
	AccountID string
	// MetadataLimit caps custom metadata in bytes; 0 means MetadataLimit (8,192, the
	// documented figure, R2-015); negative means no cap.
	MetadataLimit int
	// MiniflareMetadataRule measures metadata the way the local simulator does (UTF-16
	// units, doubled for wide strings); pair it with MiniflareMetadataLimit to match its
	// 2,048 cap.
	MiniflareMetadataRule bool
	// DefaultStorageClass applies when a write names none; empty means StorageStandard.
	DefaultStorageClass string
	// MinPartSize is the smallest non-final multipart part; 0 means MinPartSize (5 MiB).
	// Tests lower it to exercise multipart with small parts.
	MinPartSize int64
	// MaxUploadSize caps a single upload (a Put or one part); 0 means MaxPutSize, the
	// platform's limit (R2-043).
	MaxUploadSize int64
	// Logger receives notification delivery failures; nil discards them.
	Logger *slog.Logger
}

// DefaultAccountID is the account reported in event notifications when Options.AccountID
// is empty.
const DefaultAccountID = "0000000000000000000000000000000f"

// Bucket is an R2 bucket binding: the platform's R2Bucket over a Driver. It is safe for
// concurrent use. The zero value is not usable; get one from New, NewMemory or a Store.
type Bucket struct {
	d Driver
	// later, when not nil, is d still opening (NewDeferred): d is set before later is done,
	// and every use of d waits for it.
	later  *deferred.Value[Driver]
	opts   Options
	events atomic.Pointer[notifications]
	closed atomic.Bool
}

// New returns a bucket over d.
func New(d Driver, opts Options) *Bucket {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.AccountID == "" {
		opts.AccountID = DefaultAccountID
	}
	return &Bucket{d: d, opts: opts}
}

// NewDeferred returns a bucket at once and runs open in the background: the runner serves
// while a bucket's storage opens. Operations wait for open to finish; if it failed, they
// return its error.
func NewDeferred(open func() (Driver, error), opts Options) *Bucket {
	b := New(nil, opts)
	b.later = deferred.Start(func() (Driver, error) {
		d, err := open()
		if err != nil {
			return nil, err
		}
		b.d = d
		return d, nil
	})
	return b
}

// NewMemory returns a ready, empty bucket held in memory, for unit tests and
// struct-literal Envs.
func NewMemory() *Bucket { return New(NewMemoryDriver(), Options{Name: "memory"}) }

// Name is the bucket's name from Options.
func (b *Bucket) Name() string { return b.opts.Name }

// Driver returns the bucket's storage. It waits for a deferred open, and is nil when that
// failed.
func (b *Bucket) Driver() Driver {
	if b.later.Wait(context.Background()) != nil {
		return nil
	}
	return b.d
}

// Close closes the bucket's driver. Later operations fail with ErrClosed. A bucket from a
// Store is closed by Store.Close.
func (b *Bucket) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	if b.later.Wait(context.Background()) != nil {
		return nil // nothing was opened
	}
	return b.d.Close()
}

// begin is the prologue of every operation: the subrequest budget (W-016) and the key.
func (b *Bucket) begin(ctx context.Context, op, key string) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if err := worker.Subrequest(ctx); err != nil {
		return err
	}
	if err := b.later.Wait(ctx); err != nil {
		return err
	}
	return checkKey(op, key)
}

// Head returns key's metadata, or an error matching ErrNotFound (R2-001, R2-010).
func (b *Bucket) Head(ctx context.Context, key string) (*Object, error) {
	if err := b.begin(ctx, "head", key); err != nil {
		return nil, err
	}
	rec, err := b.d.Stat(ctx, key)
	if err != nil {
		return nil, withOp(err, "head")
	}
	o := objectFromRecord(rec, true, true)
	o.Range = &ByteRange{Length: rec.Size}
	return o, nil
}

// Get returns key's object with its bytes, or an error matching ErrNotFound (R2-001,
// R2-009). opts may select a range (R2-019..R2-022) and a condition: when the condition
// fails Get returns the object's metadata with a nil Body together with an error
// matching ErrPreconditionFailed (R2-023). The caller closes Body.
func (b *Bucket) Get(ctx context.Context, key string, opts *GetOptions) (*ObjectBody, error) {
	if err := b.begin(ctx, "get", key); err != nil {
		return nil, err
	}
	return b.get(ctx, key, opts)
}

func (b *Bucket) get(ctx context.Context, key string, opts *GetOptions) (*ObjectBody, error) {
	if opts == nil {
		opts = &GetOptions{}
	}
	if err := checkSSEC(opts.SSECKey); err != nil {
		return nil, err
	}
	if err := checkRange(opts.Range); err != nil {
		return nil, err
	}
	cond, err := buildCondition(opts.OnlyIf, opts.OnlyIfHeaders)
	if err != nil {
		return nil, err
	}
	rec, blob, err := b.d.Open(ctx, key)
	if err != nil {
		return nil, withOp(err, "get")
	}
	o := objectFromRecord(rec, true, true)
	if !cond.passes(rec.ETag, rec.Uploaded, true) {
		blob.Close()
		o.Range = &ByteRange{Length: rec.Size}
		return &ObjectBody{Object: *o}, withOp(ErrPreconditionFailed, "get")
	}
	off, n, _, err := resolveRange(opts.Range, opts.RangeHeader, rec.Size)
	if err != nil {
		blob.Close()
		return nil, withOp(err, "get")
	}
	o.Range = &ByteRange{Offset: off, Length: n}
	return &ObjectBody{Object: *o, Body: blob.Section(off, n)}, nil
}

// Put stores body under key, replacing any object there (R2-005, R2-028), and returns the
// new object once it is durable. body is streamed to storage, never held whole in
// memory; nil stores an empty object. A failed OnlyIf writes nothing and returns an
// error matching ErrPreconditionFailed (R2-024). A body longer than MaxPutSize fails with
// ErrEntityTooLarge (R2-043); a checksum mismatch with ErrBadDigest (R2-016); an error
// reading body is returned wrapped and nothing is written.
func (b *Bucket) Put(ctx context.Context, key string, body io.Reader, opts *PutOptions) (*Object, error) {
	if err := b.begin(ctx, "put", key); err != nil {
		return nil, err
	}
	return b.put(ctx, key, body, opts)
}

func (b *Bucket) put(ctx context.Context, key string, body io.Reader, opts *PutOptions) (*Object, error) {
	if opts == nil {
		opts = &PutOptions{}
	}
	cond, err := buildCondition(opts.OnlyIf, opts.OnlyIfHeaders)
	if err != nil {
		return nil, err
	}
	want, err := requestedDigest(opts)
	if err != nil {
		return nil, err
	}
	if err := checkSSEC(opts.SSECKey); err != nil {
		return nil, err
	}
	class, err := b.storageClass(opts.StorageClass)
	if err != nil {
		return nil, err
	}
	if err := b.checkMetadata("put", opts.CustomMetadata); err != nil {
		return nil, err
	}
	// A condition that already fails spares streaming the body; it is checked again
	// atomically with the write.
	if cond != nil {
		old, err := b.d.Stat(ctx, key)
		if err != nil && !errors.Is(err, ErrNoSuchKey) {
			return nil, withOp(err, "put")
		}
		if cond.check(old) != nil {
			return nil, withOp(ErrPreconditionFailed, "put")
		}
	}

	parts, size, md5sum, checks, err := b.ingestBlob(ctx, "put", body, want)
	if err != nil {
		return nil, err
	}
	rec := &Record{
		Key:            key,
		Version:        NewVersion(),
		Size:           size,
		ETag:           hex.EncodeToString(md5sum),
		Uploaded:       now(),
		CustomMetadata: maps.Clone(opts.CustomMetadata),
		Checksums:      checks,
		StorageClass:   class,
		Parts:          parts,
	}
	if opts.HTTPMetadata != nil {
		rec.HTTPMetadata = *opts.HTTPMetadata
	}
	var check func(*Record) error
	if cond != nil {
		check = cond.check
	}
	if err := b.d.Put(ctx, rec, check); err != nil {
		return nil, withOp(err, "put")
	}
	action := opts.action
	if action == "" {
		action = ActionPutObject
	}
	b.notify(ctx, action, rec, opts.copySource)
	return objectFromRecord(rec, true, true), nil
}

// ingestBlob streams body into a new blob, verifying want. An empty body makes no blob.
func (b *Bucket) ingestBlob(ctx context.Context, op string, body io.Reader, want *wantedDigest) (parts []BlobRef, size int64, md5sum []byte, sums Checksums, err error) {
	w, err := b.d.Create(ctx)
	if err != nil {
		return nil, 0, nil, sums, withOp(err, op)
	}
	var hsh hash.Hash
	if want != nil && want.alg != algMD5 {
		hsh = want.alg.new()
	}
	limit := b.opts.MaxUploadSize
	if limit <= 0 {
		limit = MaxPutSize
	}
	n, sum, err := ingest(w, body, limit, hsh)
	if err != nil {
		w.Abort()
		if errors.Is(err, ErrEntityTooLarge) {
			return nil, 0, nil, sums, withOp(ErrEntityTooLarge, op)
		}
		return nil, 0, nil, sums, fmt.Errorf("%s: %w", op, err)
	}
	if err := w.Close(); err != nil {
		w.Abort()
		return nil, 0, nil, sums, fmt.Errorf("%s: storing body: %w", op, err)
	}
	sums.MD5 = hex.EncodeToString(sum)
	if want != nil {
		got := sum
		if want.alg != algMD5 {
			got = hsh.Sum(nil)
		}
		if !bytes.Equal(got, want.want) {
			w.Abort()
			name := want.alg.name()
			return nil, 0, nil, sums, &Error{Op: op, Code: ErrBadDigest.Code, Status: 400,
				Message: "The " + name + " checksum you specified did not match what we received.\n" +
					"You provided a " + name + " checksum with value: " + hex.EncodeToString(want.want) + "\n" +
					"Actual " + name + " was: " + hex.EncodeToString(got)}
		}
		want.alg.set(&sums, got)
	}
	if n == 0 {
		w.Abort()
		return nil, 0, sum, sums, nil
	}
	return []BlobRef{{Blob: w.ID(), Size: n}}, n, sum, sums, nil
}

// Delete removes keys; missing keys are skipped without error, and one invalid key fails
// the whole call before anything is removed (R2-030).
func (b *Bucket) Delete(ctx context.Context, keys ...string) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if err := worker.Subrequest(ctx); err != nil {
		return err
	}
	if err := b.later.Wait(ctx); err != nil {
		return err
	}
	for _, k := range keys {
		if err := checkKey("delete", k); err != nil {
			return err
		}
	}
	if len(keys) == 0 {
		return nil
	}
	removed, err := b.d.Delete(ctx, keys)
	if err != nil {
		return withOp(err, "delete")
	}
	for _, rec := range removed {
		b.notify(ctx, ActionDeleteObject, rec, nil)
	}
	return nil
}

// now is the upload time of a write, at the platform's millisecond precision.
func now() time.Time { return time.UnixMilli(time.Now().UnixMilli()) }

func objectFromRecord(rec *Record, withHTTP, withCustom bool) *Object {
	o := &Object{
		Key:          rec.Key,
		Version:      rec.Version,
		Size:         rec.Size,
		ETag:         rec.ETag,
		HTTPETag:     `"` + rec.ETag + `"`,
		Uploaded:     rec.Uploaded,
		Checksums:    rec.Checksums,
		StorageClass: rec.StorageClass,
	}
	if o.StorageClass == "" {
		o.StorageClass = StorageStandard
	}
	if withHTTP {
		m := rec.HTTPMetadata
		o.HTTPMetadata = &m
	}
	if withCustom {
		o.CustomMetadata = maps.Clone(rec.CustomMetadata)
		if o.CustomMetadata == nil {
			o.CustomMetadata = map[string]string{}
		}
	}
	return o
}
