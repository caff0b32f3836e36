package kv

import (
	"container/heap"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/btree"
)

// MemoryDriver keeps a namespace in process memory: a map for reads and a B-tree of the same
// entries for ordered listing, so that Get is O(1) and a List page is O(log n + page) at any
// size. It
// implements Driver, Purger, BatchGetter, BatchWriter and Sizer. The zero value is not
// usable; call NewMemoryDriver.
type MemoryDriver struct {
	mu      sync.RWMutex
	entries map[string]*memEntry
	order   *btree.BTreeG[*memEntry]
	expiry  expiryHeap
	size    int64
}

type memEntry struct {
	key      string
	value    []byte
	metadata []byte
	exp      int64
}

// NewMemoryDriver returns an empty in-memory driver.
func NewMemoryDriver() *MemoryDriver {
	return &MemoryDriver{
		entries: make(map[string]*memEntry),
		order:   btree.NewG(32, func(a, b *memEntry) bool { return a.key < b.key }),
	}
}

// Get implements Driver.
func (m *MemoryDriver) Get(_ context.Context, key string, now time.Time) (Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.getLocked(key, now)
}

func (m *MemoryDriver) getLocked(key string, now time.Time) (Record, error) {
	e, ok := m.entries[key]
	if !ok || (e.exp != 0 && now.Unix() >= e.exp) {
		return Record{}, ErrNotFound
	}
	// Copies: callers own what they get, and must not reach into the store.
	return Record{Key: key, Value: clone(e.value), Metadata: clone(e.metadata), Expiration: e.exp}, nil
}

// GetMany implements BatchGetter.
func (m *MemoryDriver) GetMany(_ context.Context, keys []string, now time.Time) (map[string]Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]Record, len(keys))
	for _, k := range keys {
		if r, err := m.getLocked(k, now); err == nil {
			out[k] = r
		}
	}
	return out, nil
}

// Put implements Driver.
func (m *MemoryDriver) Put(_ context.Context, r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(r)
	return nil
}

func (m *MemoryDriver) putLocked(r Record) {
	e, ok := m.entries[r.Key]
	if ok {
		m.size -= e.bytes()
	} else {
		e = &memEntry{key: r.Key}
		m.entries[r.Key] = e
		m.order.ReplaceOrInsert(e)
	}
	e.value, e.metadata, e.exp = clone(r.Value), clone(r.Metadata), r.Expiration
	if e.value == nil {
		e.value = []byte{}
	}
	m.size += e.bytes()
	if e.exp != 0 {
		heap.Push(&m.expiry, expiryItem{exp: e.exp, key: r.Key})
		if len(m.expiry) > 2*len(m.entries)+1024 {
			m.rebuildExpiry()
		}
	}
}

// rebuildExpiry drops the stale items that keys rewritten with new expirations left behind.
func (m *MemoryDriver) rebuildExpiry() {
	m.expiry = m.expiry[:0]
	for k, e := range m.entries {
		if e.exp != 0 {
			m.expiry = append(m.expiry, expiryItem{exp: e.exp, key: k})
		}
	}
	heap.Init(&m.expiry)
}

// PutMany implements BatchWriter.
func (m *MemoryDriver) PutMany(_ context.Context, records []Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range records {
		m.putLocked(r)
	}
	return nil
}

// Delete implements Driver.
func (m *MemoryDriver) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deleteLocked(key)
	return nil
}

func (m *MemoryDriver) deleteLocked(key string) {
	if old, ok := m.entries[key]; ok {
		m.size -= old.bytes()
		delete(m.entries, key)
		m.order.Delete(old)
	}
}

// DeleteMany implements BatchWriter.
func (m *MemoryDriver) DeleteMany(_ context.Context, keys []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		m.deleteLocked(k)
	}
	return nil
}

// List implements Driver.
func (m *MemoryDriver) List(_ context.Context, q ListQuery) ([]Record, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	start := q.Prefix
	if q.After >= start {
		start = q.After + "\x00" // the smallest key after q.After
	}
	now := q.Now.Unix()
	out := make([]Record, 0, min(q.Limit, 64))
	more := false
	m.order.AscendGreaterOrEqual(&memEntry{key: start}, func(e *memEntry) bool {
		if !strings.HasPrefix(e.key, q.Prefix) {
			return false
		}
		if e.exp != 0 && now >= e.exp {
			return true
		}
		if len(out) == q.Limit {
			more = true
			return false
		}
		out = append(out, Record{Key: e.key, Metadata: clone(e.metadata), Expiration: e.exp})
		return true
	})
	return out, more, nil
}

// PurgeExpired implements Purger.
func (m *MemoryDriver) PurgeExpired(_ context.Context, now time.Time) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sec := now.Unix()
	for len(m.expiry) > 0 && m.expiry[0].exp <= sec {
		it := heap.Pop(&m.expiry).(expiryItem)
		// The heap keeps stale items for keys rewritten since; only the current one counts.
		if e, ok := m.entries[it.key]; ok && e.exp == it.exp {
			m.deleteLocked(it.key)
		}
	}
	if len(m.expiry) == 0 {
		return time.Time{}, nil
	}
	return time.Unix(m.expiry[0].exp, 0), nil
}

// Size implements Sizer: the bytes of keys, values and metadata held.
func (m *MemoryDriver) Size(context.Context) (int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.size, nil
}

// Close implements Driver. The data is dropped with the driver.
func (m *MemoryDriver) Close() error { return nil }

func (e *memEntry) bytes() int64 {
	return int64(len(e.key) + len(e.value) + len(e.metadata))
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

type expiryItem struct {
	exp int64
	key string
}

// expiryHeap orders pending expirations, earliest first.
type expiryHeap []expiryItem

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].exp < h[j].exp }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryItem)) }
func (h *expiryHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
