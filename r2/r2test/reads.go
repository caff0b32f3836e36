package r2test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
)

func ranged(t *testing.T, b *r2.Bucket, key string, o *r2.GetOptions) (string, *r2.ByteRange) {
	t.Helper()
	obj, err := b.Get(ctx(), key, o)
	require.NoError(t, err)
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	require.NoError(t, err)
	return string(data), obj.Range
}

var _ = register("R2-019_RangeObject", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "value")
	for _, c := range []struct {
		r      r2.Range
		want   string
		off, n int64
	}{
		{r2.Range{Offset: i64(3)}, "ue", 3, 2},
		{r2.Range{Length: i64(3)}, "val", 0, 3},
		{r2.Range{Offset: i64(1), Length: i64(3)}, "alu", 1, 3},
		{r2.Range{Offset: i64(1), Length: i64(100)}, "alue", 1, 4},
		{r2.Range{Suffix: i64(3)}, "lue", 2, 3},
		{r2.Range{Suffix: i64(100)}, "value", 0, 5},
	} {
		got, rng := ranged(t, b, "k", &r2.GetOptions{Range: &c.r})
		require.Equal(t, c.want, got)
		require.Equal(t, &r2.ByteRange{Offset: c.off, Length: c.n}, rng)
	}
})

var _ = register("R2-020_RangeNotSatisfiable", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "value")
	for _, r := range []r2.Range{{Offset: i64(6)}, {Length: i64(0)}, {Suffix: i64(0)}} {
		_, err := b.Get(ctx(), "k", &r2.GetOptions{Range: &r})
		errText(t, err, "get: The requested range is not satisfiable (10039)")
		require.ErrorIs(t, err, r2.ErrInvalidRange)
	}
})

var _ = register("R2-021_RangeArguments", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "value")
	for _, c := range []struct {
		r    r2.Range
		kind string
		want string
	}{
		{r2.Range{Offset: i64(-1)}, "RangeError", "Invalid range. Starting offset (-1) must be greater than or equal to 0."},
		{r2.Range{Length: i64(-1)}, "RangeError", "Invalid range. Length (-1) must be greater than or equal to 0."},
		{r2.Range{Suffix: i64(-1)}, "RangeError", "Invalid suffix. Suffix (-1) must be greater than or equal to 0."},
		{r2.Range{Suffix: i64(1), Offset: i64(0)}, "TypeError", "Suffix is incompatible with offset."},
		{r2.Range{Suffix: i64(1), Length: i64(1)}, "TypeError", "Suffix is incompatible with length."},
	} {
		_, err := b.Get(ctx(), "k", &r2.GetOptions{Range: &c.r})
		errText(t, err, c.want)
		var ae *r2.ArgumentError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, c.kind, ae.Kind)
	}
})

var _ = register("R2-022_RangeHeader", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "0123456789abcdef")
	for h, want := range map[string]string{
		"bytes=3-6":       "3456",
		"bytes=10-":       "abcdef",
		"bytes=-5":        "bcdef",
		"":                "0123456789abcdef",
		"bytes=5-6,10-11": "0123456789abcdef",
		"bytes=zzz":       "0123456789abcdef",
	} {
		got, _ := ranged(t, b, "k", &r2.GetOptions{RangeHeader: h})
		require.Equal(t, want, got, "Range: %s", h)
	}
	_, rng := ranged(t, b, "k", &r2.GetOptions{RangeHeader: "bytes=3-6"})
	require.Equal(t, &r2.ByteRange{Offset: 3, Length: 4}, rng)
})

var _ = register("R2-023_GetOnlyIfFailsReturnsObjectWithoutBody", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	obj := put(t, b, "k", "value")
	got, err := b.Get(ctx(), "k", &r2.GetOptions{OnlyIf: &r2.Conditional{ETagDoesNotMatch: obj.ETag}})
	require.ErrorIs(t, err, r2.ErrPreconditionFailed)
	require.NotNil(t, got)
	require.Nil(t, got.Body)
	require.Equal(t, obj.ETag, got.ETag)
	require.Equal(t, "value", text(t, b, "k", &r2.GetOptions{OnlyIf: &r2.Conditional{ETagMatches: obj.ETag}}))
})

var _ = register("R2-024_PutOnlyIf", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	obj := put(t, b, "k", "1")
	_, err := b.Put(ctx(), "k", strings.NewReader("2"), &r2.PutOptions{OnlyIf: &r2.Conditional{ETagDoesNotMatch: obj.ETag}})
	require.ErrorIs(t, err, r2.ErrPreconditionFailed)
	require.Equal(t, "1", text(t, b, "k"))
	put(t, b, "k", "3", &r2.PutOptions{OnlyIf: &r2.Conditional{ETagMatches: obj.ETag}})
	require.Equal(t, "3", text(t, b, "k"))
	// etagMatches on a missing key fails; etagDoesNotMatch "*" creates only if absent.
	_, err = b.Put(ctx(), "new", strings.NewReader("x"), &r2.PutOptions{OnlyIf: &r2.Conditional{ETagMatches: obj.ETag}})
	require.ErrorIs(t, err, r2.ErrPreconditionFailed)
	_, err = b.Head(ctx(), "new")
	require.ErrorIs(t, err, r2.ErrNotFound)
	put(t, b, "new", "x", &r2.PutOptions{OnlyIf: &r2.Conditional{ETagDoesNotMatch: "*"}})
	_, err = b.Put(ctx(), "new", strings.NewReader("y"), &r2.PutOptions{OnlyIf: &r2.Conditional{ETagDoesNotMatch: "*"}})
	require.ErrorIs(t, err, r2.ErrPreconditionFailed)
})

var _ = register("R2-025_ConditionalETagForm", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	obj := put(t, b, "k", "v")
	_, err := b.Get(ctx(), "k", &r2.GetOptions{OnlyIf: &r2.Conditional{ETagMatches: obj.HTTPETag}})
	errText(t, err, "Conditional ETag should not be wrapped in quotes ("+obj.HTTPETag+").")
	_, err = b.Get(ctx(), "k", &r2.GetOptions{OnlyIf: &r2.Conditional{ETagDoesNotMatch: `"x"`}})
	require.ErrorIs(t, err, r2.ErrInvalidArgument)
	require.Equal(t, "v", text(t, b, "k", &r2.GetOptions{OnlyIf: &r2.Conditional{ETagMatches: "*"}}))
	_, err = b.Get(ctx(), "k", &r2.GetOptions{OnlyIf: &r2.Conditional{ETagDoesNotMatch: "*"}})
	require.ErrorIs(t, err, r2.ErrPreconditionFailed)
})

var _ = register("R2-026_ConditionalHeaders", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	obj := put(t, b, "k", "v")
	passes := func(h http.Header) bool {
		t.Helper()
		got, err := b.Get(ctx(), "k", &r2.GetOptions{OnlyIfHeaders: h})
		if err == nil {
			got.Body.Close()
			return true
		}
		require.ErrorIs(t, err, r2.ErrPreconditionFailed)
		return false
	}
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	require.True(t, passes(hdr("If-Match", obj.HTTPETag)))
	require.True(t, passes(hdr("If-Match", `"nope", `+obj.HTTPETag)))
	require.True(t, passes(hdr("If-Match", `*`)))
	require.False(t, passes(hdr("If-Match", `W/`+obj.HTTPETag)), "If-Match compares strongly")
	require.False(t, passes(hdr("If-None-Match", `W/`+obj.HTTPETag)), "If-None-Match compares weakly")
	require.False(t, passes(hdr("If-None-Match", `"a", , `+obj.HTTPETag)))
	require.True(t, passes(hdr("If-None-Match", `"other"`)))
	// Dates at seconds granularity: the upload second itself is not "after" itself.
	sec := obj.Uploaded.Truncate(time.Second)
	require.False(t, passes(hdr("If-Modified-Since", sec.UTC().Format(http.TimeFormat))))
	require.True(t, passes(hdr("If-Modified-Since", sec.Add(-time.Second).UTC().Format(http.TimeFormat))))
	require.False(t, passes(hdr("If-Unmodified-Since", sec.UTC().Format(http.TimeFormat))))
	require.True(t, passes(hdr("If-Unmodified-Since", sec.Add(time.Second).UTC().Format(http.TimeFormat))))
	// If-Range is not supported: ignored.
	require.True(t, passes(hdr("If-Range", `"other"`)))

	for v, want := range map[string]string{
		`"abc`:      "Unclosed double quote for Etag",
		`"a" "b"`:   "Comma was expected to separate etags. Encountered a double quote character '\"' instead. This would otherwise indicate the start of a new strong etag.",
		`"a" *`:     "Comma was expected to separate etags. Encountered a wildcard character '*' instead.",
		`"a" W/"b"`: "Comma was expected to separate etags. Encountered a weak quotation character 'W' instead. This would otherwise indicate the start of a new weak etag.",
		`W"a"`:      "Weak etags must start with W/ and their value must be quoted",
	} {
		_, err := b.Get(ctx(), "k", &r2.GetOptions{OnlyIfHeaders: hdr("If-Match", v)})
		errText(t, err, want)
	}
})

var _ = register("R2-027_ConditionalRules", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	obj := put(t, b, "k", "v")
	past, future := obj.Uploaded.Add(-time.Hour), obj.Uploaded.Add(time.Hour)
	check := func(c r2.Conditional, want bool) {
		t.Helper()
		got, err := b.Get(ctx(), "k", &r2.GetOptions{OnlyIf: &c})
		if want {
			require.NoError(t, err, "%+v", c)
			got.Body.Close()
		} else {
			require.ErrorIs(t, err, r2.ErrPreconditionFailed, "%+v", c)
		}
	}
	check(r2.Conditional{UploadedAfter: past}, true)
	check(r2.Conditional{UploadedAfter: future}, false)
	check(r2.Conditional{UploadedBefore: future}, true)
	check(r2.Conditional{UploadedBefore: past}, false)
	// A passing etagDoesNotMatch overrides a failing uploadedAfter...
	check(r2.Conditional{ETagDoesNotMatch: "other", UploadedAfter: future}, true)
	// ...and a passing etagMatches a failing uploadedBefore.
	check(r2.Conditional{ETagMatches: obj.ETag, UploadedBefore: past}, true)
	check(r2.Conditional{ETagMatches: "other", UploadedBefore: future}, false)
	check(r2.Conditional{ETagDoesNotMatch: obj.ETag, UploadedAfter: past}, false)

	// On a missing object only etagMatches and uploadedAfter fail.
	missing := func(c r2.Conditional) error {
		_, err := b.Put(ctx(), "missing", strings.NewReader("x"), &r2.PutOptions{OnlyIf: &c})
		b.Delete(ctx(), "missing")
		return err
	}
	require.ErrorIs(t, missing(r2.Conditional{ETagMatches: "x"}), r2.ErrPreconditionFailed)
	require.ErrorIs(t, missing(r2.Conditional{UploadedAfter: past}), r2.ErrPreconditionFailed)
	require.NoError(t, missing(r2.Conditional{ETagDoesNotMatch: "x"}))
	require.NoError(t, missing(r2.Conditional{UploadedBefore: past}))
})

var _ = register("R2-028_OverwriteReplacesAndFrees", func(t *testing.T, s *suite) {
	b, d := s.bucket(t)
	one := put(t, b, "k", "first")
	before, counted := blobCount(t, d)
	two := put(t, b, "k", "second value")
	require.NotEqual(t, one.Version, two.Version)
	require.NotEqual(t, one.ETag, two.ETag)
	require.Equal(t, "second value", text(t, b, "k"))
	head, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.EqualValues(t, 12, head.Size)
	if counted {
		after, _ := blobCount(t, d)
		require.Equal(t, before, after, "the first value's blob is freed")
	}
})

var _ = register("R2-029_GetBodyIntoPut", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "src", "0123456789")
	obj, err := b.Get(ctx(), "src", nil)
	require.NoError(t, err)
	_, err = b.Put(ctx(), "whole", obj.Body, nil)
	require.NoError(t, err)
	obj.Body.Close()
	require.Equal(t, "0123456789", text(t, b, "whole"))
	obj, err = b.Get(ctx(), "src", &r2.GetOptions{Range: &r2.Range{Offset: i64(2), Length: i64(5)}})
	require.NoError(t, err)
	_, err = b.Put(ctx(), "part", obj.Body, nil)
	require.NoError(t, err)
	obj.Body.Close()
	require.Equal(t, "23456", text(t, b, "part"))
})
