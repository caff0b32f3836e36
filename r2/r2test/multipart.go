package r2test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
)

// The suite's buckets use a 50-byte part minimum, as the simulator's tests do.
const minPart = 50

func part(t *testing.T, u *r2.MultipartUpload, n int, data string) r2.UploadedPart {
	t.Helper()
	p, err := u.UploadPart(ctx(), n, strings.NewReader(data), nil)
	require.NoError(t, err)
	return p
}

func create(t *testing.T, b *r2.Bucket, key string, opts ...*r2.MultipartOptions) *r2.MultipartUpload {
	t.Helper()
	var o *r2.MultipartOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	u, err := b.CreateMultipartUpload(ctx(), key, o)
	require.NoError(t, err)
	return u
}

var _ = register("R2-045_CreateMultipartUpload", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	one, two := create(t, b, "k"), create(t, b, "k")
	require.Equal(t, "k", one.Key)
	require.NotEmpty(t, one.UploadID)
	require.NotEqual(t, one.UploadID, two.UploadID)
})

var _ = register("R2-046_ResumeDoesNotCheck", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	u := b.ResumeMultipartUpload("k", "no-such-upload")
	require.Equal(t, "no-such-upload", u.UploadID)
	real := create(t, b, "k")
	resumed := b.ResumeMultipartUpload("k", real.UploadID)
	p := part(t, resumed, 1, "data")
	_, err := real.Complete(ctx(), []r2.UploadedPart{p})
	require.NoError(t, err)
})

var _ = register("R2-047_UploadPart", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	u := create(t, b, "k")
	for _, n := range []int{0, 10001, -1} {
		_, err := u.UploadPart(ctx(), n, strings.NewReader("x"), nil)
		errText(t, err, "Part number must be between 1 and 10000 (inclusive). Actual value was: "+strconv.Itoa(n))
	}
	p := part(t, u, 10000, "value")
	require.Equal(t, 10000, p.PartNumber)
	require.NotEqual(t, "2063c1608d6e0baf80249c42e2be5804", p.ETag, "a part's etag is not its MD5")
	require.NotEmpty(t, p.ETag)
})

var _ = register("R2-048_PartReplaced", func(t *testing.T, s *suite) {
	b, d := s.bucket(t)
	u := create(t, b, "k")
	first := part(t, u, 1, "one")
	before, counted := blobCount(t, d)
	second := part(t, u, 1, "two")
	require.NotEqual(t, first.ETag, second.ETag)
	if counted {
		after, _ := blobCount(t, d)
		require.Equal(t, before, after, "the replaced part is freed")
	}
	_, err := u.Complete(ctx(), []r2.UploadedPart{first})
	errText(t, err, "completeMultipartUpload: One or more of the specified parts could not be found. (10025)")
	_, err = u.Complete(ctx(), []r2.UploadedPart{second})
	require.NoError(t, err)
	require.Equal(t, "two", text(t, b, "k"))
})

var _ = register("R2-049_UploadPartNoSuchUpload", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	want := "uploadPart: The specified multipart upload does not exist. (10024)"
	_, err := b.ResumeMultipartUpload("k", "unknown").UploadPart(ctx(), 1, strings.NewReader("x"), nil)
	errText(t, err, want)
	u := create(t, b, "k")
	_, err = b.ResumeMultipartUpload("other", u.UploadID).UploadPart(ctx(), 1, strings.NewReader("x"), nil)
	errText(t, err, want)
	require.NoError(t, u.Abort(ctx()))
	_, err = u.UploadPart(ctx(), 1, strings.NewReader("x"), nil)
	errText(t, err, want)
	v := create(t, b, "k")
	_, err = v.Complete(ctx(), nil)
	require.NoError(t, err)
	_, err = v.UploadPart(ctx(), 1, strings.NewReader("x"), nil)
	errText(t, err, want)
})

var _ = register("R2-050_Abort", func(t *testing.T, s *suite) {
	b, d := s.bucket(t)
	base, counted := blobCount(t, d)
	u := create(t, b, "k")
	part(t, u, 1, "one")
	part(t, u, 2, "two")
	require.NoError(t, u.Abort(ctx()))
	if counted {
		n, _ := blobCount(t, d)
		require.Equal(t, base, n, "abort frees the parts")
	}
	require.NoError(t, u.Abort(ctx()), "aborting twice succeeds")
	v := create(t, b, "k")
	p := part(t, v, 1, "done")
	_, err := v.Complete(ctx(), []r2.UploadedPart{p})
	require.NoError(t, err)
	require.NoError(t, v.Abort(ctx()), "abort after complete succeeds")
	require.Equal(t, "done", text(t, b, "k"), "and leaves the object alone")
	err = b.ResumeMultipartUpload("k", "unknown").Abort(ctx())
	errText(t, err, "abortMultipartUpload: We encountered an internal error. Please try again. (10001)")
	err = b.ResumeMultipartUpload("other", v.UploadID).Abort(ctx())
	require.ErrorIs(t, err, r2.ErrInternal)
})

var _ = register("R2-051_CompleteAssemblesByPartNumber", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	meta := &r2.MultipartOptions{
		HTTPMetadata:   &r2.HTTPMetadata{ContentType: "text/plain"},
		CustomMetadata: map[string]string{"a": "1"},
	}
	u := create(t, b, "k", meta)
	a, c := strings.Repeat("a", minPart), strings.Repeat("c", minPart)
	p3 := part(t, u, 3, c)
	p1 := part(t, u, 1, a)
	obj, err := u.Complete(ctx(), []r2.UploadedPart{p3, p1})
	require.NoError(t, err, "any order, and gaps in part numbers")
	require.EqualValues(t, 2*minPart, obj.Size)
	require.Equal(t, a+c, text(t, b, "k"))
	head, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.Equal(t, "text/plain", head.HTTPMetadata.ContentType)
	require.Equal(t, map[string]string{"a": "1"}, head.CustomMetadata)
})

var _ = register("R2-052_PartTooSmall", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	u := create(t, b, "k")
	p1 := part(t, u, 1, strings.Repeat("a", minPart-1))
	p2 := part(t, u, 2, "b")
	_, err := u.Complete(ctx(), []r2.UploadedPart{p1, p2})
	errText(t, err, "completeMultipartUpload: Your proposed upload is smaller than the minimum allowed object size. (10011)")
	// A single part may be any size.
	v := create(t, b, "one")
	_, err = v.Complete(ctx(), []r2.UploadedPart{part(t, v, 1, "x")})
	require.NoError(t, err)
	// The default minimum is 5 MiB.
	def, _ := s.bucket(t, func(o *r2.Options) { o.MinPartSize = 0 })
	w := create(t, def, "k")
	q1 := part(t, w, 1, strings.Repeat("a", 1<<20))
	q2 := part(t, w, 2, "b")
	_, err = w.Complete(ctx(), []r2.UploadedPart{q1, q2})
	require.ErrorIs(t, err, r2.ErrEntityTooSmall)
})

var _ = register("R2-053_PartSizesUnequal", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	u := create(t, b, "k")
	p1 := part(t, u, 1, strings.Repeat("a", minPart))
	p2 := part(t, u, 2, strings.Repeat("b", minPart+1))
	p3 := part(t, u, 3, "c")
	_, err := u.Complete(ctx(), []r2.UploadedPart{p1, p2, p3})
	errText(t, err, "completeMultipartUpload: There was a problem with the multipart upload. (10048)")
	v := create(t, b, "v")
	q1 := part(t, v, 1, strings.Repeat("a", minPart))
	q2 := part(t, v, 2, strings.Repeat("b", minPart+1))
	_, err = v.Complete(ctx(), []r2.UploadedPart{q1, q2})
	require.ErrorIs(t, err, r2.ErrBadUpload, "a final part larger than the others")
	w := create(t, b, "w")
	r1 := part(t, w, 1, strings.Repeat("a", minPart))
	r2p := part(t, w, 2, strings.Repeat("b", minPart))
	_, err = w.Complete(ctx(), []r2.UploadedPart{r1, r2p})
	require.NoError(t, err, "a final part equal to the others")
})

var _ = register("R2-054_InvalidParts", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	u := create(t, b, "k")
	p := part(t, u, 1, "a")
	other := create(t, b, "k")
	q := part(t, other, 2, "b")
	for _, parts := range [][]r2.UploadedPart{
		{{PartNumber: 5, ETag: p.ETag}},
		{{PartNumber: 1, ETag: "wrong"}},
		{q},
	} {
		_, err := u.Complete(ctx(), parts)
		require.ErrorIs(t, err, r2.ErrInvalidPart)
	}
	_, err := u.Complete(ctx(), []r2.UploadedPart{p, p})
	errText(t, err, "completeMultipartUpload: We encountered an internal error. Please try again. (10001)")
})

var _ = register("R2-055_CompleteTwice", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	u := create(t, b, "k")
	p := part(t, u, 1, "a")
	_, err := u.Complete(ctx(), []r2.UploadedPart{p})
	require.NoError(t, err)
	_, err = u.Complete(ctx(), []r2.UploadedPart{p})
	errText(t, err, "completeMultipartUpload: The specified multipart upload does not exist. (10024)")
	v := create(t, b, "k")
	require.NoError(t, v.Abort(ctx()))
	_, err = v.Complete(ctx(), nil)
	require.ErrorIs(t, err, r2.ErrNoSuchUpload)
	_, err = b.ResumeMultipartUpload("k", "unknown").Complete(ctx(), nil)
	require.ErrorIs(t, err, r2.ErrInternal)
})

var _ = register("R2-056_MultipartETag", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	u := create(t, b, "k")
	data := []string{strings.Repeat("a", minPart), strings.Repeat("b", minPart), "c"}
	var parts []r2.UploadedPart
	h := md5.New()
	for i, d := range data {
		parts = append(parts, part(t, u, i+1, d))
		sum := md5.Sum([]byte(d))
		h.Write(sum[:])
	}
	obj, err := u.Complete(ctx(), parts)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(h.Sum(nil))+"-3", obj.ETag)
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}-3$`), obj.ETag)
	require.Equal(t, r2.Checksums{}, obj.Checksums)
	head, err := b.Head(ctx(), "k")
	require.NoError(t, err)
	require.Equal(t, obj.ETag, head.ETag)
	require.Equal(t, r2.Checksums{}, head.Checksums)

	empty := create(t, b, "empty")
	obj, err = empty.Complete(ctx(), nil)
	require.NoError(t, err)
	require.Equal(t, "d41d8cd98f00b204e9800998ecf8427e-0", obj.ETag)
	require.EqualValues(t, 0, obj.Size)
	require.Equal(t, "", text(t, b, "empty"))
})

var _ = register("R2-057_InProgressInvisible", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	u := create(t, b, "k")
	p := part(t, u, 1, "pending")
	_, err := b.Head(ctx(), "k")
	require.ErrorIs(t, err, r2.ErrNotFound)
	_, err = b.Get(ctx(), "k", nil)
	require.ErrorIs(t, err, r2.ErrNotFound)
	require.Empty(t, list(t, b, nil).Objects)
	put(t, b, "k", "plain")
	require.NoError(t, b.Delete(ctx(), "k"))
	_, err = u.Complete(ctx(), []r2.UploadedPart{p})
	require.NoError(t, err, "a put and delete of the key leave the parts alone")
	require.Equal(t, "pending", text(t, b, "k"))
})

var _ = register("R2-058_MultipartReads", func(t *testing.T, s *suite) {
	b, d := s.bucket(t)
	base, counted := blobCount(t, d)
	u := create(t, b, "k")
	var want bytes.Buffer
	var parts []r2.UploadedPart
	for i, c := range []string{"a", "b", "c"} {
		n := minPart
		if i == 2 {
			n = 20
		}
		chunk := strings.Repeat(c, n)
		want.WriteString(chunk)
		parts = append(parts, part(t, u, i+1, chunk))
	}
	_, err := u.Complete(ctx(), parts)
	require.NoError(t, err)
	all := want.String()
	require.Equal(t, all, text(t, b, "k"))
	for _, r := range []r2.Range{
		{Offset: i64(minPart - 5), Length: i64(10)},
		{Offset: i64(10), Length: i64(2*minPart + 5)},
		{Suffix: i64(minPart + 25)},
	} {
		got, rng := ranged(t, b, "k", &r2.GetOptions{Range: &r})
		require.Equal(t, all[rng.Offset:rng.Offset+rng.Length], got)
	}

	// A delete while a reader streams lets the read finish.
	obj, err := b.Get(ctx(), "k", nil)
	require.NoError(t, err)
	head := make([]byte, 7)
	_, err = io.ReadFull(obj.Body, head)
	require.NoError(t, err)
	require.NoError(t, b.Delete(ctx(), "k"))
	put(t, b, "k", "replacement")
	rest, err := io.ReadAll(obj.Body)
	require.NoError(t, err)
	require.NoError(t, obj.Body.Close())
	require.Equal(t, all, string(head)+string(rest))

	// Overwrite frees every part.
	require.NoError(t, b.Delete(ctx(), "k"))
	if counted {
		n, _ := blobCount(t, d)
		require.Equal(t, base, n)
	}
})

var _ = register("R2-059_UploadsExpire", func(t *testing.T, s *suite) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := s.bucket(t)
		u := create(t, b, "k")
		part(t, u, 1, "a")
		ups, _, err := b.ListMultipartUploads(ctx(), nil)
		require.NoError(t, err)
		require.Len(t, ups, 1)
		time.Sleep(r2.UploadExpiry + time.Second)
		_, err = u.UploadPart(ctx(), 2, strings.NewReader("b"), nil)
		require.ErrorIs(t, err, r2.ErrNoSuchUpload)
		_, err = u.Complete(ctx(), nil)
		require.ErrorIs(t, err, r2.ErrNoSuchUpload)
		ups, _, err = b.ListMultipartUploads(ctx(), nil)
		require.NoError(t, err)
		require.Empty(t, ups)
		require.NoError(t, b.Close())
	})
})

var _ = register("ListMultipartUploadsAndParts", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	a1 := create(t, b, "a")
	a2 := create(t, b, "a")
	c := create(t, b, "c")
	create(t, b, "x/other")
	ups, truncated, err := b.ListMultipartUploads(ctx(), &r2.ListUploadsOptions{Limit: 2})
	require.NoError(t, err)
	require.True(t, truncated)
	require.Len(t, ups, 2)
	require.Equal(t, "a", ups[0].Key)
	require.Equal(t, "a", ups[1].Key)
	rest, truncated, err := b.ListMultipartUploads(ctx(), &r2.ListUploadsOptions{KeyMarker: ups[1].Key, UploadIDMarker: ups[1].UploadID})
	require.NoError(t, err)
	require.False(t, truncated)
	require.Len(t, rest, 2)
	require.Equal(t, c.UploadID, rest[0].UploadID)
	ids := []string{ups[0].UploadID, ups[1].UploadID}
	require.ElementsMatch(t, []string{a1.UploadID, a2.UploadID}, ids)
	only, _, err := b.ListMultipartUploads(ctx(), &r2.ListUploadsOptions{Prefix: "x/"})
	require.NoError(t, err)
	require.Len(t, only, 1)

	p2 := part(t, a1, 2, "bb")
	p1 := part(t, a1, 1, "a")
	infos, err := a1.ListParts(ctx())
	require.NoError(t, err)
	require.Len(t, infos, 2)
	require.Equal(t, p1.ETag, infos[0].ETag)
	require.EqualValues(t, 1, infos[0].Size)
	require.Equal(t, p2.ETag, infos[1].ETag)
	_, err = b.ResumeMultipartUpload("a", "nope").ListParts(ctx())
	require.ErrorIs(t, err, r2.ErrNoSuchUpload)
})
