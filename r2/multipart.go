package r2

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/flarego/flarego/worker"
)

// MultipartUpload is a handle on a multipart upload (R2-045, R2-046).
type MultipartUpload struct {
	// Key is the object the upload completes into.
	Key string
	// UploadID identifies the upload.
	UploadID string
	b        *Bucket
}

// UploadedPart identifies a stored part, for Complete.
type UploadedPart struct {
	PartNumber int    `json:"partNumber"`
	ETag       string `json:"etag"`
}

// UploadPartOptions tune UploadPart. A nil value checks nothing.
type UploadPartOptions struct {
	// MD5 is the part's expected MD5 as hex; a mismatch fails with ErrBadDigest. The S3
	// API's Content-MD5 arrives here.
	MD5 string
	// SSECKey is checked for shape only, as in PutOptions.
	SSECKey string
}

// PartInfo describes a stored part, for ListParts.
type PartInfo struct {
	PartNumber int
	ETag       string
	Size       int64
	Uploaded   time.Time
}

func (b *Bucket) multipart() (MultipartDriver, error) {
	if err := b.later.Wait(context.Background()); err != nil {
		return nil, err
	}
	m, ok := b.d.(MultipartDriver)
	if !ok {
		return nil, errMultipartUnsupported
	}
	return m, nil
}

// CreateMultipartUpload starts an upload for key; each call makes a new upload, even for
// the same key (R2-045). opts' metadata becomes the completed object's.
func (b *Bucket) CreateMultipartUpload(ctx context.Context, key string, opts *MultipartOptions) (*MultipartUpload, error) {
	const op = "createMultipartUpload"
	if err := b.begin(ctx, op, key); err != nil {
		return nil, err
	}
	m, err := b.multipart()
	if err != nil {
		return nil, withOp(err, op)
	}
	if opts == nil {
		opts = &MultipartOptions{}
	}
	if err := checkSSEC(opts.SSECKey); err != nil {
		return nil, err
	}
	class, err := b.storageClass(opts.StorageClass)
	if err != nil {
		return nil, err
	}
	if err := b.checkMetadata(op, opts.CustomMetadata); err != nil {
		return nil, err
	}
	u := &Upload{
		ID:             newUploadID(),
		Key:            key,
		Created:        now(),
		CustomMetadata: maps.Clone(opts.CustomMetadata),
		StorageClass:   class,
	}
	if opts.HTTPMetadata != nil {
		u.HTTPMetadata = *opts.HTTPMetadata
	}
	if err := m.CreateUpload(ctx, u); err != nil {
		return nil, withOp(err, op)
	}
	return &MultipartUpload{Key: key, UploadID: u.ID, b: b}, nil
}

// ResumeMultipartUpload returns a handle on an existing upload without checking that it
// exists (R2-046); the next operation on it does.
func (b *Bucket) ResumeMultipartUpload(key, uploadID string) *MultipartUpload {
	return &MultipartUpload{Key: key, UploadID: uploadID, b: b}
}

// UploadPart stores body as part number n (1 to 10,000), replacing an earlier part with
// that number (R2-047, R2-048). The returned etag is opaque. An upload that is not in
// progress under this key fails with ErrNoSuchUpload (R2-049).
func (u *MultipartUpload) UploadPart(ctx context.Context, n int, body io.Reader, opts *UploadPartOptions) (UploadedPart, error) {
	const op = "uploadPart"
	b := u.b
	if err := b.begin(ctx, op, u.Key); err != nil {
		return UploadedPart{}, err
	}
	m, err := b.multipart()
	if err != nil {
		return UploadedPart{}, withOp(err, op)
	}
	if n < 1 || n > MaxParts {
		return UploadedPart{}, typeError("Part number must be between 1 and 10000 (inclusive). Actual value was: " + strconv.Itoa(n))
	}
	var want *wantedDigest
	if opts != nil {
		if err := checkSSEC(opts.SSECKey); err != nil {
			return UploadedPart{}, err
		}
		if want, err = requestedDigest(&PutOptions{MD5: opts.MD5}); err != nil {
			return UploadedPart{}, err
		}
	}
	parts, size, sum, _, err := b.ingestBlob(ctx, op, body, want)
	if err != nil {
		return UploadedPart{}, err
	}
	p := &UploadPart{
		UploadID: u.UploadID,
		Number:   n,
		Size:     size,
		ETag:     newPartETag(),
		MD5:      hex.EncodeToString(sum),
		Uploaded: now(),
	}
	if len(parts) == 1 {
		p.Blob = parts[0].Blob
	}
	if err := m.PutPart(ctx, u.Key, p); err != nil {
		return UploadedPart{}, withOp(err, op)
	}
	return UploadedPart{PartNumber: n, ETag: p.ETag}, nil
}

// Abort deletes the upload's parts (R2-050). Aborting again, or after Complete, succeeds
// and leaves a completed object alone; an unknown upload fails with ErrInternal.
func (u *MultipartUpload) Abort(ctx context.Context) error {
	const op = "abortMultipartUpload"
	b := u.b
	if err := b.begin(ctx, op, u.Key); err != nil {
		return err
	}
	m, err := b.multipart()
	if err != nil {
		return withOp(err, op)
	}
	return withOp(m.AbortUpload(ctx, u.Key, u.UploadID), op)
}

// Complete assembles the listed parts, in part-number order whatever the order given,
// into the object (R2-051..R2-056), replacing any object under the key. The object's
// etag is the MD5 of the parts' binary MD5s, "-", and the part count.
func (u *MultipartUpload) Complete(ctx context.Context, parts []UploadedPart) (*Object, error) {
	const op = "completeMultipartUpload"
	b := u.b
	if err := b.begin(ctx, op, u.Key); err != nil {
		return nil, err
	}
	m, err := b.multipart()
	if err != nil {
		return nil, withOp(err, op)
	}
	minPart := b.opts.MinPartSize
	if minPart == 0 {
		minPart = MinPartSize
	}
	var rec *Record
	err = m.CompleteUpload(ctx, u.Key, u.UploadID, func(up *Upload, stored []*UploadPart) (*Record, error) {
		r, err := assemble(up, stored, parts, minPart)
		rec = r
		return r, err
	})
	if err != nil {
		return nil, withOp(err, op)
	}
	b.notify(ctx, ActionCompleteMultipartUpload, rec, nil)
	return objectFromRecord(rec, true, true), nil
}

// assemble checks the caller's part list against the stored parts with the platform's
// rules and builds the completed object's record.
func assemble(up *Upload, stored []*UploadPart, given []UploadedPart, minPart int64) (*Record, error) {
	byNumber := make(map[int]*UploadPart, len(stored))
	for _, p := range stored {
		byNumber[p.Number] = p
	}
	seen := make(map[int]bool, len(given))
	for _, g := range given {
		if seen[g.PartNumber] {
			return nil, ErrInternal
		}
		seen[g.PartNumber] = true
	}
	chosen := make([]*UploadPart, len(given))
	for i, g := range given {
		p := byNumber[g.PartNumber]
		if p == nil || p.ETag != g.ETag {
			return nil, ErrInvalidPart
		}
		chosen[i] = p
	}
	// In the caller's order first, for the friendlier error (R2-052)...
	for _, p := range chosen[:max(len(chosen)-1, 0)] {
		if p.Size < minPart {
			return nil, ErrEntityTooSmall
		}
	}
	// ...then in part order: equal non-final parts, a final part no larger (R2-053).
	slices.SortFunc(chosen, func(a, b *UploadPart) int { return a.Number - b.Number })
	if len(chosen) > 1 {
		size := chosen[0].Size
		for _, p := range chosen[:len(chosen)-1] {
			if p.Size < minPart || p.Size != size {
				return nil, ErrBadUpload
			}
		}
		if chosen[len(chosen)-1].Size > size {
			return nil, ErrBadUpload
		}
	}
	h := md5.New()
	rec := &Record{
		Key:            up.Key,
		Version:        NewVersion(),
		Uploaded:       now(),
		HTTPMetadata:   up.HTTPMetadata,
		CustomMetadata: up.CustomMetadata,
		StorageClass:   up.StorageClass,
	}
	for _, p := range chosen {
		sum, err := hex.DecodeString(p.MD5)
		if err != nil {
			return nil, ErrInternal
		}
		h.Write(sum)
		rec.Size += p.Size
		if p.Size > 0 {
			rec.Parts = append(rec.Parts, BlobRef{Blob: p.Blob, Size: p.Size})
		}
	}
	rec.ETag = hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(chosen))
	return rec, nil
}

// ListParts returns the upload's stored parts in part-number order; a Go addition the S3
// API's ListParts uses. ErrNoSuchUpload when the upload is not in progress.
func (u *MultipartUpload) ListParts(ctx context.Context) ([]PartInfo, error) {
	const op = "listParts"
	b := u.b
	if err := b.begin(ctx, op, u.Key); err != nil {
		return nil, err
	}
	m, err := b.multipart()
	if err != nil {
		return nil, withOp(err, op)
	}
	_, parts, err := m.Parts(ctx, u.Key, u.UploadID)
	if err != nil {
		return nil, withOp(err, op)
	}
	out := make([]PartInfo, len(parts))
	for i, p := range parts {
		out[i] = PartInfo{PartNumber: p.Number, ETag: p.ETag, Size: p.Size, Uploaded: p.Uploaded}
	}
	return out, nil
}

// UploadInfo describes an upload in progress, for ListMultipartUploads.
type UploadInfo struct {
	Key          string
	UploadID     string
	Initiated    time.Time
	StorageClass string
}

// ListUploadsOptions tune ListMultipartUploads.
type ListUploadsOptions struct {
	// Prefix restricts the listing to keys starting with it.
	Prefix string
	// KeyMarker and UploadIDMarker continue a listing after that upload; a KeyMarker
	// alone skips every upload of that key.
	KeyMarker, UploadIDMarker string
	// Limit is the most uploads returned; 0 means 1,000.
	Limit int
}

// ListMultipartUploads lists uploads in progress by key, then initiation time; a Go
// addition the S3 API's ListMultipartUploads uses. truncated says more follow.
func (b *Bucket) ListMultipartUploads(ctx context.Context, opts *ListUploadsOptions) (uploads []UploadInfo, truncated bool, err error) {
	const op = "listMultipartUploads"
	if b.closed.Load() {
		return nil, false, ErrClosed
	}
	if err := worker.Subrequest(ctx); err != nil {
		return nil, false, err
	}
	m, err := b.multipart()
	if err != nil {
		return nil, false, withOp(err, op)
	}
	if opts == nil {
		opts = &ListUploadsOptions{}
	}
	limit := opts.Limit
	if limit <= 0 || limit > MaxListLimit {
		limit = MaxListLimit
	}
	q := UploadQuery{Prefix: opts.Prefix, Limit: limit + 1}
	if opts.KeyMarker != "" || opts.UploadIDMarker != "" {
		q.AfterKey, q.AfterID, q.HasAfter = opts.KeyMarker, opts.UploadIDMarker, true
	}
	ups, err := m.Uploads(ctx, q)
	if err != nil {
		return nil, false, withOp(err, op)
	}
	if len(ups) > limit {
		ups, truncated = ups[:limit], true
	}
	for _, u := range ups {
		uploads = append(uploads, UploadInfo{Key: u.Key, UploadID: u.ID, Initiated: u.Created, StorageClass: u.StorageClass})
	}
	return uploads, truncated, nil
}
