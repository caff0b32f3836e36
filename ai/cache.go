package ai

import (
	"container/list"
	"sync"
	"time"
)

// responseCache is the gateway's response cache: in memory, LRU, bounded in entries and
// bytes, with a TTL per entry. Values are the JSON of results, decoded afresh on each hit so
// that callers never share a result.
type responseCache struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int64
	bytes      int64
	order      *list.List // front = most recently used
	entries    map[string]*list.Element
}

type cacheEntry struct {
	key     string
	value   []byte
	expires time.Time
}

func newResponseCache(c CacheConfig) *responseCache {
	maxEntries := c.MaxEntries
	if maxEntries <= 0 {
		maxEntries = 1024
	}
	maxBytes := c.MaxBytes
	if maxBytes <= 0 {
		maxBytes = 32 << 20
	}
	return &responseCache{maxEntries: maxEntries, maxBytes: maxBytes, order: list.New(), entries: map[string]*list.Element{}}
}

func (c *responseCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !time.Now().Before(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

func (c *responseCache) put(key string, value []byte, ttl time.Duration) {
	if int64(len(value)) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	e := &cacheEntry{key: key, value: value, expires: time.Now().Add(ttl)}
	c.entries[key] = c.order.PushFront(e)
	c.bytes += int64(len(value))
	for len(c.entries) > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *responseCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= int64(len(e.value))
}
