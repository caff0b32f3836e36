package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/flarego/flarego/r2"
)

func xmlName(local string) xml.Name { return xml.Name{Local: local} }

// encoder applies encoding-type=url to names in listings, as S3 clients (the aws CLI
// among them) ask for by default.
type encoder bool

func (e encoder) enc(s string) string {
	if e {
		return url.QueryEscape(s)
	}
	return s
}

func (e encoder) typ() string {
	if e {
		return "url"
	}
	return ""
}

func listEncoder(q url.Values) (encoder, *Error) {
	switch q.Get("encoding-type") {
	case "":
		return false, nil
	case "url":
		return true, nil
	}
	return false, invalidArgument("Invalid Encoding Method specified in Request")
}

// maxKeys reads max-keys: absent is 1,000, larger values are capped at 1,000.
func maxKeys(q url.Values, name string) (int, *Error) {
	v := q.Get(name)
	if v == "" {
		return r2.MaxListLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidArgument("Provided " + name + " not an integer or within integer range")
	}
	return min(n, r2.MaxListLimit), nil
}

// page lists one page through the binding; it returns the objects and common prefixes
// in listing order and the last name listed.
func (h *Handler) page(req *request, o *r2.ListOptions) (*r2.ListResult, string, *Error) {
	res, err := req.b.List(req.r.Context(), o)
	if err != nil {
		return nil, "", fromR2(err)
	}
	last := ""
	if n := len(res.Objects); n > 0 {
		last = res.Objects[n-1].Key
	}
	if n := len(res.DelimitedPrefixes); n > 0 && res.DelimitedPrefixes[n-1] > last {
		last = res.DelimitedPrefixes[n-1]
	}
	return res, last, nil
}

func (h *Handler) contents(res *r2.ListResult, e encoder, withOwner bool) ([]objectInfo, []commonPrefix) {
	objs := make([]objectInfo, 0, len(res.Objects))
	for _, o := range res.Objects {
		class := "STANDARD"
		if o.StorageClass == r2.StorageInfrequentAccess {
			class = "STANDARD_IA"
		}
		info := objectInfo{Key: e.enc(o.Key), LastModified: s3Time(o.Uploaded), ETag: o.HTTPETag, Size: o.Size, StorageClass: class}
		if withOwner {
			ow := h.owner()
			info.Owner = &ow
		}
		objs = append(objs, info)
	}
	var prefixes []commonPrefix
	for _, p := range res.DelimitedPrefixes {
		prefixes = append(prefixes, commonPrefix{Prefix: e.enc(p)})
	}
	return objs, prefixes
}

func (h *Handler) listObjectsV2(req *request) *Error {
	q := req.query
	e, err := listEncoder(q)
	if err != nil {
		return err
	}
	limit, err := maxKeys(q, "max-keys")
	if err != nil {
		return err
	}
	out := listBucketResult{Xmlns: xmlns, Name: req.bucket, Prefix: e.enc(q.Get("prefix")), MaxKeys: limit,
		Delimiter: e.enc(q.Get("delimiter")), EncodingType: e.typ(), StartAfter: e.enc(q.Get("start-after")),
		ContinuationToken: q.Get("continuation-token")}
	count := 0
	if limit > 0 {
		res, _, err := h.page(req, &r2.ListOptions{Limit: limit, Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
			StartAfter: q.Get("start-after"), Cursor: q.Get("continuation-token")})
		if err != nil {
			return err
		}
		out.Contents, out.CommonPrefixes = h.contents(res, e, q.Get("fetch-owner") == "true")
		out.IsTruncated, out.NextContinuationToken = res.Truncated, res.Cursor
		count = len(out.Contents) + len(out.CommonPrefixes)
	}
	out.KeyCount = &count
	writeXML(req.w, http.StatusOK, out)
	return nil
}

func (h *Handler) listObjectsV1(req *request) *Error {
	q := req.query
	e, err := listEncoder(q)
	if err != nil {
		return err
	}
	limit, err := maxKeys(q, "max-keys")
	if err != nil {
		return err
	}
	prefix, delim, marker := q.Get("prefix"), q.Get("delimiter"), q.Get("marker")
	m := e.enc(marker)
	out := listBucketResult{Xmlns: xmlns, Name: req.bucket, Prefix: e.enc(prefix), Marker: &m, MaxKeys: limit,
		Delimiter: e.enc(delim), EncodingType: e.typ()}
	if limit > 0 {
		o := &r2.ListOptions{Limit: limit, Prefix: prefix, Delimiter: delim, StartAfter: marker}
		// A marker that is a common prefix resumes after every key under it.
		if delim != "" && strings.HasPrefix(marker, prefix) && strings.HasSuffix(marker, delim) &&
			strings.Index(marker[len(prefix):], delim) == len(marker)-len(prefix)-len(delim) {
			o.StartAfter, o.Cursor = "", r2.PrefixCursor(marker)
		}
		res, last, err := h.page(req, o)
		if err != nil {
			return err
		}
		out.Contents, out.CommonPrefixes = h.contents(res, e, true)
		out.IsTruncated = res.Truncated
		if res.Truncated {
			out.NextMarker = e.enc(last)
		}
	}
	writeXML(req.w, http.StatusOK, out)
	return nil
}
