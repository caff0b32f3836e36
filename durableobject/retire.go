package durableobject

import (
	"maps"
	"slices"
)

// An object evicted for being idle (DO-074) loses its instance and its storage cache, as on
// the platform. Its database stays open among the pool's open databases, so that the next
// event for the object runs the constructor without opening files again; the pool closes it
// like any other once it is the least recently used past Options.MaxOpenDatabases.

// retire keeps st, the store of an object just dropped from ns, for the object's next
// record when its database is open and it holds no work; it reports whether it did.
func (ns *NamespaceHandle) retire(id [32]byte, st *store) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.h == nil || !st.idleLocked() {
		return false
	}
	st.cache, st.complete, st.cacheBytes = nil, false, 0
	ns.retiredMu.Lock()
	if ns.retired == nil {
		ns.retired = make(map[[32]byte]*store)
	}
	ns.retired[id] = st
	ns.retiredMu.Unlock()
	return true
}

// storeFor returns the store for o, a new record of its object: the retired one when there
// is one to take without waiting, else a new one. ns.mu is held.
func (ns *NamespaceHandle) storeFor(o *object) *store {
	ns.retiredMu.Lock()
	st := ns.retired[o.id.b]
	delete(ns.retired, o.id.b)
	ns.retiredMu.Unlock()
	// A retired store whose lock is taken is being closed by the pool: start afresh rather
	// than wait for that under the namespace's lock.
	if st == nil || !st.mu.TryLock() {
		return newStore(o)
	}
	st.o = o
	st.mu.Unlock()
	return st
}

// forgetRetired drops st from the retired stores once its database is closed. st.mu is held.
func (st *store) forgetRetired() {
	ns := st.o.ns
	ns.retiredMu.Lock()
	if ns.retired[st.o.id.b] == st {
		delete(ns.retired, st.o.id.b)
	}
	ns.retiredMu.Unlock()
}

// closeRetired closes every retired store's database, for the engine's close.
func (ns *NamespaceHandle) closeRetired() {
	ns.retiredMu.Lock()
	sts := slices.Collect(maps.Values(ns.retired))
	ns.retiredMu.Unlock()
	for _, st := range sts {
		st.close()
	}
}
