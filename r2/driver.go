package r2

import (
	"context"
	"io"
	"time"
)

// Driver stores one bucket's objects. *Bucket does every check the platform makes
// (keys, sizes, checksums, conditions, ranges, list grouping, multipart rules) and calls
// a Driver only to store and fetch; a driver is a plain, concurrency-safe store.
//
// Bytes travel as blobs: Create gives a BlobWriter, the caller writes and closes it, and
// the blob becomes reachable only when a Put (or MultipartDriver.PutPart) that names it
// commits. Until then a crash or an error leaves nothing visible.
type Driver interface {
	// Create starts a new, unreachable blob.
	Create(ctx context.Context) (BlobWriter, error)
	// Stat returns key's record, or ErrNoSuchKey.
	Stat(ctx context.Context, key string) (*Record, error)
	// Open returns key's record and a handle on its bytes, consistent with each other:
	// the bytes stay readable through the handle even if the key is overwritten or
	// deleted meanwhile. ErrNoSuchKey when missing.
	Open(ctx context.Context, key string) (*Record, Blob, error)
	// Put stores rec (its Parts written through Create and closed), replacing any record
	// of the same key and freeing the replaced record's blobs. check, when not nil, runs
	// atomically with the write on the current record (nil when there is none); its
	// error aborts the write and is returned. On any error Put discards rec's blobs.
	Put(ctx context.Context, rec *Record, check func(old *Record) error) error
	// Delete removes the records of keys that exist, frees their blobs and returns the
	// removed records.
	Delete(ctx context.Context, keys []string) ([]*Record, error)
	// Scan returns up to limit records in byte order of key, all starting with q.Prefix and
	// at or after q.From (strictly after when q.After).
	Scan(ctx context.Context, q ScanQuery) ([]*Record, error)
	// Close releases the storage; blocks until writes in progress have ended.
	Close() error
}

// MultipartDriver is the optional interface of drivers that hold multipart uploads. A
// driver without it makes the multipart methods fail.
type MultipartDriver interface {
	// CreateUpload records a new upload in progress.
	CreateUpload(ctx context.Context, u *Upload) error
	// PutPart stores a part (its blob written through Create and closed), replacing and
	// freeing any part with the same number. ErrNoSuchUpload when the upload is not in
	// progress under key; the part's blob is then discarded.
	PutPart(ctx context.Context, key string, p *UploadPart) error
	// CompleteUpload turns an upload into an object, atomically: build gets the upload
	// and its parts, and returns the record to store (its Parts taken from the upload's)
	// or an error that aborts. Parts the record does not use are freed; the upload is
	// marked completed. A missing upload is ErrInternal, a finished one ErrNoSuchUpload.
	CompleteUpload(ctx context.Context, key, uploadID string, build func(u *Upload, parts []*UploadPart) (*Record, error)) error
	// AbortUpload frees an upload's parts and marks it aborted. A missing upload is
	// ErrInternal; a finished one is left alone without error.
	AbortUpload(ctx context.Context, key, uploadID string) error
	// Uploads lists uploads in progress in order of key then creation, starting with
	// prefix, after (key, uploadID) when from is given; up to limit.
	Uploads(ctx context.Context, q UploadQuery) ([]*Upload, error)
	// Parts returns an upload and its parts in order of part number. ErrNoSuchUpload when
	// it is not in progress under key.
	Parts(ctx context.Context, key, uploadID string) (*Upload, []*UploadPart, error)
}

// BlobWriter receives a new blob's bytes.
type BlobWriter interface {
	io.Writer
	// ID names the blob in Record.Parts and UploadPart.Blob.
	ID() string
	// Close finishes writing; the blob is still unreachable until committed.
	Close() error
	// Abort discards a blob that was not committed, whether closed or not.
	Abort()
}

// Blob is a read handle on an object's bytes, from Driver.Open.
type Blob interface {
	// Section returns the bytes [off, off+n) and hands the handle over to the reader:
	// closing the reader releases it. Call it at most once.
	Section(off, n int64) io.ReadCloser
	// Close releases a handle no Section was taken from.
	Close() error
}

// Record is what a driver stores for an object.
type Record struct {
	Key            string
	Version        string
	Size           int64
	ETag           string
	Uploaded       time.Time
	HTTPMetadata   HTTPMetadata
	CustomMetadata map[string]string
	Checksums      Checksums
	StorageClass   string
	// Parts are the blobs holding the bytes, in order: one for a Put, one per part for a
	// completed multipart upload, none for an empty multipart object.
	Parts []BlobRef
}

// BlobRef names one blob of an object and its length.
type BlobRef struct {
	Blob string `json:"b"`
	Size int64  `json:"s"`
}

// ScanQuery selects records for Driver.Scan.
type ScanQuery struct {
	Prefix string
	From   string
	After  bool
	Limit  int
}

// UploadState says where a multipart upload stands.
type UploadState int

// Upload states.
const (
	UploadInProgress UploadState = iota
	UploadCompleted
	UploadAborted
)

// Upload is a driver's record of a multipart upload.
type Upload struct {
	ID             string
	Key            string
	State          UploadState
	Created        time.Time
	HTTPMetadata   HTTPMetadata
	CustomMetadata map[string]string
	StorageClass   string
}

// UploadPart is one stored part of an upload.
type UploadPart struct {
	UploadID string
	Number   int
	Blob     string
	Size     int64
	// ETag is the opaque etag returned to the caller (R2-047).
	ETag string
	// MD5 is the hex MD5 of the part's bytes, for the completed object's etag.
	MD5      string
	Uploaded time.Time
}

// UploadQuery selects uploads for MultipartDriver.Uploads.
type UploadQuery struct {
	Prefix string
	// AfterKey and AfterID continue a listing: uploads after (AfterKey, AfterID) in
	// (key, creation) order. An empty AfterID skips every upload of AfterKey.
	AfterKey, AfterID string
	HasAfter          bool
	Limit             int
}

// UploadExpiry is how long an upload may stay in progress before it counts as aborted
// (R2-059). Drivers treat older uploads as aborted and may free their parts.
const UploadExpiry = 7 * 24 * time.Hour

// Expired reports whether u has outlived UploadExpiry at now.
func (u *Upload) Expired(now time.Time) bool {
	return u.State == UploadInProgress && now.Sub(u.Created) > UploadExpiry
}
