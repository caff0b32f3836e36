package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// HTML handling modes (assets.html_handling).
const (
	AutoTrailingSlash  = "auto-trailing-slash"
	ForceTrailingSlash = "force-trailing-slash"
	DropTrailingSlash  = "drop-trailing-slash"
	HTMLNone           = "none"
)

// Not-found handling modes (assets.not_found_handling).
const (
	SinglePageApplication = "single-page-application"
	NotFoundPage          = "404-page"
	NotFoundNone          = "none"
)

// Options configure a Server.
type Options struct {
	// HTMLHandling is one of the HTML handling modes; "" means AutoTrailingSlash.
	HTMLHandling string
	// NotFoundHandling is one of the not-found modes; "" means NotFoundNone.
	NotFoundHandling string
}

// Server serves the files of one directory.
type Server struct {
	root *os.Root
	dir  string
	opts Options

	mu    sync.Mutex
	etags map[string]etagEntry

	// listing is the set of regular files, so that a request that matches no asset (the
	// common case for a worker's own routes) costs no system call.
	listMu  sync.RWMutex
	files   map[string]bool
	scanned time.Time
	// resolved remembers Resolve's answers for the current listing (a new scan starts it
	// over): a worker's own routes are looked up on every request.
	resolved map[string]resolution
	listing  uint64 // counts scans
}

type resolution struct {
	res Result
	ok  bool
}

// maxResolved bounds the remembered answers; past it, answers are computed each time.
const maxResolved = 4096

// rescanAfter is how old the file listing may be before a miss looks at the directory
// again: files added while the runner serves show up within this time.
const rescanAfter = time.Second

type etagEntry struct {
	size  int64
	mtime time.Time
	etag  string
}

// New serves dir. It fails when dir is not a readable directory or an option is unknown.
func New(dir string, opts Options) (*Server, error) {
	switch opts.HTMLHandling {
	case "":
		opts.HTMLHandling = AutoTrailingSlash
	case AutoTrailingSlash, ForceTrailingSlash, DropTrailingSlash, HTMLNone:
	default:
		return nil, fmt.Errorf("assets: html_handling %q is not one of auto-trailing-slash, force-trailing-slash, drop-trailing-slash, none", opts.HTMLHandling)
	}
	switch opts.NotFoundHandling {
	case "":
		opts.NotFoundHandling = NotFoundNone
	case SinglePageApplication, NotFoundPage, NotFoundNone:
	default:
		return nil, fmt.Errorf("assets: not_found_handling %q is not one of single-page-application, 404-page, none", opts.NotFoundHandling)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("assets: directory %s: %w", dir, err)
	}
	return &Server{root: root, dir: dir, opts: opts, etags: map[string]etagEntry{}}, nil
}

// Close releases the directory.
func (s *Server) Close() error { return s.root.Close() }

// Result is what Resolve found for a request path.
type Result struct {
	// File is the asset's path inside the directory ("" when none).
	File string
	// Redirect is where to send the client instead (307), when not "".
	Redirect string
	// Status is 200, or 404 for a 404-page answer.
	Status int
}

// Resolve maps a request path to an asset, applying the HTML handling rules, without the
// not-found rules. ok is false when nothing matches.
func (s *Server) Resolve(reqPath string) (Result, bool) {
	s.listMu.RLock()
	r, known := s.resolved[reqPath]
	fresh := time.Since(s.scanned) < rescanAfter
	listing := s.listing
	s.listMu.RUnlock()
	if known && fresh {
		return r.res, r.ok
	}
	res, ok := s.resolve(reqPath)
	s.listMu.Lock()
	// Keep the answer only if the listing it came from is still the current one.
	if s.listing == listing || listing == 0 {
		if s.resolved == nil {
			s.resolved = map[string]resolution{}
		}
		if len(s.resolved) < maxResolved {
			s.resolved[reqPath] = resolution{res, ok}
		}
	}
	s.listMu.Unlock()
	return res, ok
}

func (s *Server) resolve(reqPath string) (Result, bool) {
	p := path.Clean("/" + reqPath)
	if strings.HasSuffix(reqPath, "/") && p != "/" {
		p += "/"
	}
	trailing := strings.HasSuffix(p, "/")
	base := strings.TrimSuffix(p, "/")
	mode := s.opts.HTMLHandling

	// An exact file always wins for non-HTML paths.
	if !trailing && s.isFile(p) && !strings.HasSuffix(p, ".html") {
		return Result{File: p, Status: 200}, true
	}
	if mode == HTMLNone {
		if !trailing && s.isFile(p) {
			return Result{File: p, Status: 200}, true
		}
		return Result{}, false
	}
	// Requests naming an .html file redirect to the canonical URL.
	if strings.HasSuffix(p, "/index.html") && s.isFile(p) {
		dirURL := strings.TrimSuffix(p, "index.html")
		if mode == DropTrailingSlash && dirURL != "/" {
			return Result{Redirect: strings.TrimSuffix(dirURL, "/")}, true
		}
		return Result{Redirect: dirURL}, true
	}
	if strings.HasSuffix(p, ".html") && s.isFile(p) {
		canon := strings.TrimSuffix(p, ".html")
		if mode == ForceTrailingSlash {
			canon += "/"
		}
		return Result{Redirect: canon}, true
	}
	file := base + ".html"
	index := base + "/index.html"
	if base == "" {
		file, index = "/index.html", "/index.html"
	}
	hasFile, hasIndex := s.isFile(file), s.isFile(index)
	switch mode {
	case AutoTrailingSlash:
		switch {
		case trailing && hasIndex:
			return Result{File: index, Status: 200}, true
		case trailing && hasFile:
			return Result{Redirect: base}, true
		case !trailing && hasFile:
			return Result{File: file, Status: 200}, true
		case !trailing && hasIndex:
			return Result{Redirect: base + "/"}, true
		}
	case ForceTrailingSlash:
		switch {
		case trailing && hasIndex:
			return Result{File: index, Status: 200}, true
		case trailing && hasFile:
			return Result{File: file, Status: 200}, true
		case !trailing && (hasFile || hasIndex):
			return Result{Redirect: base + "/"}, true
		}
	case DropTrailingSlash:
		switch {
		case !trailing && hasFile:
			return Result{File: file, Status: 200}, true
		case !trailing && hasIndex:
			return Result{File: index, Status: 200}, true
		case trailing && base != "" && (hasFile || hasIndex):
			return Result{Redirect: base}, true
		case trailing && base == "" && hasIndex:
			return Result{File: index, Status: 200}, true
		}
	}
	return Result{}, false
}

// NotFound applies not_found_handling to a path nothing matched.
func (s *Server) NotFound(reqPath string) (Result, bool) {
	switch s.opts.NotFoundHandling {
	case SinglePageApplication:
		if s.isFile("/index.html") {
			return Result{File: "/index.html", Status: 200}, true
		}
	case NotFoundPage:
		dir := path.Dir(path.Clean("/" + reqPath))
		for {
			if f := path.Join(dir, "404.html"); s.isFile(f) {
				return Result{File: f, Status: http.StatusNotFound}, true
			}
			if dir == "/" {
				break
			}
			dir = path.Dir(dir)
		}
	}
	return Result{}, false
}

// ServeHTTP answers req from the directory, applying both rule sets; nothing found is a 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !s.Serve(w, req, true) {
		http.NotFound(w, req)
	}
}

// Serve answers req when an asset (or a redirect) matches, with the not-found rules when
// notFound is true; it returns false, having written nothing, otherwise.
func (s *Server) Serve(w http.ResponseWriter, req *http.Request, notFound bool) bool {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false
	}
	res, ok := s.Resolve(req.URL.Path)
	if !ok && notFound {
		res, ok = s.NotFound(req.URL.Path)
	}
	if !ok {
		return false
	}
	if res.Redirect != "" {
		target := res.Redirect
		if req.URL.RawQuery != "" {
			target += "?" + req.URL.RawQuery
		}
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return true
	}
	return s.serveFile(w, req, res)
}

func (s *Server) serveFile(w http.ResponseWriter, req *http.Request, res Result) bool {
	f, err := s.root.Open(strings.TrimPrefix(res.File, "/"))
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return false
	}
	etag, err := s.etag(res.File, f, st)
	if err != nil {
		return false
	}
	h := w.Header()
	ctype := mime.TypeByExtension(filepath.Ext(res.File))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	if res.Status == http.StatusNotFound {
		// The 404 page is not cacheable content: no ranges or 304s.
		h.Set("Content-Length", fmt.Sprint(st.Size()))
		w.WriteHeader(http.StatusNotFound)
		if req.Method != http.MethodHead {
			io.Copy(w, f)
		}
		return true
	}
	// ServeContent answers If-None-Match with 304 and Range with 206 (or 416).
	http.ServeContent(w, req, "", time.Time{}, f)
	return true
}

func (s *Server) isFile(p string) bool {
	name := strings.TrimPrefix(p, "/")
	s.listMu.RLock()
	found, fresh := s.files[name], time.Since(s.scanned) < rescanAfter
	s.listMu.RUnlock()
	if found || fresh {
		return found
	}
	s.scan()
	s.listMu.RLock()
	defer s.listMu.RUnlock()
	return s.files[name]
}

// scan lists the regular files under the directory (symbolic links are not followed: a
// link is never an asset).
func (s *Server) scan() {
	s.listMu.Lock()
	defer s.listMu.Unlock()
	if time.Since(s.scanned) < rescanAfter && s.files != nil {
		return
	}
	files := map[string]bool{}
	fs.WalkDir(s.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files[p] = true
		}
		return nil
	})
	s.files, s.scanned, s.resolved = files, time.Now(), nil
	s.listing++
}

// etag returns the file's strong ETag, hashing it once per size and modification time.
func (s *Server) etag(p string, f *os.File, st fs.FileInfo) (string, error) {
	s.mu.Lock()
	e, ok := s.etags[p]
	s.mu.Unlock()
	if ok && e.size == st.Size() && e.mtime.Equal(st.ModTime()) {
		return e.etag, nil
	}
	hash := sha256.New()
	if _, err := io.Copy(hash, f); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tag := `"` + hex.EncodeToString(hash.Sum(nil)[:16]) + `"`
	s.mu.Lock()
	s.etags[p] = etagEntry{size: st.Size(), mtime: st.ModTime(), etag: tag}
	s.mu.Unlock()
	return tag, nil
}
