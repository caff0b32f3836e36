package r2test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
)

var _ = register("R2-001_MissingKey", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	_, err := b.Head(ctx(), "missing")
	require.ErrorIs(t, err, r2.ErrNotFound)
	_, err = b.Get(ctx(), "missing", nil)
	require.ErrorIs(t, err, r2.ErrNotFound)
})

var _ = register("R2-002_KeyTooLong", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	long := strings.Repeat("x", r2.MaxKeyLength+1)
	want := func(op string) string { return op + ": The specified object name is not valid. (10020)" }
	_, err := b.Head(ctx(), long)
	errText(t, err, want("head"))
	_, err = b.Get(ctx(), long, nil)
	errText(t, err, want("get"))
	_, err = b.Put(ctx(), long, strings.NewReader("v"), nil)
	errText(t, err, want("put"))
	errText(t, b.Delete(ctx(), long), want("delete"))
	_, err = b.List(ctx(), &r2.ListOptions{Prefix: long})
	errText(t, err, want("list"))
	_, err = b.CreateMultipartUpload(ctx(), long, nil)
	errText(t, err, want("createMultipartUpload"))
	u := b.ResumeMultipartUpload(long, "id")
	_, err = u.UploadPart(ctx(), 1, strings.NewReader("v"), nil)
	errText(t, err, want("uploadPart"))
	_, err = u.Complete(ctx(), nil)
	errText(t, err, want("completeMultipartUpload"))
	errText(t, u.Abort(ctx()), want("abortMultipartUpload"))
	require.ErrorIs(t, err, r2.ErrInvalidObjectName)

	// The longest valid key works.
	max := strings.Repeat("y", r2.MaxKeyLength)
	put(t, b, max, "v")
	require.Equal(t, "v", text(t, b, max))
})

var _ = register("R2-003_EmptyKey", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "", "empty")
	put(t, b, "a", "a")
	obj, err := b.Head(ctx(), "")
	require.NoError(t, err)
	require.Equal(t, "", obj.Key)
	require.Equal(t, "empty", text(t, b, ""))
	page, err := b.List(ctx(), nil)
	require.NoError(t, err)
	require.Len(t, page.Objects, 2)
	require.Equal(t, "", page.Objects[0].Key)
	require.NoError(t, b.Delete(ctx(), ""))
	_, err = b.Head(ctx(), "")
	require.ErrorIs(t, err, r2.ErrNotFound)
})

var _ = register("R2-004_ErrorFormat", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "value")
	_, err := b.Get(ctx(), "k", &r2.GetOptions{Range: &r2.Range{Offset: i64(10)}})
	errText(t, err, "get: The requested range is not satisfiable (10039)")
	var e *r2.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "get", e.Op)
	require.Equal(t, 10039, e.Code)
})

var _ = register("R2-005_PutReturnsObjectAndIsVisible", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	obj := put(t, b, "k", "value")
	require.Nil(t, obj.Range)
	require.Equal(t, "value", text(t, b, "k"))
	// A streamed body of unknown length.
	pr, pw := io.Pipe()
	go func() {
		for range 100 {
			pw.Write([]byte("0123456789"))
		}
		pw.Close()
	}()
	obj, err := b.Put(ctx(), "stream", pr, nil)
	require.NoError(t, err)
	require.EqualValues(t, 1000, obj.Size)
})

var _ = register("R2-006_ObjectFields", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	before := time.Now().Add(-time.Second)
	one := put(t, b, "k", "value")
	two := put(t, b, "k", "value")
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	require.Regexp(t, hex32, one.Version)
	require.NotEqual(t, one.Version, two.Version)
	require.Equal(t, "k", one.Key)
	require.EqualValues(t, 5, one.Size)
	require.Equal(t, `"`+one.ETag+`"`, one.HTTPETag)
	require.True(t, one.Uploaded.After(before) && one.Uploaded.Before(time.Now().Add(time.Second)))
	require.Equal(t, r2.StorageStandard, one.StorageClass)
	require.NotNil(t, one.HTTPMetadata)
	require.NotNil(t, one.CustomMetadata)
	head, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.Equal(t, two.Version, head.Version)
	require.Equal(t, two.Uploaded.UnixMilli(), head.Uploaded.UnixMilli())
})

var _ = register("R2-007_ETagIsMD5", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	obj := put(t, b, "k", "value")
	require.Equal(t, "2063c1608d6e0baf80249c42e2be5804", obj.ETag)
	j, err := json.Marshal(obj.Checksums)
	require.NoError(t, err)
	require.JSONEq(t, `{"md5":"2063c1608d6e0baf80249c42e2be5804"}`, string(j))
	head, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.Equal(t, obj.Checksums, head.Checksums)
})

var _ = register("R2-008_EmptyValue", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	obj := put(t, b, "k", "")
	require.EqualValues(t, 0, obj.Size)
	require.Equal(t, "d41d8cd98f00b204e9800998ecf8427e", obj.ETag)
	require.Equal(t, "", text(t, b, "k"))
	obj, err := b.Put(ctx(), "nil", nil, nil)
	require.NoError(t, err)
	require.EqualValues(t, 0, obj.Size)
	require.Equal(t, "", text(t, b, "nil"))
})

var _ = register("R2-009_GetBody", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "value")
	obj, err := b.Get(ctx(), "k", nil)
	require.NoError(t, err)
	defer obj.Body.Close()
	require.Equal(t, &r2.ByteRange{Offset: 0, Length: 5}, obj.Range)
	data, _ := io.ReadAll(obj.Body)
	require.Equal(t, "value", string(data))
})

var _ = register("R2-010_HeadMetadataOnly", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "value", &r2.PutOptions{CustomMetadata: map[string]string{"a": "b"}})
	obj, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.Equal(t, &r2.ByteRange{Offset: 0, Length: 5}, obj.Range)
	require.Equal(t, map[string]string{"a": "b"}, obj.CustomMetadata)
})

var _ = register("R2-011_HTTPMetadata", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	expiry := time.UnixMilli(time.Now().Add(time.Hour).UnixMilli()).UTC()
	m := r2.HTTPMetadata{
		ContentType: "text/plain", ContentLanguage: "en-GB", ContentDisposition: "attachment",
		ContentEncoding: "gzip", CacheControl: "max-age=60", CacheExpiry: expiry,
	}
	put(t, b, "k", "v", &r2.PutOptions{HTTPMetadata: &m})
	obj, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.Equal(t, m.ContentType, obj.HTTPMetadata.ContentType)
	require.True(t, obj.HTTPMetadata.CacheExpiry.Equal(expiry))

	h := http.Header{}
	h.Set("Content-Type", "image/png")
	h.Set("Content-Encoding", "br")
	h.Set("Content-Disposition", "inline")
	h.Set("Content-Language", "fr")
	h.Set("Cache-Control", "no-store")
	h.Set("Expires", "Wed, 21 Oct 2015 07:28:00 GMT")
	fromHeaders := r2.HTTPMetadataFromHeaders(h)
	put(t, b, "h", "v", &r2.PutOptions{HTTPMetadata: &fromHeaders})
	obj, err = b.Head(ctx(), "h")
	require.NoError(t, err)
	require.Equal(t, "image/png", obj.HTTPMetadata.ContentType)
	require.Equal(t, "br", obj.HTTPMetadata.ContentEncoding)
	require.Equal(t, "inline", obj.HTTPMetadata.ContentDisposition)
	require.Equal(t, "fr", obj.HTTPMetadata.ContentLanguage)
	require.Equal(t, "no-store", obj.HTTPMetadata.CacheControl)
	require.True(t, obj.HTTPMetadata.CacheExpiry.Equal(time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)))
})

var _ = register("R2-012_WriteHTTPMetadata", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "v", &r2.PutOptions{HTTPMetadata: &r2.HTTPMetadata{
		ContentType: "text/plain", CacheExpiry: time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)}})
	obj, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	h := http.Header{"X-Other": {"kept"}}
	require.NoError(t, obj.WriteHTTPMetadata(h))
	require.Equal(t, "text/plain", h.Get("Content-Type"))
	require.Equal(t, "Wed, 21 Oct 2015 07:28:00 GMT", h.Get("Expires"))
	require.Equal(t, "kept", h.Get("X-Other"))
	require.Empty(t, h.Get("Cache-Control"))
})

var _ = register("R2-013_WriteHTTPMetadataUnknownAfterList", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "v")
	page, err := b.List(ctx(), nil)
	require.NoError(t, err)
	err = page.Objects[0].WriteHTTPMetadata(http.Header{})
	errText(t, err, "HTTP metadata unknown for key `k`. Did you forget to add 'httpMetadata' to `include` when listing?")
	require.ErrorIs(t, err, r2.ErrInvalidArgument)
})

var _ = register("R2-014_CustomMetadata", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	m := map[string]string{"one": "1", "two": "zwei", "ünï": "çødé"}
	obj := put(t, b, "k", "v", &r2.PutOptions{CustomMetadata: m})
	require.Equal(t, m, obj.CustomMetadata)
	head, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.Equal(t, m, head.CustomMetadata)
})

var _ = register("R2-015_MetadataSize", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	// 8,192 bytes of keys and values pass; one more byte fails (the documented limit).
	ok := map[string]string{"k": strings.Repeat("v", r2.MetadataLimit-1)}
	put(t, b, "k", "v", &r2.PutOptions{CustomMetadata: ok})
	big := map[string]string{"k": strings.Repeat("v", r2.MetadataLimit)}
	_, err := b.Put(ctx(), "k", strings.NewReader("v"), &r2.PutOptions{CustomMetadata: big})
	errText(t, err, "put: Your metadata headers exceed the maximum allowed metadata size. (10012)")
	_, err = b.CreateMultipartUpload(ctx(), "k", &r2.MultipartOptions{CustomMetadata: big})
	require.ErrorIs(t, err, r2.ErrMetadataTooLarge)

	// The simulator's rule: 2,048 units, doubled for strings with a unit >= 256.
	mf, _ := s.bucket(t, func(o *r2.Options) {
		o.MetadataLimit, o.MiniflareMetadataRule = r2.MiniflareMetadataLimit, true
	})
	put(t, mf, "k", "v", &r2.PutOptions{CustomMetadata: map[string]string{"k": strings.Repeat("a", 2047)}})
	_, err = mf.Put(ctx(), "k", strings.NewReader("v"), &r2.PutOptions{CustomMetadata: map[string]string{"k": strings.Repeat("ā", 1024)}})
	require.ErrorIs(t, err, r2.ErrMetadataTooLarge)
})

var _ = register("R2-016_ChecksumMismatch", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	_, err := b.Put(ctx(), "k", strings.NewReader("value"), &r2.PutOptions{MD5: strings.Repeat("0", 32)})
	errText(t, err, "put: The MD5 checksum you specified did not match what we received.\n"+
		"You provided a MD5 checksum with value: 00000000000000000000000000000000\n"+
		"Actual MD5 was: 2063c1608d6e0baf80249c42e2be5804 (10037)")
	require.ErrorIs(t, err, r2.ErrBadDigest)
	_, err = b.Head(ctx(), "k")
	require.ErrorIs(t, err, r2.ErrNotFound)

	sum := sha256.Sum256([]byte("value"))
	_, err = b.Put(ctx(), "k", strings.NewReader("value"), &r2.PutOptions{SHA256: strings.Repeat("a", 64)})
	errText(t, err, "put: The SHA-256 checksum you specified did not match what we received.\n"+
		"You provided a SHA-256 checksum with value: "+strings.Repeat("a", 64)+"\n"+
		"Actual SHA-256 was: "+hex.EncodeToString(sum[:])+" (10037)")
})

var _ = register("R2-017_ChecksumArguments", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	putErr := func(o *r2.PutOptions) error {
		_, err := b.Put(ctx(), "k", strings.NewReader("v"), o)
		return err
	}
	errText(t, putErr(&r2.PutOptions{MD5: strings.Repeat("0", 32), SHA1: strings.Repeat("0", 40)}),
		"You cannot specify multiple hashing algorithms.")
	errText(t, putErr(&r2.PutOptions{MD5: "abc"}), "MD5 is 32 hex characters, not 3")
	errText(t, putErr(&r2.PutOptions{SHA1: "abc"}), "SHA-1 is 40 hex characters, not 3")
	errText(t, putErr(&r2.PutOptions{SHA256: "abc"}), "SHA-256 is 64 hex characters, not 3")
	errText(t, putErr(&r2.PutOptions{SHA384: "abc"}), "SHA-384 is 96 hex characters, not 3")
	errText(t, putErr(&r2.PutOptions{SHA512: "abc"}), "SHA-512 is 128 hex characters, not 3")
	err := putErr(&r2.PutOptions{MD5: strings.Repeat("z", 32)})
	errText(t, err, "Provided MD5 wasn't a valid hex string")
	var ae *r2.ArgumentError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "TypeError", ae.Kind)
})

var _ = register("R2-018_VerifiedChecksumsStored", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	sum := sha256.Sum256([]byte("value"))
	lower := hex.EncodeToString(sum[:])
	obj := put(t, b, "k", "value", &r2.PutOptions{SHA256: strings.ToUpper(lower)})
	require.Equal(t, r2.Checksums{MD5: "2063c1608d6e0baf80249c42e2be5804", SHA256: lower}, obj.Checksums)
	head, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.Equal(t, obj.Checksums, head.Checksums)
	obj = put(t, b, "m", "value", &r2.PutOptions{MD5: "2063C1608D6E0BAF80249C42E2BE5804"})
	require.Equal(t, r2.Checksums{MD5: "2063c1608d6e0baf80249c42e2be5804"}, obj.Checksums)
})
