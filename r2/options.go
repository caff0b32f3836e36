package r2

import (
	"net/http"
	"time"
)

// PutOptions tune Put. A nil *PutOptions is the zero value: no condition, no metadata,
// only the MD5 computed, the bucket's default storage class.
type PutOptions struct {
	// OnlyIf makes the write conditional; when it fails Put writes nothing and returns
	// ErrPreconditionFailed (R2-024).
	OnlyIf *Conditional
	// OnlyIfHeaders is OnlyIf in HTTP form (If-Match, If-None-Match, If-Modified-Since,
	// If-Unmodified-Since), as the platform accepts a Headers object (R2-026).
	OnlyIfHeaders http.Header
	// HTTPMetadata is stored and returned with the object; see HTTPMetadataFromHeaders.
	HTTPMetadata *HTTPMetadata
	// CustomMetadata is stored and returned as given (R2-014).
	CustomMetadata map[string]string
	// At most one of MD5, SHA1, SHA256, SHA384 and SHA512, as hex: the body is verified
	// against it and the put fails with ErrBadDigest on a mismatch (R2-016, R2-017).
	MD5, SHA1, SHA256, SHA384, SHA512 string
	// StorageClass is StorageStandard or StorageInfrequentAccess; empty means the
	// bucket's default (R2-041).
	StorageClass string
	// SSECKey is checked for shape only (32 bytes as 64 hex characters); objects are not
	// encrypted locally.
	SSECKey string

	// action and copySource label the event notification of a write made by Copy.
	action     string
	copySource *CopySource
}

// GetOptions tune Get. A nil *GetOptions reads the whole object unconditionally.
type GetOptions struct {
	// OnlyIf makes the read conditional: when it fails, Get returns the object without
	// a body and ErrPreconditionFailed (R2-023).
	OnlyIf *Conditional
	// OnlyIfHeaders is OnlyIf in HTTP form; see PutOptions.OnlyIfHeaders.
	OnlyIfHeaders http.Header
	// Range selects part of the object (R2-019).
	Range *Range
	// RangeHeader is a Range header value such as "bytes=3-6"; a header holding several
	// ranges, or none that parses, reads the whole object (R2-022).
	RangeHeader string
	// SSECKey is checked for shape only, as in PutOptions.
	SSECKey string
}

// Range selects bytes of an object: Offset and/or Length, or Suffix alone. A nil field
// is absent. Go 1.26's new(expr) keeps literals short: &r2.Range{Offset: new(int64(3))}.
type Range struct {
	// Offset is the first byte; absent means 0.
	Offset *int64
	// Length is how many bytes; absent means to the end. A length past the end is
	// clamped; 0 is not satisfiable (R2-020).
	Length *int64
	// Suffix is how many bytes to read from the end; larger than the object means all of
	// it; 0 is not satisfiable. It excludes Offset and Length (R2-021).
	Suffix *int64
}

// Conditional is the platform's R2Conditional in object form (R2-025, R2-027). The
// zero value imposes nothing.
type Conditional struct {
	// ETagMatches passes when the object's etag is this (unquoted) value; "*" matches any
	// existing object.
	ETagMatches string
	// ETagDoesNotMatch passes when the object's etag is not this (unquoted) value; "*"
	// passes only when the object is missing.
	ETagDoesNotMatch string
	// UploadedBefore passes when the object was uploaded before this time.
	UploadedBefore time.Time
	// UploadedAfter passes when the object was uploaded after this time.
	UploadedAfter time.Time
	// SecondsGranularity compares times truncated to whole seconds, as HTTP dates are.
	SecondsGranularity bool
}

// ListOptions tune List. The zero value lists the first 1,000 keys.
type ListOptions struct {
	// Limit is the most objects plus delimited prefixes a page holds; 0 means 1,000, the
	// maximum. A negative value or one above 1,000 is refused with ErrInvalidMaxKeys
	// (R2-032); unlike the platform, 0 is the default rather than an error, as a Go zero
	// value should be.
	Limit int
	// Prefix restricts the listing to keys starting with it.
	Prefix string
	// Cursor continues from a previous page's ListResult.Cursor.
	Cursor string
	// Delimiter groups keys that contain it after Prefix into DelimitedPrefixes (R2-038).
	Delimiter string
	// StartAfter lists keys strictly after it, whether or not it exists (R2-033).
	StartAfter string
	// Include asks for "httpMetadata" and/or "customMetadata" on listed objects (R2-036).
	// With Include set a page holds at most 100 objects (R2-037).
	Include []string
}

// ListResult is one page of a listing (R2-034).
type ListResult struct {
	// Objects are in lexicographic (byte) order of key.
	Objects []*Object
	// Truncated says more keys follow; loop on it rather than on len(Objects).
	Truncated bool
	// Cursor continues the listing; set only when Truncated.
	Cursor string
	// DelimitedPrefixes are the groups of keys Delimiter formed, each ending with it.
	DelimitedPrefixes []string
}

// MultipartOptions tune CreateMultipartUpload. A nil value stores no metadata.
type MultipartOptions struct {
	// HTTPMetadata and CustomMetadata become the completed object's (R2-051).
	HTTPMetadata   *HTTPMetadata
	CustomMetadata map[string]string
	// StorageClass as in PutOptions.
	StorageClass string
	// SSECKey is checked for shape only, as in PutOptions.
	SSECKey string
}
