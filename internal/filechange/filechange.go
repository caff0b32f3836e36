// Package filechange tells whether files changed since they were last looked at, cheaply
// enough to ask before every read: a read cache over a SQLite database asks it whether
// another process wrote the database or its write-ahead log.
package filechange

import (
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Watcher watches a fixed list of files by their size, modification time and identity
// (inode). Poll looks at them at most once per interval, so that a call in between costs a
// clock read and no system call; Check looks now. The zero value is not usable; use New.
type Watcher struct {
	paths []string
	every time.Duration
	next  atomic.Int64 // when the next look is due, as time since epoch (monotonic)

	mu      sync.Mutex // held while looking
	seen    []os.FileInfo
	settled bool
}

// epoch anchors the monotonic clock Poll reads.
var epoch = time.Now()

// New returns a Watcher over paths that looks at most once per every (0 or less: on every
// Poll). It takes its first look now; a path that does not exist is watched for appearing.
func New(every time.Duration, paths ...string) *Watcher {
	w := &Watcher{paths: paths, every: every}
	w.look()
	return w
}

// Poll reports whether the files may have changed since the previous look, looking again
// if the interval has passed since it. Between looks, and while another goroutine is
// looking (that caller is told), it returns false without a system call.
func (w *Watcher) Poll() bool {
	if time.Since(epoch) < time.Duration(w.next.Load()) || !w.mu.TryLock() {
		return false
	}
	defer w.mu.Unlock()
	if time.Since(epoch) < time.Duration(w.next.Load()) {
		return false // another caller just looked
	}
	return w.look()
}

// Check looks now and reports whether the files may have changed since the previous look.
func (w *Watcher) Check() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.look()
}

// look compares the files with the previous look; w.mu is held (or w is new).
//
// A file's time is only as fine as the file system's clock: a file written again in the
// same tick as the look that saw it, without changing size (SQLite rewriting its log from
// the start), would look unchanged. So a look that saw a file modified less than a tick
// before it is not trusted, and the next look reports a change whatever it sees.
func (w *Watcher) look() bool {
	now := time.Now() // before the stats: a write after it has a later time
	seen := make([]os.FileInfo, len(w.paths))
	for i, p := range w.paths {
		if fi, err := os.Stat(p); err == nil {
			seen[i] = fi
		}
	}
	changed := !w.settled || len(w.seen) != len(seen)
	settled := true
	for i, fi := range seen {
		if !changed && !same(w.seen[i], fi) {
			changed = true
		}
		if fi != nil && now.Sub(fi.ModTime()) <= tick(fi.ModTime()) {
			settled = false
		}
	}
	w.seen, w.settled = seen, settled
	w.next.Store(int64(time.Since(epoch) + w.every))
	return changed
}

// tick is the coarsest step a file system's clock could have taken to give time t: whole
// seconds suggest a file system that keeps only seconds (or FAT's two).
func tick(t time.Time) time.Duration {
	if t.Nanosecond() == 0 {
		return 2 * time.Second
	}
	return 100 * time.Millisecond
}

func same(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) && os.SameFile(a, b)
}
