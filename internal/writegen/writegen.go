// Package writegen numbers the committed states of a store, so that a read cache in front
// of it serves nothing older than what a reader could see without it.
//
// A writer calls BeginWrite before it may commit and EndWrite once its commit is visible,
// before it answers. A reader calls Current before it starts reading: it may serve or store
// a cached result only when Current says no write is in progress, and may serve an entry
// only while Current returns the generation the entry was read under. In that order a
// commit visible before a read began is either still in progress (the cache is bypassed)
// or has ended the generation (results read before it are not served): no reader sees a
// write and then, from the cache, the state before it. Another process's writes are noticed
// through the store's files (package filechange), looked at no more than once per interval.
package writegen

import (
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/internal/filechange"
)

// Generation is the write state of one store. The zero value is not usable; use New.
type Generation struct {
	gen     atomic.Uint64
	writing atomic.Int64
	files   *filechange.Watcher
}

// New returns the Generation of a store kept in paths (a SQLite file and its -wal), looked
// at for other processes' writes at most once per every.
func New(every time.Duration, paths ...string) *Generation {
	return &Generation{files: filechange.New(every, paths...)}
}

// BeginWrite counts a write in progress: until its EndWrite, readers bypass the cache.
func (g *Generation) BeginWrite() { g.writing.Add(1) }

// EndWrite ends a write whose commit, if any, is visible: what was cached before it is not
// served again.
func (g *Generation) EndWrite() {
	g.gen.Add(1)
	g.writing.Add(-1)
}

// Current returns the generation a read starting now is served and stored under, and
// whether the cache may be used at all (no write in progress). The files are looked at
// first when due; a change seen there ends the generation as a write does.
func (g *Generation) Current() (uint64, bool) {
	if g.files.Poll() {
		g.gen.Add(1)
	}
	idle := g.writing.Load() == 0 // before the generation: see the package doc
	return g.gen.Load(), idle
}

// Unchanged reports whether no write began or ended since Current returned gen, without
// looking at the files: a result read under gen that is not could never be served.
func (g *Generation) Unchanged(gen uint64) bool {
	idle := g.writing.Load() == 0
	return idle && g.gen.Load() == gen
}

// LookNow looks at the files now instead of when due, ending the generation if they
// changed: for tests, which cannot wait for the interval.
func (g *Generation) LookNow() {
	if g.files.Check() {
		g.gen.Add(1)
	}
}
