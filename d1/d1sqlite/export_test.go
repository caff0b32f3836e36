package d1sqlite

import (
	"testing"
	"time"
)

// OnlyCheckFilesWhenTold has the result caches of files opened until t ends look at the
// files only in CheckFiles, so that what a test sees does not depend on the clock.
func OnlyCheckFilesWhenTold(t testing.TB) {
	old := cacheCheckEvery
	cacheCheckEvery = time.Hour
	t.Cleanup(func() { cacheCheckEvery = old })
}

// CheckFiles has d's result cache look at the database files now, as it does at most every
// cacheCheckEvery before a read: another process's write is noticed.
func CheckFiles(d *Driver) {
	d.file.writes.LookNow()
}

// Cached reports whether the result of sql run with args (as the binding converts them) would
// be served from d's result cache now.
func Cached(d *Driver, sql string, args ...any) bool {
	if d.cache == nil {
		return false
	}
	key := cacheKey(sql, args)
	if key == nil {
		return false
	}
	defer releaseCacheKey(key)
	r, _, _ := d.cache.lookup(*key)
	return r != nil
}

// CacheLen is the number of results d's result cache holds.
func CacheLen(d *Driver) int {
	if d.cache == nil {
		return 0
	}
	d.cache.mu.RLock()
	defer d.cache.mu.RUnlock()
	return len(d.cache.entries)
}

// CacheMaxEntries is how many results one database's cache holds at most.
const CacheMaxEntries = cacheMaxEntries

// PauseWrites has d's writer call fn after each write's transaction, before the write ends
// (and the result cache hears of it); nil stops it.
func PauseWrites(d *Driver, fn func()) {
	if fn == nil {
		d.w.paused.Store(nil)
		return
	}
	d.w.paused.Store(&fn)
}
