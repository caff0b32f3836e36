package durableobject

import (
	"container/list"
	"sync"
)

// dbPool bounds how many object databases are open at once, across namespaces: when a new
// one opens past the limit, the least recently used idle ones are closed. A closed database
// reopens on its object's next storage call; its cache stays.
type dbPool struct {
	mu      sync.Mutex
	max     int
	l       list.List // of *store, most recently used first; store.lru is guarded by mu
	closing sync.WaitGroup
}

func (p *dbPool) add(st *store) {
	p.mu.Lock()
	if st.lru == nil {
		st.lru = p.l.PushFront(st)
	}
	var victims []*store
	for p.l.Len() > p.max {
		v := p.victim(st)
		if v == nil {
			break // everything else is mid-turn; the pool runs over until they finish
		}
		p.l.Remove(v.lru)
		v.lru = nil
		victims = append(victims, v)
	}
	p.mu.Unlock()
	if len(victims) == 0 {
		return
	}
	// Closing checkpoints the database, with fsyncs: milliseconds that the object opening a
	// database should not wait for. The victims stay locked until they are closed.
	p.closing.Add(1)
	go func() {
		defer p.closing.Done()
		for _, v := range victims {
			v.closeDBLocked()
			v.mu.Unlock()
		}
	}()
}

// victim returns, locked, the least recently used store other than keep that has no
// uncommitted work. It never waits for a lock: the caller holds keep's.
func (p *dbPool) victim(keep *store) *store {
	for el := p.l.Back(); el != nil; el = el.Prev() {
		v := el.Value.(*store)
		if v == keep || !v.mu.TryLock() {
			continue
		}
		if v.idleLocked() {
			return v
		}
		v.mu.Unlock()
	}
	return nil
}

func (p *dbPool) touch(st *store) {
	p.mu.Lock()
	if st.lru != nil {
		p.l.MoveToFront(st.lru)
	}
	p.mu.Unlock()
}

func (p *dbPool) remove(st *store) {
	p.mu.Lock()
	if st.lru != nil {
		p.l.Remove(st.lru)
		st.lru = nil
	}
	p.mu.Unlock()
}

func (p *dbPool) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.l.Len()
}
