package assets_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/assets"
	"github.com/stretchr/testify/require"
)

func tree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"file.html":         "<p>file</p>",
		"folder/index.html": "<p>folder</p>",
		"index.html":        "<p>home</p>",
		"style.css":         "body{}",
		"404.html":          "root 404",
		"docs/404.html":     "docs 404",
		"data.bin":          "0123456789",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func get(t *testing.T, s *assets.Server, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "http://x"+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestHTMLHandling(t *testing.T) {
	dir := tree(t)
	type want struct {
		status int
		body   string // or Location for redirects
	}
	cases := map[string]map[string]want{
		assets.AutoTrailingSlash: {
			"/file": {200, "<p>file</p>"}, "/file.html": {307, "/file"}, "/file/": {307, "/file"},
			"/folder": {307, "/folder/"}, "/folder/": {200, "<p>folder</p>"}, "/folder/index.html": {307, "/folder/"},
			"/": {200, "<p>home</p>"}, "/index.html": {307, "/"}, "/style.css": {200, "body{}"},
		},
		assets.ForceTrailingSlash: {
			"/file": {307, "/file/"}, "/file.html": {307, "/file/"}, "/file/": {200, "<p>file</p>"},
			"/folder": {307, "/folder/"}, "/folder/": {200, "<p>folder</p>"}, "/folder/index.html": {307, "/folder/"},
		},
		assets.DropTrailingSlash: {
			"/file": {200, "<p>file</p>"}, "/file.html": {307, "/file"}, "/file/": {307, "/file"},
			"/folder": {200, "<p>folder</p>"}, "/folder/": {307, "/folder"}, "/folder/index.html": {307, "/folder"},
		},
		assets.HTMLNone: {
			"/file": {404, ""}, "/file.html": {200, "<p>file</p>"}, "/folder/": {404, ""},
			"/folder/index.html": {200, "<p>folder</p>"},
		},
	}
	for mode, table := range cases {
		s, err := assets.New(dir, assets.Options{HTMLHandling: mode})
		require.NoError(t, err)
		for path, w := range table {
			rec := get(t, s, path)
			require.Equal(t, w.status, rec.Code, "%s %s", mode, path)
			switch w.status {
			case 307:
				require.Equal(t, w.body, rec.Header().Get("Location"), "%s %s", mode, path)
			case 200:
				require.Equal(t, w.body, rec.Body.String(), "%s %s", mode, path)
			}
		}
		s.Close()
	}
}

func TestNotFoundHandling(t *testing.T) {
	dir := tree(t)
	s, _ := assets.New(dir, assets.Options{NotFoundHandling: assets.NotFoundPage})
	rec := get(t, s, "/docs/missing/page")
	require.Equal(t, 404, rec.Code)
	require.Equal(t, "docs 404", rec.Body.String(), "the nearest 404.html up the tree")
	require.Equal(t, "root 404", get(t, s, "/nope").Body.String())

	s, _ = assets.New(dir, assets.Options{NotFoundHandling: assets.SinglePageApplication})
	rec = get(t, s, "/app/route/42")
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "<p>home</p>", rec.Body.String())

	s, _ = assets.New(dir, assets.Options{})
	require.Equal(t, 404, get(t, s, "/nope").Code)
	_, err := assets.New(dir, assets.Options{HTMLHandling: "sideways"})
	require.ErrorContains(t, err, `html_handling "sideways"`)
}

func TestContentTypeETagAndRanges(t *testing.T) {
	s, _ := assets.New(tree(t), assets.Options{})
	rec := get(t, s, "/style.css")
	require.Equal(t, "text/css; charset=utf-8", rec.Header().Get("Content-Type"))
	etag := rec.Header().Get("ETag")
	require.Regexp(t, `^"[0-9a-f]{32}"$`, etag)
	require.Equal(t, http.StatusNotModified, get(t, s, "/style.css", "If-None-Match", etag).Code)
	require.Equal(t, 200, get(t, s, "/style.css", "If-None-Match", `"other"`).Code)

	rec = get(t, s, "/data.bin", "Range", "bytes=2-4")
	require.Equal(t, http.StatusPartialContent, rec.Code)
	require.Equal(t, "234", rec.Body.String())
	require.Equal(t, "bytes 2-4/10", rec.Header().Get("Content-Range"))
	require.Equal(t, http.StatusRequestedRangeNotSatisfiable, get(t, s, "/data.bin", "Range", "bytes=20-").Code)
}

func TestNoPathEscapesTheDirectory(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644))
	dir := tree(t)
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "link.txt")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "linkdir")))
	s, _ := assets.New(dir, assets.Options{})
	rel, _ := filepath.Rel(dir, filepath.Join(outside, "secret.txt"))
	for _, p := range []string{
		"/../" + rel, "/%2e%2e/" + rel, "/folder/../../" + rel, "/link.txt", "/linkdir/secret.txt", "/..%2f" + rel,
	} {
		req := httptest.NewRequest("GET", "http://x/", nil)
		req.URL.Path = p
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		require.NotContains(t, rec.Body.String(), "secret", p)
	}
}

func TestWorkerFirstPatterns(t *testing.T) {
	wf, err := assets.ParseWorkerFirst([]byte(`["/api/*", "!/api/docs/*"]`))
	require.NoError(t, err)
	require.True(t, wf.Match("/api/users"))
	require.True(t, wf.Match("/api/"))
	require.False(t, wf.Match("/api/docs/intro"))
	require.False(t, wf.Match("/index.html"))
	all, _ := assets.ParseWorkerFirst([]byte(`true`))
	require.True(t, all.Match("/anything"))
	none, _ := assets.ParseWorkerFirst(nil)
	require.False(t, none.Match("/anything"))
	_, err = assets.ParseWorkerFirst([]byte(`["api/*"]`))
	require.ErrorContains(t, err, "must start with /")
}

// A file added while the runner serves is found once the listing is older than a second,
// even for a path whose miss was remembered.
func TestFileAddedWhileServingIsFound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		s, err := assets.New(dir, assets.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.Resolve("/late.txt"); ok {
			t.Fatal("found before it exists")
		}
		if err := os.WriteFile(filepath.Join(dir, "late.txt"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, ok := s.Resolve("/late.txt"); ok {
			t.Fatal("the listing is fresh: the remembered miss stands")
		}
		time.Sleep(2 * time.Second)
		res, ok := s.Resolve("/late.txt")
		if !ok || res.File != "/late.txt" {
			t.Fatalf("after the listing went stale: %+v %v", res, ok)
		}
	})
}
