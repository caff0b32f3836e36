package r2test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
)

func keys(objs []*r2.Object) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

func list(t *testing.T, b *r2.Bucket, o *r2.ListOptions) *r2.ListResult {
	t.Helper()
	page, err := b.List(ctx(), o)
	require.NoError(t, err)
	return page
}

var _ = register("R2-030_Delete", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	require.NoError(t, b.Delete(ctx(), "missing"))
	for _, k := range []string{"k1", "k2", "k3"} {
		put(t, b, k, k)
	}
	require.NoError(t, b.Delete(ctx(), "k1", "k2", "nope"))
	require.Equal(t, []string{"k3"}, keys(list(t, b, nil).Objects))
	err := b.Delete(ctx(), "k3", strings.Repeat("x", 1025))
	require.ErrorIs(t, err, r2.ErrInvalidObjectName)
	require.Equal(t, []string{"k3"}, keys(list(t, b, nil).Objects), "an invalid key fails the whole call")
})

var _ = register("R2-031_ListOrderAndDefaultLimit", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	for _, k := range []string{"key1", ", ", "!"} {
		put(t, b, k, "v")
	}
	require.Equal(t, []string{"!", ", ", "key1"}, keys(list(t, b, nil).Objects))
	for i := range 1001 {
		put(t, b, fmt.Sprintf("many/%04d", i), "")
	}
	page := list(t, b, &r2.ListOptions{Prefix: "many/"})
	require.Len(t, page.Objects, 1000)
	require.True(t, page.Truncated)
	page = list(t, b, &r2.ListOptions{Prefix: "many/", Cursor: page.Cursor})
	require.Equal(t, []string{"many/1000"}, keys(page.Objects))
	require.False(t, page.Truncated)
})

var _ = register("R2-032_ListLimitBounds", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	for _, l := range []int{-1, 1001} {
		_, err := b.List(ctx(), &r2.ListOptions{Limit: l})
		errText(t, err, "list: MaxKeys params must be positive integer <= 1000. (10022)")
	}
	put(t, b, "a", "")
	put(t, b, "b", "")
	page := list(t, b, &r2.ListOptions{Limit: 1})
	require.Equal(t, []string{"a"}, keys(page.Objects))
})

var _ = register("R2-033_ListStartAfter", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	for _, k := range []string{"a", "b", "c", "d"} {
		put(t, b, k, "")
	}
	require.Equal(t, []string{"c", "d"}, keys(list(t, b, &r2.ListOptions{StartAfter: "b"}).Objects))
	require.Equal(t, []string{"c", "d"}, keys(list(t, b, &r2.ListOptions{StartAfter: "bb"}).Objects))
})

var _ = register("R2-034_ListCursor", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	for _, k := range []string{"a", "b", "c"} {
		put(t, b, k, "")
	}
	page := list(t, b, &r2.ListOptions{Limit: 2})
	require.True(t, page.Truncated)
	require.NotEmpty(t, page.Cursor)
	page = list(t, b, &r2.ListOptions{Limit: 2, Cursor: page.Cursor})
	require.Equal(t, []string{"c"}, keys(page.Objects))
	require.False(t, page.Truncated)
	require.Empty(t, page.Cursor)
	page = list(t, b, &r2.ListOptions{Limit: 3})
	require.False(t, page.Truncated, "an exactly full last page is not truncated")
	require.Empty(t, page.Cursor)
	page = list(t, b, &r2.ListOptions{Cursor: "!!not a cursor!!"})
	require.Empty(t, page.Objects)
	require.False(t, page.Truncated)
})

var _ = register("R2-035_ListWhileInserting", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	for _, k := range []string{"b", "d", "f"} {
		put(t, b, k, "")
	}
	page := list(t, b, &r2.ListOptions{Limit: 2})
	require.Equal(t, []string{"b", "d"}, keys(page.Objects))
	put(t, b, "a", "")
	put(t, b, "e", "")
	page = list(t, b, &r2.ListOptions{Limit: 2, Cursor: page.Cursor})
	require.Equal(t, []string{"e", "f"}, keys(page.Objects))
})

var _ = register("R2-036_ListInclude", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	put(t, b, "k", "v", &r2.PutOptions{
		HTTPMetadata:   &r2.HTTPMetadata{ContentType: "text/plain"},
		CustomMetadata: map[string]string{"a": "1"},
	})
	o := list(t, b, nil).Objects[0]
	require.Nil(t, o.HTTPMetadata)
	require.Nil(t, o.CustomMetadata)
	o = list(t, b, &r2.ListOptions{Include: []string{"httpMetadata"}}).Objects[0]
	require.Equal(t, "text/plain", o.HTTPMetadata.ContentType)
	require.Nil(t, o.CustomMetadata)
	o = list(t, b, &r2.ListOptions{Include: []string{"customMetadata"}}).Objects[0]
	require.Nil(t, o.HTTPMetadata)
	require.Equal(t, map[string]string{"a": "1"}, o.CustomMetadata)
	o = list(t, b, &r2.ListOptions{Include: []string{"httpMetadata", "customMetadata"}}).Objects[0]
	require.NotNil(t, o.HTTPMetadata)
	require.NotNil(t, o.CustomMetadata)
	_, err := b.List(ctx(), &r2.ListOptions{Include: []string{"nope"}})
	errText(t, err, "Unsupported include value nope")
})

var _ = register("R2-037_ListIncludeShortPages", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	for i := range 150 {
		put(t, b, fmt.Sprintf("%03d", i), "")
	}
	page := list(t, b, &r2.ListOptions{Include: []string{"customMetadata"}})
	require.Less(t, len(page.Objects), 150)
	require.True(t, page.Truncated)
	total := len(page.Objects)
	for page.Truncated {
		page = list(t, b, &r2.ListOptions{Include: []string{"customMetadata"}, Cursor: page.Cursor})
		total += len(page.Objects)
	}
	require.Equal(t, 150, total)
})

func putKeys(t *testing.T, b *r2.Bucket, ks ...string) {
	for _, k := range ks {
		put(t, b, k, "")
	}
}

var _ = register("R2-038_ListDelimiter", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	putKeys(t, b, "dir0/file0", "dir0/file1", "dir0/sub0/file", "dir1/file", "root")
	page := list(t, b, &r2.ListOptions{Delimiter: "/"})
	require.Equal(t, []string{"root"}, keys(page.Objects))
	require.Equal(t, []string{"dir0/", "dir1/"}, page.DelimitedPrefixes)
	page = list(t, b, &r2.ListOptions{Delimiter: ""})
	require.Len(t, page.Objects, 5)
	require.Empty(t, page.DelimitedPrefixes)
	page = list(t, b, &r2.ListOptions{Delimiter: "file"})
	require.Equal(t, []string{"root"}, keys(page.Objects))
	require.Equal(t, []string{"dir0/file", "dir0/sub0/file", "dir1/file"}, page.DelimitedPrefixes)
})

var _ = register("R2-039_ListPrefixAndDelimiter", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	putKeys(t, b, "dir0/file0", "dir0/file1", "dir0/sub0/a", "dir0/sub0/b", "dir0/sub1/a", "dir1/file")
	page := list(t, b, &r2.ListOptions{Prefix: "dir0/", Delimiter: "/"})
	require.Equal(t, []string{"dir0/file0", "dir0/file1"}, keys(page.Objects))
	require.Equal(t, []string{"dir0/sub0/", "dir0/sub1/"}, page.DelimitedPrefixes)
	page = list(t, b, &r2.ListOptions{Prefix: "dir0", Delimiter: "/"})
	require.Empty(t, page.Objects)
	require.Equal(t, []string{"dir0/"}, page.DelimitedPrefixes)
})

var _ = register("R2-040_ListDelimiterPages", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	putKeys(t, b, "a", "b/1", "b/2", "b/3", "c", "d/1", "e")
	var objs, prefixes []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		page := list(t, b, &r2.ListOptions{Delimiter: "/", Limit: 2, Cursor: cursor})
		require.LessOrEqual(t, len(page.Objects)+len(page.DelimitedPrefixes), 2)
		objs = append(objs, keys(page.Objects)...)
		prefixes = append(prefixes, page.DelimitedPrefixes...)
		if !page.Truncated {
			break
		}
		cursor = page.Cursor
	}
	require.Equal(t, []string{"a", "c", "e"}, objs)
	require.Equal(t, []string{"b/", "d/"}, prefixes)
	page := list(t, b, &r2.ListOptions{Delimiter: "/", Limit: 2})
	require.Equal(t, []string{"a"}, keys(page.Objects))
	require.Equal(t, []string{"b/"}, page.DelimitedPrefixes)
})

var _ = register("ListObjectsIterator", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	for i := range 25 {
		put(t, b, fmt.Sprintf("k%02d", i), "")
	}
	n := 0
	for obj, err := range b.Objects(ctx(), &r2.ListOptions{Limit: 7}) {
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("k%02d", n), obj.Key)
		n++
	}
	require.Equal(t, 25, n)
})

var _ = register("R2-038_ListDelimiterLargeGroups", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	for i := range 1500 {
		put(t, b, fmt.Sprintf("big/%04d", i), "")
	}
	putKeys(t, b, "a", "big", "c/1", "z")
	page := list(t, b, &r2.ListOptions{Delimiter: "/", Limit: 3})
	require.Equal(t, []string{"a", "big"}, keys(page.Objects))
	require.Equal(t, []string{"big/"}, page.DelimitedPrefixes)
	require.True(t, page.Truncated)
	page = list(t, b, &r2.ListOptions{Delimiter: "/", Limit: 3, Cursor: page.Cursor})
	require.Equal(t, []string{"z"}, keys(page.Objects))
	require.Equal(t, []string{"c/"}, page.DelimitedPrefixes)
	require.False(t, page.Truncated)
})
