package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/flarego/flarego/r2"
)

// noSuchUpload maps the binding's "unknown upload" (an internal error there, R2-055)
// onto S3's 404 NoSuchUpload.
func noSuchUpload(err error) *Error {
	if errors.Is(err, r2.ErrInternal) {
		return errNoSuchUpload
	}
	return fromR2(err)
}

func (h *Handler) createUpload(req *request) *Error {
	r := req.r
	opts, err := putOptions(r)
	if err != nil {
		return err
	}
	u, cerr := req.b.CreateMultipartUpload(r.Context(), req.key, &r2.MultipartOptions{
		HTTPMetadata: opts.HTTPMetadata, CustomMetadata: opts.CustomMetadata, StorageClass: opts.StorageClass})
	if cerr != nil {
		return fromR2(cerr)
	}
	writeXML(req.w, http.StatusOK, initiateMultipartUploadResult{Xmlns: xmlns, Bucket: req.bucket, Key: req.key, UploadID: u.UploadID})
	return nil
}

func partNumber(v string) (int, *Error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > r2.MaxParts {
		return 0, invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
	}
	return n, nil
}

func (h *Handler) uploadPart(req *request) *Error {
	r := req.r
	n, err := partNumber(req.query.Get("partNumber"))
	if err != nil {
		return err
	}
	var opts *r2.UploadPartOptions
	if v := r.Header.Get("Content-MD5"); v != "" {
		o, err := putOptions(r)
		if err != nil {
			return err
		}
		opts = &r2.UploadPartOptions{MD5: o.MD5}
	}
	rd, err := body(r, req.a)
	if err != nil {
		return err
	}
	u := req.b.ResumeMultipartUpload(req.key, req.query.Get("uploadId"))
	p, perr := u.UploadPart(r.Context(), n, rd, opts)
	if perr != nil {
		return fromR2(perr)
	}
	req.w.Header().Set("ETag", `"`+p.ETag+`"`)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// uploadPartCopy copies (a range of) an object into a part.
func (h *Handler) uploadPartCopy(req *request) *Error {
	r := req.r
	n, err := partNumber(req.query.Get("partNumber"))
	if err != nil {
		return err
	}
	sb, sk, err := copySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	src, lerr := h.buckets.Lookup(r.Context(), sb)
	if lerr != nil {
		return fromR2(lerr)
	}
	opts := &r2.GetOptions{OnlyIfHeaders: copyConditions(r.Header)}
	if v := r.Header.Get("X-Amz-Copy-Source-Range"); v != "" {
		if opts.Range, err = parseRange(v); err != nil {
			return err
		}
	}
	obj, gerr := src.Get(r.Context(), sk, opts)
	if gerr != nil {
		return fromR2(gerr)
	}
	defer obj.Body.Close()
	u := req.b.ResumeMultipartUpload(req.key, req.query.Get("uploadId"))
	p, perr := u.UploadPart(r.Context(), n, obj.Body, nil)
	if perr != nil {
		return fromR2(perr)
	}
	writeXML(req.w, http.StatusOK, copyResult{XMLName: xmlName("CopyPartResult"), Xmlns: xmlns,
		LastModified: s3Time(obj.Uploaded), ETag: `"` + p.ETag + `"`})
	return nil
}

func (h *Handler) completeUpload(req *request) *Error {
	data, err := readXMLBody(req)
	if err != nil {
		return err
	}
	var doc completeMultipartUpload
	if xml.Unmarshal(data, &doc) != nil {
		return errMalformedXML
	}
	parts := make([]r2.UploadedPart, 0, len(doc.Parts))
	for i, p := range doc.Parts {
		if i > 0 && p.PartNumber <= doc.Parts[i-1].PartNumber {
			return errInvalidPartOrder
		}
		parts = append(parts, r2.UploadedPart{PartNumber: p.PartNumber, ETag: strings.Trim(p.ETag, `"`)})
	}
	u := req.b.ResumeMultipartUpload(req.key, req.query.Get("uploadId"))
	obj, cerr := u.Complete(req.r.Context(), parts)
	if cerr != nil {
		return noSuchUpload(cerr)
	}
	writeXML(req.w, http.StatusOK, completeMultipartUploadResult{Xmlns: xmlns,
		Location: "/" + req.bucket + "/" + req.key, Bucket: req.bucket, Key: req.key, ETag: obj.HTTPETag})
	return nil
}

func (h *Handler) abortUpload(req *request) *Error {
	u := req.b.ResumeMultipartUpload(req.key, req.query.Get("uploadId"))
	if err := u.Abort(req.r.Context()); err != nil {
		return noSuchUpload(err)
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listParts(req *request) *Error {
	q := req.query
	limit, err := maxKeys(q, "max-parts")
	if err != nil {
		return err
	}
	marker := 0
	if v := q.Get("part-number-marker"); v != "" {
		if marker, err = partNumberMarker(v); err != nil {
			return err
		}
	}
	u := req.b.ResumeMultipartUpload(req.key, q.Get("uploadId"))
	parts, lerr := u.ListParts(req.r.Context())
	if lerr != nil {
		return noSuchUpload(lerr)
	}
	out := listPartsResult{Xmlns: xmlns, Bucket: req.bucket, Key: req.key, UploadID: u.UploadID,
		Initiator: h.owner(), Owner: h.owner(), StorageClass: "STANDARD", PartNumberMarker: marker, MaxParts: limit}
	for _, p := range parts {
		if p.PartNumber <= marker {
			continue
		}
		if len(out.Parts) == limit {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, partInfo{PartNumber: p.PartNumber, LastModified: s3Time(p.Uploaded), ETag: `"` + p.ETag + `"`, Size: p.Size})
		out.NextPartNumberMarker = p.PartNumber
	}
	writeXML(req.w, http.StatusOK, out)
	return nil
}

func partNumberMarker(v string) (int, *Error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidArgument("Provided part-number-marker not an integer or within integer range")
	}
	return n, nil
}

func (h *Handler) listUploads(req *request) *Error {
	q := req.query
	e, err := listEncoder(q)
	if err != nil {
		return err
	}
	limit, err := maxKeys(q, "max-uploads")
	if err != nil {
		return err
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	out := listMultipartUploadsResult{Xmlns: xmlns, Bucket: req.bucket, KeyMarker: e.enc(q.Get("key-marker")),
		UploadIDMarker: q.Get("upload-id-marker"), Prefix: e.enc(prefix), Delimiter: e.enc(delim),
		MaxUploads: limit, EncodingType: e.typ()}
	if limit > 0 {
		ups, truncated, lerr := req.b.ListMultipartUploads(req.r.Context(), &r2.ListUploadsOptions{
			Prefix: prefix, KeyMarker: q.Get("key-marker"), UploadIDMarker: q.Get("upload-id-marker"), Limit: limit})
		if lerr != nil {
			return fromR2(lerr)
		}
		seen := map[string]bool{}
		for _, u := range ups {
			if delim != "" {
				if i := strings.Index(u.Key[len(prefix):], delim); i >= 0 {
					cp := u.Key[:len(prefix)+i+len(delim)]
					if !seen[cp] {
						seen[cp] = true
						out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: e.enc(cp)})
					}
					continue
				}
			}
			class := "STANDARD"
			if u.StorageClass == r2.StorageInfrequentAccess {
				class = "STANDARD_IA"
			}
			out.Uploads = append(out.Uploads, uploadInfo{Key: e.enc(u.Key), UploadID: u.UploadID,
				Initiator: h.owner(), Owner: h.owner(), StorageClass: class, Initiated: s3Time(u.Initiated)})
		}
		out.IsTruncated = truncated
		if truncated && len(ups) > 0 {
			last := ups[len(ups)-1]
			out.NextKeyMarker, out.NextUploadIDMarker = e.enc(last.Key), last.UploadID
		}
	}
	writeXML(req.w, http.StatusOK, out)
	return nil
}

// deleteObjects is DeleteObjects (R2-066): every key, missing ones included, is reported
// under Deleted whatever Quiet says; Quiet must be a literal true or false; an empty list
// or more than 1,000 keys is MalformedXML.
func (h *Handler) deleteObjects(req *request) *Error {
	data, err := readXMLBody(req)
	if err != nil {
		return err
	}
	var doc deleteRequest
	if xml.Unmarshal(data, &doc) != nil {
		return errMalformedXML
	}
	if doc.Quiet != nil && *doc.Quiet != "true" && *doc.Quiet != "false" {
		return errMalformedXML
	}
	if len(doc.Objects) == 0 || len(doc.Objects) > r2.MaxListLimit {
		return errMalformedXML
	}
	out := deleteResult{Xmlns: xmlns}
	var keys []string
	for _, o := range doc.Objects {
		if len(o.Key) > r2.MaxKeyLength {
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: "InvalidObjectName", Message: r2.ErrInvalidObjectName.Message})
			continue
		}
		keys = append(keys, o.Key)
	}
	if len(keys) > 0 {
		if err := req.b.Delete(req.r.Context(), keys...); err != nil {
			return fromR2(err)
		}
	}
	for _, k := range keys {
		out.Deleted = append(out.Deleted, deletedObject{Key: k})
	}
	writeXML(req.w, http.StatusOK, out)
	return nil
}
