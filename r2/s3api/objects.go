package s3api

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flarego/flarego/r2"
)

var errRangeSyntax = invalidArgument("Range header must be of the form 'bytes=start-end', 'bytes=start-' or 'bytes=-suffix'.'")

// parseRange reads a single-range header the way R2's endpoint does (R2-068): malformed
// or inverted ranges are 400 here; a start past the end or an empty suffix is the
// binding's 416 once the size is known.
func parseRange(h string) (*r2.Range, *Error) {
	if h == "" {
		return nil, nil
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil, errRangeSyntax
	}
	first, last, ok := strings.Cut(spec, "-")
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	num := func(s string) (int64, bool) {
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return 0, false
		}
		v, err := strconv.ParseInt(s, 10, 64)
		return v, err == nil
	}
	if !ok || (first == "" && last == "") {
		return nil, errRangeSyntax
	}
	if first == "" {
		suffix, good := num(last)
		if !good {
			return nil, errRangeSyntax
		}
		return &r2.Range{Suffix: &suffix}, nil
	}
	start, good := num(first)
	if !good {
		return nil, errRangeSyntax
	}
	if last == "" {
		return &r2.Range{Offset: &start}, nil
	}
	end, good := num(last)
	if !good {
		return nil, errRangeSyntax
	}
	if end < start {
		return nil, invalidArgument("range must be positive.")
	}
	n := end - start + 1
	return &r2.Range{Offset: &start, Length: &n}, nil
}

// conditionalHeaders are the request's RFC 7232 headers, for the binding.
func conditionalHeaders(h http.Header) http.Header {
	out := http.Header{}
	for _, k := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if v := h.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// objectHeaders writes an object's metadata as S3 response headers.
func objectHeaders(h http.Header, o *r2.Object) {
	if o.HTTPMetadata != nil {
		o.HTTPMetadata.Write(h)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/octet-stream")
	}
	h.Set("ETag", o.HTTPETag)
	h.Set("Last-Modified", o.Uploaded.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	if o.StorageClass == r2.StorageInfrequentAccess {
		h.Set("X-Amz-Storage-Class", "STANDARD_IA")
	}
	for k, v := range o.CustomMetadata {
		h["X-Amz-Meta-"+k] = []string{v}
	}
}

// responseOverrides are the query parameters a signed GET may use to replace headers.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

func (h *Handler) getObject(req *request) *Error {
	r, w := req.r, req.w
	if err := screenSSEC(r, true); err != nil {
		return err
	}
	rng, perr := parseRange(r.Header.Get("Range"))
	if perr != nil {
		return perr
	}
	var obj *r2.Object
	var body io.ReadCloser
	if r.Method == http.MethodHead {
		o, err := req.b.Head(r.Context(), req.key)
		if err != nil {
			return fromR2(err)
		}
		if err := conditionStatus(r.Header, o); err != nil {
			return notModified(w, o, err)
		}
		obj = o
		if rng != nil {
			// The range is resolved as a read would: a HEAD answers 206 with the range's
			// length and no body (R2-068).
			ob, err := req.b.Get(r.Context(), req.key, &r2.GetOptions{Range: rng, OnlyIf: &r2.Conditional{ETagMatches: o.ETag}})
			if err != nil {
				return fromR2(err)
			}
			ob.Body.Close()
			obj = &ob.Object
		}
	} else {
		ob, err := req.b.Get(r.Context(), req.key, &r2.GetOptions{Range: rng, OnlyIfHeaders: conditionalHeaders(r.Header)})
		if errors.Is(err, r2.ErrPreconditionFailed) && ob != nil {
			cerr := conditionStatus(r.Header, &ob.Object)
			if cerr == nil {
				cerr = errPrecondition
			}
			return notModified(w, &ob.Object, cerr)
		}
		if err != nil {
			return fromR2(err)
		}
		obj, body = &ob.Object, ob.Body
		defer body.Close()
	}
	hd := w.Header()
	objectHeaders(hd, obj)
	for q, name := range responseOverrides {
		if v := req.query.Get(q); v != "" {
			hd.Set(name, v)
		}
	}
	status, n := http.StatusOK, obj.Size
	if rng != nil && obj.Range != nil {
		status, n = http.StatusPartialContent, obj.Range.Length
		hd.Set("Content-Range", "bytes "+strconv.FormatInt(obj.Range.Offset, 10)+"-"+
			strconv.FormatInt(obj.Range.Offset+obj.Range.Length-1, 10)+"/"+strconv.FormatInt(obj.Size, 10))
	}
	hd.Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	if body != nil {
		io.Copy(w, body)
	}
	return nil
}

// notModified answers a failed condition: 304 with the validators, or the error.
func notModified(w http.ResponseWriter, o *r2.Object, err *Error) *Error {
	if err.Status != http.StatusNotModified {
		return err
	}
	w.Header().Set("ETag", o.HTTPETag)
	w.Header().Set("Last-Modified", o.Uploaded.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusNotModified)
	return nil
}

// conditionStatus applies a GET's conditional headers as S3 does (R2-067): a failed
// If-Match or If-Unmodified-Since is 412, a failed If-None-Match or If-Modified-Since
// 304, with RFC 7232's precedence.
func conditionStatus(h http.Header, o *r2.Object) *Error {
	im, inm := h.Get("If-Match"), h.Get("If-None-Match")
	if im != "" {
		if !etagListMatches(im, o.ETag, false) {
			return errPrecondition
		}
	} else if v := h.Get("If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && o.Uploaded.Truncate(time.Second).After(t) {
			return errPrecondition
		}
	}
	if inm != "" {
		if etagListMatches(inm, o.ETag, true) {
			return &Error{Status: http.StatusNotModified}
		}
	} else if v := h.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !o.Uploaded.Truncate(time.Second).After(t) {
			return &Error{Status: http.StatusNotModified}
		}
	}
	return nil
}

// etagListMatches reports whether a comma-separated etag list names etag; weak allows
// W/ entries to match.
func etagListMatches(list, etag string, weak bool) bool {
	for e := range strings.SplitSeq(list, ",") {
		e = strings.TrimSpace(e)
		if e == "*" {
			return true
		}
		isWeak := strings.HasPrefix(e, "W/")
		e = strings.Trim(strings.TrimPrefix(e, "W/"), `"`)
		if e == etag && (!isWeak || weak) {
			return true
		}
	}
	return false
}

// putHeaders screens a write's headers and maps them onto put options.
func putOptions(r *http.Request) (*r2.PutOptions, *Error) {
	if err := screenWrite(r); err != nil {
		return nil, err
	}
	meta := r2.HTTPMetadataFromHeaders(r.Header)
	meta.ContentEncoding = stripAWSChunked(meta.ContentEncoding)
	o := &r2.PutOptions{HTTPMetadata: &meta, CustomMetadata: customMetadata(r.Header)}
	if v := r.Header.Get("Content-MD5"); v != "" {
		sum, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(sum) != 16 {
			return nil, errInvalidDigest
		}
		o.MD5 = hex.EncodeToString(sum)
	}
	class, err := storageClass(r.Header.Get("X-Amz-Storage-Class"))
	if err != nil {
		return nil, err
	}
	o.StorageClass = class
	cond := http.Header{}
	for _, k := range []string{"If-Match", "If-None-Match"} {
		if v := r.Header.Get(k); v != "" {
			cond.Set(k, v)
		}
	}
	if len(cond) > 0 {
		o.OnlyIfHeaders = cond
	}
	return o, nil
}

func stripAWSChunked(enc string) string {
	var keep []string
	for e := range strings.SplitSeq(enc, ",") {
		if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
			keep = append(keep, e)
		}
	}
	return strings.Join(keep, ", ")
}

// customMetadata collects x-amz-meta-* headers, names lowercased as S3 stores them.
func customMetadata(h http.Header) map[string]string {
	var m map[string]string
	for k, v := range h {
		name, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-meta-")
		if !ok || len(v) == 0 {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		m[name] = strings.Join(v, ",")
	}
	return m
}

func storageClass(s string) (string, *Error) {
	switch s {
	case "", "STANDARD":
		return "", nil
	case "STANDARD_IA":
		return r2.StorageInfrequentAccess, nil
	}
	return "", errStorageClass
}

// Header screening, as R2's endpoint answers headers it does not implement.

var cannedACLs = map[string]bool{"private": true, "public-read": true, "public-read-write": true,
	"authenticated-read": true, "aws-exec-read": true, "bucket-owner-read": true, "bucket-owner-full-control": true}

func headerNotImplemented(name, value string) *Error {
	return notImplemented("Header '" + name + "' with value '" + value + "' not implemented")
}

func screenWrite(r *http.Request) *Error {
	if v := r.Header.Get("X-Amz-Tagging"); v != "" {
		return headerNotImplemented("x-amz-tagging", v)
	}
	if v := r.Header.Get("X-Amz-Acl"); v != "" && !cannedACLs[v] {
		return headerNotImplemented("x-amz-acl", v)
	}
	if v := r.Header.Get("X-Amz-Server-Side-Encryption"); v != "" && v != "AES256" {
		return headerNotImplemented("x-amz-server-side-encryption", v)
	}
	return screenSSEC(r, false)
}

// screenSSEC checks customer-key encryption headers: complete and AES256, then refused
// (objects are not encrypted with customer keys locally).
func screenSSEC(r *http.Request, read bool) *Error {
	alg := r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm")
	key := r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key")
	sum := r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key-Md5")
	if alg == "" && key == "" && sum == "" {
		return nil
	}
	switch {
	case key == "":
		return newErr(400, "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.")
	case sum == "":
		return newErr(400, "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.")
	case alg == "":
		return newErr(400, "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.")
	case alg != "AES256":
		return newErr(400, "InvalidEncryptionAlgorithmError", "The encryption request that you specified is not valid. The valid value is AES256.")
	}
	if read {
		return newErr(400, "InvalidRequest", "The encryption parameters are not applicable to this object.")
	}
	return headerNotImplemented("x-amz-server-side-encryption-customer-algorithm", alg)
}

func (h *Handler) putObject(req *request) *Error {
	r := req.r
	opts, err := putOptions(r)
	if err != nil {
		return err
	}
	rd, err := body(r, req.a)
	if err != nil {
		return err
	}
	obj, perr := req.b.Put(r.Context(), req.key, rd, opts)
	if perr != nil {
		return fromR2(perr)
	}
	req.w.Header().Set("ETag", obj.HTTPETag)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// copySource parses x-amz-copy-source: "[/]bucket/key[?versionId=...]", URL-encoded.
func copySource(v string) (bucket, key string, err *Error) {
	v, _, _ = strings.Cut(v, "?")
	dec, uerr := url.PathUnescape(v)
	if uerr != nil {
		return "", "", invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(dec, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	}
	return bucket, key, nil
}

// copyConditions maps x-amz-copy-source-if-* onto conditional headers for the source.
func copyConditions(h http.Header) http.Header {
	out := http.Header{}
	for _, k := range []string{"Match", "None-Match", "Modified-Since", "Unmodified-Since"} {
		if v := h.Get("X-Amz-Copy-Source-If-" + k); v != "" {
			out.Set("If-"+k, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (h *Handler) copyObject(req *request) *Error {
	r := req.r
	if err := screenWrite(r); err != nil {
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
	class, err := storageClass(r.Header.Get("X-Amz-Storage-Class"))
	if err != nil {
		return err
	}
	opts := &r2.CopyOptions{OnlyIfHeaders: copyConditions(r.Header), StorageClass: class}
	if strings.EqualFold(r.Header.Get("X-Amz-Metadata-Directive"), "REPLACE") {
		meta := r2.HTTPMetadataFromHeaders(r.Header)
		opts.ReplaceMetadata, opts.HTTPMetadata, opts.CustomMetadata = true, &meta, customMetadata(r.Header)
	}
	obj, cerr := req.b.Copy(r.Context(), req.key, src, sk, opts)
	if cerr != nil {
		return fromR2(cerr)
	}
	writeXML(req.w, http.StatusOK, copyResult{XMLName: xmlName("CopyObjectResult"), Xmlns: xmlns,
		LastModified: s3Time(obj.Uploaded), ETag: obj.HTTPETag})
	return nil
}

// maxXMLBody bounds the request documents the endpoint reads whole.
const maxXMLBody = 4 << 20

// readXMLBody reads a request document, verified like any payload.
func readXMLBody(req *request) ([]byte, *Error) {
	rd, err := body(req.r, req.a)
	if err != nil {
		return nil, err
	}
	data, rerr := io.ReadAll(io.LimitReader(rd, maxXMLBody+1))
	if rerr != nil {
		return nil, fromR2(rerr)
	}
	if len(data) > maxXMLBody {
		return nil, errMalformedXML
	}
	return data, nil
}
