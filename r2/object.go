package r2

import (
	"io"
	"net/http"
	"time"
)

// Storage classes (R2-041).
const (
	StorageStandard         = "Standard"
	StorageInfrequentAccess = "InfrequentAccess"
)

// Object is an object's metadata, as the platform's R2Object (R2-006).
type Object struct {
	// Key is the object's name.
	Key string
	// Version is 32 lowercase hex characters, new on every write.
	Version string
	// Size is the length of the object's bytes.
	Size int64
	// ETag is the lowercase hex MD5 of the bytes of a single-part upload, or
	// "<hex>-<parts>" for a multipart one (R2-056). Unquoted.
	ETag string
	// HTTPETag is ETag wrapped in double quotes, ready for an ETag header.
	HTTPETag string
	// Uploaded is when the write completed, at millisecond precision.
	Uploaded time.Time
	// HTTPMetadata is nil for an object from List without Include "httpMetadata" (R2-013,
	// R2-036); always set otherwise.
	HTTPMetadata *HTTPMetadata
	// CustomMetadata is nil for an object from List without Include "customMetadata".
	CustomMetadata map[string]string
	// Checksums holds the MD5 of a single-part upload plus the algorithm verified at Put.
	Checksums Checksums
	// StorageClass is StorageStandard or StorageInfrequentAccess.
	StorageClass string
	// Range is the part of the bytes a Get returned; nil for Put and List results.
	Range *ByteRange
}

// ByteRange is the part of an object a read returned.
type ByteRange struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// ObjectBody is an object with its bytes, from Get (R2-009).
type ObjectBody struct {
	Object
	// Body streams the selected bytes; the caller must Close it. It is nil when Get
	// returns ErrPreconditionFailed (R2-023). Reading it after the key was overwritten or
	// deleted still yields the bytes it was opened on (R2-058).
	Body io.ReadCloser
}

// HTTPMetadata are the HTTP headers stored with an object (R2-011). The zero value is
// "no headers".
type HTTPMetadata struct {
	ContentType        string `json:"contentType,omitempty"`
	ContentLanguage    string `json:"contentLanguage,omitempty"`
	ContentDisposition string `json:"contentDisposition,omitempty"`
	ContentEncoding    string `json:"contentEncoding,omitempty"`
	CacheControl       string `json:"cacheControl,omitempty"`
	// CacheExpiry is written as the Expires header; zero means none.
	CacheExpiry time.Time `json:"cacheExpiry,omitzero"`
}

// HTTPMetadataFromHeaders maps Content-Type, Content-Language, Content-Disposition,
// Content-Encoding, Cache-Control and Expires onto HTTPMetadata, the way the platform
// reads a Headers object given as httpMetadata (R2-011). An unparseable Expires is
// ignored.
func HTTPMetadataFromHeaders(h http.Header) HTTPMetadata {
	m := HTTPMetadata{
		ContentType:        h.Get("Content-Type"),
		ContentLanguage:    h.Get("Content-Language"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		CacheControl:       h.Get("Cache-Control"),
	}
	if e := h.Get("Expires"); e != "" {
		if t, err := http.ParseTime(e); err == nil {
			m.CacheExpiry = t
		}
	}
	return m
}

// Write sets the metadata's headers on h, leaving other headers alone.
func (m HTTPMetadata) Write(h http.Header) {
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set("Content-Type", m.ContentType)
	set("Content-Language", m.ContentLanguage)
	set("Content-Disposition", m.ContentDisposition)
	set("Content-Encoding", m.ContentEncoding)
	set("Cache-Control", m.CacheControl)
	if !m.CacheExpiry.IsZero() {
		h.Set("Expires", m.CacheExpiry.UTC().Format(http.TimeFormat))
	}
}

// WriteHTTPMetadata sets the object's HTTP metadata on h, leaving other headers alone
// (R2-012). For an object listed without Include "httpMetadata" it returns the platform's
// TypeError (R2-013).
func (o *Object) WriteHTTPMetadata(h http.Header) error {
	if o.HTTPMetadata == nil {
		return typeError("HTTP metadata unknown for key `" + o.Key +
			"`. Did you forget to add 'httpMetadata' to `include` when listing?")
	}
	o.HTTPMetadata.Write(h)
	return nil
}

// Checksums are an object's digests as lowercase hex; empty means not computed. JSON
// encoding gives the platform's checksums.toJSON() (R2-007).
type Checksums struct {
	MD5    string `json:"md5,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	SHA384 string `json:"sha384,omitempty"`
	SHA512 string `json:"sha512,omitempty"`
}
