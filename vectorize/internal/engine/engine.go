package engine

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Options tune the graph. Zero fields take the defaults.
type Options struct {
	// M is the number of links per node above layer 0 (2M at layer 0). Default 16, at most 16:
	// the base layer keeps its links in one fixed block of 2M.
	M int
	// EfConstruction is the candidate list size while linking a node. Default 100.
	EfConstruction int
	// EfSearch is the candidate list size of a query (at least topK). Default 64.
	EfSearch int
	// ExactBelow: queries over at most this many candidates scan them exactly. Default 4096.
	ExactBelow int
}

func (o Options) withDefaults() Options {
	if o.M <= 0 {
		o.M = 16
	}
	o.M = min(o.M, maxBaseLinks/2)
	if o.EfConstruction <= 0 {
		o.EfConstruction = 100
	}
	if o.EfSearch <= 0 {
		o.EfSearch = 64
	}
	if o.ExactBelow <= 0 {
		o.ExactBelow = 4096
	}
	return o
}

// Record is one write of one vector.
type Record struct {
	ID        string
	Namespace string
	// Values are the raw values; the engine copies them (normalised for cosine).
	Values []float32
	// Indexed holds the vector's indexed metadata by property path: string, float64, bool, or
	// nil when the vector lacks the property (see vectorize.IndexedValues).
	Indexed map[string]any
	// Seq, when not 0, is this record's own sequence number in place of Apply's.
	Seq uint64
}

type node struct {
	id    string
	vec   []float32
	seq   uint64
	ns    uint32
	level int32
	dead  atomic.Bool
	// links holds one neighbour list per level. Lists are never changed in place: a writer
	// (holding mu) stores a new one, so readers load them without locking.
	links []atomic.Pointer[[]uint32]
	mu    sync.Mutex
}

// Engine holds one index in memory. The zero value is not usable; call New.
type Engine struct {
	dims   int
	metric Metric
	dist   func(a, b []float32) float32
	opt    Options
	ml     float64

	// writers is held shared by every Apply and exclusively by Save, so that a snapshot sees
	// no half-linked node.
	writers sync.RWMutex

	mu       sync.RWMutex // guards everything below, and the slice behind nodes
	nodes    atomic.Pointer[[]*node]
	ids      map[string]uint32
	tomb     map[string]uint64 // deleted id → seq of the delete, for last-writer-wins
	entry    int64             // -1 when empty
	maxLevel int
	live     int
	nsNames  []string // namespace number → name; 0 is "no namespace"
	nsIDs    map[string]uint32
	nsCount  []int // live vectors per namespace number
	// nsMembers lists the nodes of each namespace (dead ones too).
	nsMembers [][]uint32
	// nsOf and deadOf repeat each node's namespace and deletion densely, so that building a
	// filter's candidate set does not visit every node.
	nsOf   []uint32
	deadOf bitset
	cols   map[string]*column
	// vecs holds vectors by node number, vecChunk to a chunk, so that a distance needs no
	// visit to the node itself (one cache miss fewer on the hottest path).
	vecs atomic.Pointer[[][]float32]
	// chunks holds, for the same ranges of node numbers, the base-layer links and deletion
	// flags that every search step reads, without going through the node.
	chunks atomic.Pointer[[]*chunk]
	maxSeq uint64

	avgVisits atomic.Int64 // running mean of distance computations per graph search
	visited   sync.Pool
}

// New returns an empty engine.
func New(dims int, metric Metric, opt Options) *Engine {
	e := &Engine{dims: dims, metric: metric, dist: distFunc(metric), opt: opt.withDefaults()}
	e.ml = 1 / math.Log(float64(e.opt.M))
	e.ids = map[string]uint32{}
	e.tomb = map[string]uint64{}
	e.entry = -1
	e.nsNames = []string{""}
	e.nsIDs = map[string]uint32{"": 0}
	e.nsCount = []int{0}
	e.nsMembers = [][]uint32{nil}
	e.cols = map[string]*column{}
	empty := []*node{}
	e.nodes.Store(&empty)
	e.vecs.Store(&[][]float32{})
	e.chunks.Store(&[]*chunk{})
	return e
}

// Dims returns the dimensions.
func (e *Engine) Dims() int { return e.dims }

// Len returns the number of live vectors.
func (e *Engine) Len() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.live
}

// Namespaces returns the number of namespaces holding at least one live vector.
func (e *Engine) Namespaces() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := 0
	for i, c := range e.nsCount {
		if i > 0 && c > 0 {
			n++
		}
	}
	return n
}

// Stats reports graph size: nodes (live and dead) and dead ones.
func (e *Engine) Stats() (nodes, dead int) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := len(*e.nodes.Load())
	return n, n - e.live
}

// MaxSeq is the highest sequence number applied.
func (e *Engine) MaxSeq() uint64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.maxSeq
}

func (e *Engine) node(i uint32) *node { return (*e.nodes.Load())[i] }

// Has reports whether id is live.
func (e *Engine) Has(id string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	_, ok := e.ids[id]
	return ok
}

// Vector returns the stored vector of id (unit length for cosine) and its namespace.
func (e *Engine) Vector(id string) ([]float32, string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, ok := e.ids[id]
	if !ok {
		return nil, "", false
	}
	n := e.node(i)
	return n.vec, e.nsNames[n.ns], true
}

// Apply writes recs and deletes ids, all as of sequence seq. For each id the newest sequence
// wins: an older write than what the engine holds is ignored, and rewriting identical content
// only moves the sequence. New vectors are linked into the graph by up to GOMAXPROCS
// goroutines.
func (e *Engine) Apply(seq uint64, recs []Record, deletes []string) {
	e.writers.RLock()
	defer e.writers.RUnlock()
	if len(deletes) > 0 {
		e.mu.Lock()
		for _, id := range deletes {
			e.deleteLocked(id, seq)
		}
		e.bumpSeq(seq)
		e.mu.Unlock()
	}
	if len(recs) == 0 {
		return
	}
	workers := min(runtime.GOMAXPROCS(0), (len(recs)+7)/8)
	if workers <= 1 {
		for i := range recs {
			e.upsert(recSeq(seq, &recs[i]), &recs[i])
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(recs) {
					return
				}
				e.upsert(recSeq(seq, &recs[i]), &recs[i])
			}
		})
	}
	wg.Wait()
}

func recSeq(seq uint64, r *Record) uint64 {
	if r.Seq != 0 {
		return r.Seq
	}
	return seq
}

func (e *Engine) bumpSeq(seq uint64) {
	if seq > e.maxSeq {
		e.maxSeq = seq
	}
}

func (e *Engine) deleteLocked(id string, seq uint64) {
	if i, ok := e.ids[id]; ok {
		n := e.node(i)
		if n.seq > seq {
			return
		}
		e.markDead(i)
		delete(e.ids, id)
		e.live--
		e.nsCount[n.ns]--
	} else if t, ok := e.tomb[id]; ok && t > seq {
		return
	}
	e.tomb[id] = seq
}

// upsert publishes one record as a new node, then links it.
func (e *Engine) upsert(seq uint64, r *Record) {
	vec := slices.Clone(r.Values[:e.dims])
	if e.metric == Cosine {
		normalise(vec)
	}
	level := int32(math.Floor(-math.Log(1-rand.Float64()) * e.ml))
	q, ok := e.publish(seq, r, vec, level)
	if !ok {
		return
	}
	e.link(q)
}

// publish adds the node under the engine lock and retires the node it replaces. It returns
// false when there is nothing to link: the write is older than what is held, changes
// nothing, or is the first node.
func (e *Engine) publish(seq uint64, r *Record, prepared []float32, level int32) (uint32, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.bumpSeq(seq)
	if t, ok := e.tomb[r.ID]; ok {
		if t > seq {
			return 0, false
		}
		delete(e.tomb, r.ID)
	}
	ns := e.nsNumber(r.Namespace)
	old, had := e.ids[r.ID]
	if had {
		o := e.node(old)
		if o.seq > seq {
			return 0, false
		}
		if o.ns == ns && slices.Equal(o.vec, prepared) && e.sameIndexed(old, r.Indexed) {
			o.seq = seq
			return 0, false
		}
		e.markDead(old)
		e.live--
		e.nsCount[o.ns]--
	}
	nodes := *e.nodes.Load()
	i := uint32(len(nodes))
	vec := e.slot(i)
	copy(vec, prepared)
	n := &node{id: r.ID, vec: vec, seq: seq, ns: ns, level: level, links: make([]atomic.Pointer[[]uint32], level+1)}
	nodes = append(nodes, n)
	e.nodes.Store(&nodes)
	for name, c := range e.cols {
		c.add(i, c.valueOf(r.Indexed, name))
	}
	e.nsMembers[ns] = append(e.nsMembers[ns], i)
	e.nsOf = append(e.nsOf, ns)
	if int(i/64) >= len(e.deadOf) {
		e.deadOf = append(e.deadOf, 0)
	}
	e.ids[r.ID] = i
	e.live++
	e.nsCount[ns]++
	if e.entry < 0 {
		e.entry = int64(i)
		e.maxLevel = int(level)
		return 0, false
	}
	return i, true
}

const vecChunk = 256

// maxBaseLinks bounds a base-layer list (2M), so that the list is one fixed-size block.
const maxBaseLinks = 32

// baseList is one node's base-layer links. Like every link list it is never changed once
// published: a writer stores a new one.
type baseList struct {
	n   uint32
	ids [maxBaseLinks]uint32
}

// chunk holds the base-layer links and deletion flags of vecChunk consecutive nodes.
type chunk struct {
	base [vecChunk]atomic.Pointer[baseList]
	dead [vecChunk / 64]atomic.Uint64
}

func (e *Engine) chunk(i uint32) *chunk { return (*e.chunks.Load())[i/vecChunk] }

// isLive reports whether node i is not deleted or replaced.
func (e *Engine) isLive(i uint32) bool {
	return e.chunk(i).dead[(i%vecChunk)/64].Load()&(1<<(i%64)) == 0
}

// markDead retires node i. Callers hold e.mu.
func (e *Engine) markDead(i uint32) {
	e.node(i).dead.Store(true)
	e.chunk(i).dead[(i%vecChunk)/64].Or(1 << (i % 64))
	e.deadOf.set(i)
}

// neighbors returns node i's links at level. The list is immutable: read it, never change it.
func (e *Engine) neighbors(i uint32, level int) []uint32 {
	if level == 0 {
		if p := e.chunk(i).base[i%vecChunk].Load(); p != nil {
			return p.ids[:p.n]
		}
		return nil
	}
	if p := e.node(i).links[level].Load(); p != nil {
		return *p
	}
	return nil
}

// setLinks publishes node i's links at level. Callers hold the node's mu.
func (e *Engine) setLinks(i uint32, level int, ids []uint32) {
	if level == 0 {
		b := &baseList{n: uint32(min(len(ids), maxBaseLinks))}
		copy(b.ids[:], ids)
		e.chunk(i).base[i%vecChunk].Store(b)
		return
	}
	e.node(i).links[level].Store(&ids)
}

// slot returns node i's place in the vector chunks, adding chunks when i starts one.
// Callers hold e.mu.
func (e *Engine) slot(i uint32) []float32 {
	chunks := *e.vecs.Load()
	c := int(i / vecChunk)
	if c >= len(chunks) {
		chunks = append(slices.Clip(chunks), make([]float32, vecChunk*e.dims))
		e.vecs.Store(&chunks)
		cs := append(slices.Clip(*e.chunks.Load()), &chunk{})
		e.chunks.Store(&cs)
	}
	off := int(i%vecChunk) * e.dims
	return chunks[c][off : off+e.dims : off+e.dims]
}

// vec is node i's vector.
func (e *Engine) vec(i uint32) []float32 {
	off := int(i%vecChunk) * e.dims
	return (*e.vecs.Load())[i/vecChunk][off : off+e.dims : off+e.dims]
}

func (e *Engine) nsNumber(name string) uint32 {
	if n, ok := e.nsIDs[name]; ok {
		return n
	}
	n := uint32(len(e.nsNames))
	e.nsNames = append(e.nsNames, name)
	e.nsIDs[name] = n
	e.nsCount = append(e.nsCount, 0)
	e.nsMembers = append(e.nsMembers, nil)
	return n
}

// HasNamespace reports whether a live vector uses namespace name.
func (e *Engine) HasNamespace(name string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n, ok := e.nsIDs[name]
	return ok && e.nsCount[n] > 0
}
