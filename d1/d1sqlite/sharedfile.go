package d1sqlite

import (
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/flarego/flarego/internal/writegen"
)

// sharedFile is what every handle on one database file in this process shares, so that the
// result caches of two handles (the runner's and local tooling's, two tests') are exact for
// each other's writes: the writes in progress and the generation that each of them ends,
// and the watcher that notices other processes' writes (package writegen says how they
// keep the cache exact). Handles that reach the file by another path (a symbolic link) do
// not share it and see each other as other processes.
type sharedFile struct {
	key  string
	refs int // under sharedFiles.mu

	writes *writegen.Generation
	sqlDB  atomic.Bool // SQL() was opened on a handle: no cache may serve anything
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
		f = &sharedFile{key: key, writes: writegen.New(cacheCheckEvery, key, key+"-wal")}
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
		f.writes.BeginWrite()
	}
}

// endWrite ends a write whose commit, if any, is visible: what was cached before it is not
// served again. A nil file is a no-op.
func (f *sharedFile) endWrite() {
	if f != nil {
		f.writes.EndWrite()
	}
}

// generation returns the generation a read starting now is to be served and stored with,
// and whether the cache may be used at all (no write in progress).
func (f *sharedFile) generation() (uint64, bool) { return f.writes.Current() }
