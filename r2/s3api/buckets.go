package s3api

import (
	"errors"
	"net/http"

	"github.com/flarego/flarego/r2"
)

func (h *Handler) owner() owner { return owner{ID: h.opts.AccountID, DisplayName: h.opts.AccountID} }

func (h *Handler) listBuckets(req *request) {
	infos, err := h.buckets.List(req.r.Context())
	if err != nil {
		writeError(req.w, req.r, fromR2(err))
		return
	}
	res := listAllMyBucketsResult{Xmlns: xmlns, Owner: h.owner(), Buckets: []bucketInfo{}}
	for _, b := range infos {
		res.Buckets = append(res.Buckets, bucketInfo{Name: b.Name, CreationDate: s3Time(b.Created)})
	}
	writeXML(req.w, http.StatusOK, res)
}

func (h *Handler) createBucket(req *request) *Error {
	c, ok := h.buckets.(BucketCreator)
	if !ok {
		return notImplemented("CreateBucket not implemented")
	}
	if _, err := c.Create(req.r.Context(), req.bucket); err != nil {
		switch {
		case errors.Is(err, r2.ErrBucketExists):
			return errBucketExists
		case errors.Is(err, r2.ErrInvalidBucketName):
			return errInvalidBucket
		}
		return fromR2(err)
	}
	req.w.Header().Set("Location", "/"+req.bucket)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteBucket(req *request) *Error {
	d, ok := h.buckets.(BucketDeleter)
	if !ok {
		return notImplemented("DeleteBucket not implemented")
	}
	if err := d.DeleteBucket(req.r.Context(), req.bucket); err != nil {
		if errors.Is(err, r2.ErrBucketNotEmpty) {
			return errBucketNotEmpty
		}
		return fromR2(err)
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}
