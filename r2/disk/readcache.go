package disk

import (
	"maps"
	"sync"
	"time"

	"github.com/flarego/flarego/internal/writegen"
	"github.com/flarego/flarego/r2"
)

// readCache keeps the records and bytes of small (inline) objects read recently, so that a
// hot object is served without a SQLite read transaction, whose WAL locks cost system
// calls. It is exact for this process's writes, each of which the driver brackets with
// writes.BeginWrite and EndWrite, and sees another process's (the CLI on the same bucket)
// through the index file and its log within readCacheCheck (package writegen).
type readCache struct {
	writes *writegen.Generation

	mu      sync.RWMutex
	entries map[string]*cachedObject
	bytes   int
}

type cachedObject struct {
	gen  uint64
	rec  r2.Record
	data []byte
}

const (
	readCacheEntries = 4096
	readCacheBytes   = 16 << 20
	readCacheCheck   = 100 * time.Millisecond
)

func newReadCache(indexPath string) *readCache {
	return &readCache{writes: writegen.New(readCacheCheck, indexPath, indexPath+"-wal"), entries: map[string]*cachedObject{}}
}

// get returns a copy of key's cached object of generation gen.
func (c *readCache) get(key string, gen uint64) (*r2.Record, []byte, bool) {
	c.mu.RLock()
	e := c.entries[key]
	c.mu.RUnlock()
	if e == nil || e.gen != gen {
		return nil, nil, false
	}
	rec := cloneRecord(&e.rec)
	return rec, append([]byte(nil), e.data...), true
}

// put keeps a copy of an inline object read at generation gen.
func (c *readCache) put(key string, gen uint64, rec *r2.Record, data []byte) {
	if len(rec.Parts) != 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= readCacheEntries || c.bytes+len(data) > readCacheBytes {
		clear(c.entries)
		c.bytes = 0
	}
	if old := c.entries[key]; old != nil {
		c.bytes -= len(old.data)
	}
	c.entries[key] = &cachedObject{gen: gen, rec: *cloneRecord(rec), data: append([]byte(nil), data...)}
	c.bytes += len(data)
}

// cloneRecord copies rec so that nothing handed out aliases the cache.
func cloneRecord(rec *r2.Record) *r2.Record {
	out := *rec
	out.CustomMetadata = maps.Clone(rec.CustomMetadata)
	out.Parts = nil
	return &out
}
