package r2

import (
	"context"
	"maps"
	"net/http"
)

// CopyOptions tune Copy. A nil value copies the source's metadata unconditionally.
type CopyOptions struct {
	// OnlyIf and OnlyIfHeaders are conditions on the source; when they fail Copy returns
	// an error matching ErrPreconditionFailed and writes nothing.
	OnlyIf        *Conditional
	OnlyIfHeaders http.Header
	// ReplaceMetadata stores HTTPMetadata and CustomMetadata instead of the source's.
	ReplaceMetadata bool
	HTTPMetadata    *HTTPMetadata
	CustomMetadata  map[string]string
	// StorageClass of the copy; empty means the bucket's default.
	StorageClass string
}

// Copy writes a copy of src's object srcKey under key in b, streaming the bytes, and
// reports it to notifications as a CopyObject with its source. It is a Go addition the
// S3 API's CopyObject uses; it counts as one subrequest. src may be b.
func (b *Bucket) Copy(ctx context.Context, key string, src *Bucket, srcKey string, opts *CopyOptions) (*Object, error) {
	if err := b.begin(ctx, "copy", key); err != nil {
		return nil, err
	}
	if err := checkKey("copy", srcKey); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &CopyOptions{}
	}
	from, err := src.get(ctx, srcKey, &GetOptions{OnlyIf: opts.OnlyIf, OnlyIfHeaders: opts.OnlyIfHeaders})
	if err != nil {
		return nil, withOp(err, "copy")
	}
	defer from.Body.Close()
	po := &PutOptions{
		StorageClass: opts.StorageClass,
		action:       ActionCopyObject,
		copySource:   &CopySource{Bucket: src.opts.Name, Object: srcKey},
	}
	if opts.ReplaceMetadata {
		po.HTTPMetadata, po.CustomMetadata = opts.HTTPMetadata, opts.CustomMetadata
	} else {
		po.HTTPMetadata, po.CustomMetadata = from.HTTPMetadata, maps.Clone(from.CustomMetadata)
	}
	return b.put(ctx, key, from.Body, po)
}
