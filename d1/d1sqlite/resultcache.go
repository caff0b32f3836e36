package d1sqlite

import (
	"encoding/binary"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/d1"
)

// resultCache keeps the results of recent single-statement reads of a database file, by
// statement text and arguments, so that a repeated read (a point select of a hot row) is
// served without a SQLite read transaction, whose WAL locks cost system calls. Only pure
// reads are kept (purity.go), of at most cacheMaxRows rows and cacheMaxValues bytes.
//
// It is exact for writes made in this process through any handle on the file (sharedFile
// says how). Another process's writes (the CLI on the same file) are noticed by the
// database and log files changing, looked at at most every cacheCheckEvery, so they are
// seen within that time. Writes through SQL()'s connections could be neither (their commit
// hook runs before the commit is visible), so caching stops for good once SQL() is opened
// on a handle.
type resultCache struct {
	file *sharedFile
	off  atomic.Bool

	mu      sync.RWMutex
	entries map[string]*cachedResult
	of      uint64 // the generation of every entry: a newer one starts over
	bytes   int64
}

// cachedResult is a read's result as it was stored: nothing handed out aliases it.
type cachedResult struct {
	gen      uint64
	columns  []string
	values   [][]any
	duration float64
	size     int64
}

const (
	cacheMaxRows       = 64
	cacheMaxValues     = 64 << 10 // bytes of values in one result
	cacheMaxKey        = 16 << 10
	cacheMaxEntries    = 16384 // per database
	cacheMaxBytes      = 16 << 20
	cacheMaxAllBytes   = 64 << 20 // all databases of the process
	cacheEntryOverhead = 160      // map slot, entry, slices: roughly
)

// cacheCheckEvery is how often the files are looked at for other processes' writes (a
// variable for tests).
var cacheCheckEvery = 100 * time.Millisecond

// cachedBytes is what the result caches of all open databases hold.
var cachedBytes atomic.Int64

func newResultCache(f *sharedFile) *resultCache {
	return &resultCache{file: f, entries: map[string]*cachedResult{}}
}

// disable turns the cache off for good and drops what it holds. A nil cache is a no-op.
func (c *resultCache) disable() {
	if c == nil || c.off.Swap(true) {
		return
	}
	c.mu.Lock()
	c.reset()
	c.mu.Unlock()
}

// reset drops every entry; c.mu is held.
func (c *resultCache) reset() {
	clear(c.entries)
	cachedBytes.Add(-c.bytes)
	c.bytes = 0
}

// lookup returns a copy of the result cached under key, or nil, and, when ok, the
// generation a read starting now is to be stored with. Unless the files are due a look
// (once per cacheCheckEvery), it makes no system call.
func (c *resultCache) lookup(key []byte) (r *d1.Rows, gen uint64, ok bool) {
	if c.off.Load() {
		return nil, 0, false
	}
	if c.file.sqlDB.Load() {
		c.disable()
		return nil, 0, false
	}
	gen, ok = c.file.generation()
	if !ok {
		return nil, 0, false
	}
	c.mu.RLock()
	e := c.entries[string(key)]
	c.mu.RUnlock()
	if e == nil || e.gen != gen {
		return nil, gen, true
	}
	return &d1.Rows{
		Columns: append([]string(nil), e.columns...),
		Values:  copyValues(e.values),
		Meta:    d1.Meta{Duration: e.duration, RowsRead: int64(len(e.values))},
	}, gen, true
}

// store caches r, read in a transaction that started at generation gen, unless a write
// began since, the cache is off, or r is too large.
func (c *resultCache) store(key []byte, r *d1.Rows, gen uint64) {
	if c.off.Load() || !c.current(gen) || len(r.Values) > cacheMaxRows || len(key) > cacheMaxKey {
		return
	}
	n, ok := valuesSize(r.Values)
	if !ok || n > cacheMaxValues {
		return
	}
	e := &cachedResult{gen: gen, columns: append([]string(nil), r.Columns...), values: copyValues(r.Values), duration: r.Meta.Duration}
	e.size = int64(len(key)+cacheEntryOverhead) + n
	for _, col := range r.Columns {
		e.size += int64(len(col)) + 16
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off.Load() || c.file.sqlDB.Load() || !c.current(gen) {
		return
	}
	if c.of != gen {
		c.reset() // all of them are stale
		c.of = gen
	}
	if _, ok := c.entries[string(key)]; ok {
		return // a concurrent read of the same
	}
	if len(c.entries) >= cacheMaxEntries || c.bytes+e.size > cacheMaxBytes || cachedBytes.Load()+e.size > cacheMaxAllBytes {
		c.reset()
		if cachedBytes.Load()+e.size > cacheMaxAllBytes {
			return // other databases hold the rest
		}
	}
	c.entries[string(key)] = e
	c.bytes += e.size
	cachedBytes.Add(e.size)
}

// current reports whether no write began since generation gen was taken. A result that is
// not could never be served.
func (c *resultCache) current(gen uint64) bool { return c.file.writes.Unchanged(gen) }

// valuesSize is the bytes of a result's values, roughly as held in memory, and whether all
// of them are of the types a result holds.
func valuesSize(rows [][]any) (int64, bool) {
	var n int64
	for _, row := range rows {
		n += 24
		for _, v := range row {
			n += 16
			switch x := v.(type) {
			case nil:
			case int64, float64:
				n += 8
			case string:
				n += int64(len(x))
			case []byte:
				n += int64(len(x))
			default:
				return 0, false
			}
		}
	}
	return n, true
}

// copyValues copies rows so that neither copy shares memory the other's owner can change:
// the row slices and the bytes of BLOBs (strings and boxed numbers are immutable).
func copyValues(rows [][]any) [][]any {
	if rows == nil {
		return nil
	}
	cells := 0
	for _, row := range rows {
		cells += len(row)
	}
	all := make([]any, cells)
	out := make([][]any, len(rows))
	for i, row := range rows {
		dst := all[:len(row):len(row)]
		all = all[len(row):]
		for j, v := range row {
			if b, ok := v.([]byte); ok {
				v = append([]byte{}, b...)
			}
			dst[j] = v
		}
		out[i] = dst
	}
	return out
}

// cacheKeys recycles key buffers.
var cacheKeys = sync.Pool{New: func() any { return new([]byte) }}

// cacheKey returns the key of text run with args, in a buffer to hand back to
// releaseCacheKey: the text, then each argument with its type, so that 1, "1", 1.0, a BLOB
// "1" and NULL are different keys. It returns nil for an argument of any other type.
func cacheKey(text string, args []any) *[]byte {
	p := cacheKeys.Get().(*[]byte)
	b := binary.AppendUvarint((*p)[:0], uint64(len(text)))
	b = append(b, text...)
	for _, a := range args {
		switch x := a.(type) {
		case nil:
			b = append(b, 'n')
		case int64:
			b = binary.LittleEndian.AppendUint64(append(b, 'i'), uint64(x))
		case float64:
			b = binary.LittleEndian.AppendUint64(append(b, 'f'), math.Float64bits(x))
		case string:
			b = append(binary.AppendUvarint(append(b, 's'), uint64(len(x))), x...)
		case []byte:
			b = append(binary.AppendUvarint(append(b, 'b'), uint64(len(x))), x...)
		default:
			*p = b
			releaseCacheKey(p)
			return nil
		}
	}
	*p = b
	return p
}

func releaseCacheKey(p *[]byte) {
	if cap(*p) <= cacheMaxKey {
		cacheKeys.Put(p)
	}
}
