package d1sqlite

import (
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/flarego/flarego/internal/filechange"
)

// sharedFile is what every handle on one database file in this process shares, so that the
// result caches of two handles (the runner's and local tooling's, two tests') are exact for
// each other's writes: the writes in progress and a generation that ends each of them, and
// the watcher that notices other processes' writes. Handles that reach the file by another
// path (a symbolic link) do not share it and see each other as other processes.
//
// A writer counts itself in writing before it may commit, and bumps gen, then counts itself
// out, once its commit is visible, before it answers. A read looks at writing, then takes
// gen: a cached result is served (or stored) only when no write was in progress, and served
// only while gen is what its read took before it started. In that order, a commit visible
// before a read began is either still counted in writing (the cache is bypassed) or has
// bumped gen (results read before it are not served): no reader can see a write and then,
// from the cache, the state before it.
type sharedFile struct {
	key  string
	refs int // under sharedFiles.mu

	gen     atomic.Uint64
	writing atomic.Int64
	sqlDB   atomic.Bool // SQL() was opened on a handle: no cache may serve anything
	files   *filechange.Watcher
}

var sharedFiles = struct {
	mu sync.Mutex
	m  map[string]*sharedFile
}{m: map[string]*sharedFile{}}

// joinFile returns the shared state of the file at path; leave it when done.
func joinFile(path string) *sharedFile {
	key := path
	if abs, err := filepath.Abs(path); err == nil {
		key = abs
	}
	sharedFiles.mu.Lock()
	defer sharedFiles.mu.Unlock()
	f := sharedFiles.m[key]
	if f == nil {
		f = &sharedFile{key: key, files: filechange.New(cacheCheckEvery, key, key+"-wal")}
		sharedFiles.m[key] = f
	}
	f.refs++
	return f
}

// leave gives up a handle's share. A nil file is a no-op.
func (f *sharedFile) leave() {
	if f == nil {
		return
	}
	sharedFiles.mu.Lock()
	defer sharedFiles.mu.Unlock()
	if f.refs--; f.refs == 0 {
		delete(sharedFiles.m, f.key)
	}
}

// beginWrite counts a write in progress: from now until endWrite, reads bypass the cache. A
// nil file is a no-op.
func (f *sharedFile) beginWrite() {
	if f != nil {
		f.writing.Add(1)
	}
}

// endWrite ends a write whose commit, if any, is visible: what was cached before it is not
// served again. A nil file is a no-op.
func (f *sharedFile) endWrite() {
	if f != nil {
		f.gen.Add(1)
		f.writing.Add(-1)
	}
}

// generation returns the generation a read starting now is to be served and stored with,
// and whether the cache may be used at all (no write in progress). The files are looked at
// first when due (at most once per cacheCheckEvery; no system call otherwise), and a change
// seen there ends the generation as a write does.
func (f *sharedFile) generation() (uint64, bool) {
	if f.files.Poll() {
		f.gen.Add(1)
	}
	idle := f.writing.Load() == 0 // before gen: see sharedFile
	return f.gen.Load(), idle
}
