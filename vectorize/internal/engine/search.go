package engine

import (
	"cmp"
	"math/bits"
	"slices"
)

// Query is one search.
type Query struct {
	// Vector is the raw query vector (normalised here for cosine).
	Vector []float32
	K      int
	// Namespace restricts the search when not "".
	Namespace string
	Conds     []Cond
}

// Hit is one result: Dist is the internal distance (Metric.Score turns it into the score).
type Hit struct {
	ID        string
	Namespace string
	Dist      float32
}

// Plan names the strategy a search used, for tests and benchmarks.
type Plan string

// The strategies.
const (
	PlanExact     Plan = "exact"    // scan of every candidate
	PlanGraph     Plan = "graph"    // HNSW search
	PlanPostGraph Plan = "post"     // HNSW search keeping only candidates (broad filters)
	PlanFiltered  Plan = "filtered" // HNSW search walking the filtered subgraph (2-hop)
	PlanEmpty     Plan = "empty"    // nothing can match
)

// Search returns up to q.K hits, closest first (ties by id).
func (e *Engine) Search(q Query) []Hit {
	hits, _ := e.SearchPlan(q)
	return hits
}

// SearchPlan is Search that also reports the strategy it chose.
//
// Unfiltered queries over small indexes are exact. Filters (namespace, metadata) are applied
// before topK (VZ-012): the engine first builds the set of matching vectors; a set no larger
// than about two graph searches' worth of distance computations is scanned exactly; a set
// holding most of the index is searched with the graph, keeping only members; anything in
// between walks the graph restricted to members, stepping over non-members to their
// neighbours (two hops), so the search stays in the filtered part of the graph and costs
// about what an unfiltered search does.
func (e *Engine) SearchPlan(q Query) ([]Hit, Plan) {
	qv := slices.Clone(q.Vector)
	if e.metric == Cosine {
		normalise(qv)
	}
	k := max(q.K, 1)
	filtered := q.Namespace != "" || len(q.Conds) > 0
	e.mu.RLock()
	live, entry, maxL := e.live, e.entry, e.maxLevel
	var allow bitset
	count := live
	if filtered && live > 0 {
		allow, count = e.filterLocked(q.Namespace, q.Conds)
	}
	e.mu.RUnlock()
	if live == 0 || count == 0 || entry < 0 {
		return nil, PlanEmpty
	}
	if !filtered && count <= e.opt.ExactBelow || filtered && count <= e.exactLimit() {
		return e.exact(qv, k, allow), PlanExact
	}
	ef := max(e.opt.EfSearch, k)
	vs := e.visits()
	defer e.visited.Put(vs)
	var visits int
	ep := uint32(entry)
	cur := cand{e.dist(qv, e.vec(ep)), ep}
	for l := maxL; l > 0; l-- {
		cur = e.greedy(qv, cur, l)
	}
	var res maxHeap
	plan := PlanGraph
	switch {
	case !filtered:
		res = e.searchLayer(qv, cur, ef, 0, e.isLive, vs, &visits)
		e.noteVisits(visits)
	case count*2 >= live:
		plan = PlanPostGraph
		ok := func(i uint32) bool { return allow.has(i) && e.isLive(i) } // called only for likely results
		res = e.searchLayer(qv, cur, ef*live/count, 0, ok, vs, &visits)
	default:
		plan = PlanFiltered
		res = e.searchFiltered(qv, cur, ef, allow, vs)
	}
	return e.hits(sorted(res), k), plan
}

// exactLimit is the filtered candidate count up to which a scan beats the graph: twice the
// distance computations an unfiltered graph search has been costing, and at least a quarter
// of ExactBelow. (Unfiltered queries scan up to ExactBelow, so small indexes are exact.)
func (e *Engine) exactLimit() int {
	return max(e.opt.ExactBelow/4, int(2*e.avgVisits.Load()))
}

func (e *Engine) noteVisits(n int) {
	for {
		old := e.avgVisits.Load()
		nv := old + (int64(n)-old)/16
		if old == 0 {
			nv = int64(n)
		}
		if e.avgVisits.CompareAndSwap(old, nv) {
			return
		}
	}
}

// exact scans every live node (or every member of allow) and keeps the k closest.
func (e *Engine) exact(qv []float32, k int, allow bitset) []Hit {
	nodes := *e.nodes.Load()
	res := make(maxHeap, 0, k+1)
	consider := func(i int, n *node) {
		if n.dead.Load() {
			return
		}
		d := e.dist(qv, n.vec)
		if len(res) < k || d < res.top().d {
			res.push(cand{d, uint32(i)})
			if len(res) > k {
				res.pop()
			}
		}
	}
	if allow == nil {
		for i, n := range nodes {
			consider(i, n)
		}
	} else {
		for w, word := range allow {
			for word != 0 {
				b := word & -word
				i := w*64 + bitIndex(b)
				consider(i, nodes[i])
				word ^= b
			}
		}
	}
	return e.hits(sorted(res), k)
}

func bitIndex(b uint64) int { return bits.TrailingZeros64(b) }

// searchFiltered walks layer 0 through members of allow only. A neighbour that is not a
// member is not scored; its own neighbours that are members are taken instead (two hops),
// which keeps the member subgraph connected when filters are selective. Each step gathers
// at most M new members, direct neighbours first, so that broad filters do not read every
// second-hop list.
func (e *Engine) searchFiltered(qv []float32, ep cand, ef int, allow bitset, vs *visitSet) maxHeap {
	// allow holds no node deleted before the search began; liveness is checked again only
	// for nodes about to enter the results, to keep node visits off the hot path.
	ok := allow.has
	cands := minHeap{ep}
	results := make(maxHeap, 0, ef+1)
	vs.reset()
	vs.visit(ep.id)
	if ok(ep.id) && e.isLive(ep.id) {
		results.push(ep)
	}
	consider := func(u uint32) {
		d := e.dist(qv, e.vec(u))
		if (len(results) < ef || d < results.top().d) && e.isLive(u) {
			cands.push(cand{d, u})
			results.push(cand{d, u})
			if len(results) > ef {
				results.pop()
			}
		}
	}
	limit := e.opt.M
	for len(cands) > 0 {
		c := cands.pop()
		if len(results) >= ef && c.d > results.top().d {
			break
		}
		buf1 := e.neighbors(c.id, 0)
		took := 0
		for _, u := range buf1 {
			if ok(u) && vs.visit(u) {
				consider(u)
				took++
			}
		}
		for _, u := range buf1 {
			if took >= limit {
				break
			}
			if ok(u) || !vs.visit(u) {
				continue
			}
			for _, w := range e.neighbors(u, 0) {
				if ok(w) && vs.visit(w) {
					consider(w)
					took++
				}
			}
		}
	}
	return results
}

// hits turns candidates (closest first) into results, ties broken by id, at most k.
func (e *Engine) hits(cs []cand, k int) []Hit {
	out := make([]Hit, 0, min(k, len(cs)))
	e.mu.RLock()
	for _, c := range cs {
		n := e.node(c.id)
		out = append(out, Hit{ID: n.id, Namespace: e.nsNames[n.ns], Dist: c.d})
	}
	e.mu.RUnlock()
	slices.SortStableFunc(out, func(a, b Hit) int {
		if c := cmp.Compare(a.Dist, b.Dist); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}
