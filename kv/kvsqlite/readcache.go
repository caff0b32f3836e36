package kvsqlite

import (
	"bytes"
	"path/filepath"
	"sync"
	"time"

	"github.com/flarego/flarego/internal/filechange"
	"github.com/flarego/flarego/kv"
)

// readCache keeps recently read records of a namespace file in memory, so that a hot key is
// served without a SQLite read (each of which takes and releases WAL locks: system calls).
//
// Writes through this driver drop their keys at once, so a process always reads its own
// writes. Writes by another process on the same file (the CLI, a second runner) are noticed
// by the database and WAL files changing (internal/filechange), checked at most every
// cacheCheckEvery: another process's write is visible here within that time. The platform's
// own KV is eventually consistent across locations (KV-036), so this is within what code
// written for it expects.
type readCache struct {
	files *filechange.Watcher

	mu      sync.Mutex
	entries map[string]kv.Record
	gen     uint64 // bumped by every local write: a read that raced one is not cached
}

const (
	cacheMaxEntries = 4096
	cacheMaxValue   = 64 << 10
	cacheCheckEvery = 100 * time.Millisecond
)

func newReadCache(path string) *readCache {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs // still the same file after a change of working directory
	}
	return &readCache{files: filechange.New(cacheCheckEvery, path, path+"-wal"), entries: map[string]kv.Record{}}
}

// lookup returns the cached record of key, and the generation to hand to store after a
// read from the file.
func (c *readCache) lookup(key string) (kv.Record, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.files.Poll() {
		clear(c.entries)
		c.gen++
	}
	r, ok := c.entries[key]
	if ok {
		r.Value = bytes.Clone(r.Value) // callers own what Get returns
		if r.Value == nil {
			r.Value = []byte{}
		}
	}
	return r, ok, c.gen
}

// store caches a record read at generation gen, unless a local write came since.
func (c *readCache) store(r kv.Record, gen uint64) {
	if len(r.Value) > cacheMaxValue {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.entries) >= cacheMaxEntries {
		clear(c.entries)
	}
	r.Value = bytes.Clone(r.Value)
	c.entries[r.Key] = r
}

// forget drops keys after a local write; no keys drops everything.
func (c *readCache) forget(keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if len(keys) == 0 {
		clear(c.entries)
		return
	}
	for _, k := range keys {
		delete(c.entries, k)
	}
}
