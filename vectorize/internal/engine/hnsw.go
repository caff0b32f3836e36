package engine

import "slices"

// visitSet marks nodes seen by one search. Marks are generation numbers so that reuse costs
// nothing; sets are pooled per engine.
type visitSet struct {
	marks []uint32
	gen   uint32
}

func (e *Engine) visits() *visitSet {
	v, _ := e.visited.Get().(*visitSet)
	if v == nil {
		v = &visitSet{}
	}
	if n := len(*e.nodes.Load()); len(v.marks) < n {
		v.marks = make([]uint32, n+n/4+1024)
		v.gen = 0
	}
	v.reset()
	return v
}

func (v *visitSet) reset() {
	v.gen++
	if v.gen == 0 {
		clear(v.marks)
		v.gen = 1
	}
}

// visit marks i and reports whether it was new.
func (v *visitSet) visit(i uint32) bool {
	if int(i) >= len(v.marks) {
		// A node published after the search started.
		v.marks = append(v.marks, make([]uint32, int(i)-len(v.marks)+1024)...)
	}
	if v.marks[i] == v.gen {
		return false
	}
	v.marks[i] = v.gen
	return true
}

func (e *Engine) maxLinks(level int) int {
	if level == 0 {
		return 2 * e.opt.M
	}
	return e.opt.M
}

// greedy walks level from cur to the closest node it can reach one step at a time.
func (e *Engine) greedy(q []float32, cur cand, level int) cand {
	for changed := true; changed; {
		changed = false
		for _, u := range e.neighbors(cur.id, level) {
			if d := e.dist(q, e.vec(u)); d < cur.d {
				cur, changed = cand{d, u}, true
			}
		}
	}
	return cur
}

// searchLayer is the HNSW beam search: it returns up to ef nodes accepted by ok (nil accepts
// all), exploring through every node. visits counts distance computations.
func (e *Engine) searchLayer(q []float32, ep cand, ef, level int, ok func(uint32) bool, vs *visitSet, visits *int) maxHeap {
	cands := minHeap{ep}
	results := make(maxHeap, 0, ef+1)
	vs.visit(ep.id)
	if ok == nil || ok(ep.id) {
		results.push(ep)
	}
	for len(cands) > 0 {
		c := cands.pop()
		if len(results) >= ef && c.d > results.top().d {
			break
		}
		for _, u := range e.neighbors(c.id, level) {
			if !vs.visit(u) {
				continue
			}
			d := e.dist(q, e.vec(u))
			*visits++
			if len(results) < ef || d < results.top().d {
				cands.push(cand{d, u})
				if ok == nil || ok(u) {
					results.push(cand{d, u})
					if len(results) > ef {
						results.pop()
					}
				}
			}
		}
	}
	return results
}

// sorted empties h into a slice, closest first.
func sorted(h maxHeap) []cand {
	out := make([]cand, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = h.pop()
	}
	return out
}

// selectNeighbors is the HNSW heuristic: walk candidates closest first and keep one only if
// it is closer to the base than to every node kept so far, which spreads links in different
// directions and keeps the graph navigable. cs must be sorted closest first.
func (e *Engine) selectNeighbors(cs []cand, m int) []cand {
	if len(cs) <= m {
		return cs
	}
	sel := make([]cand, 0, m)
	for _, c := range cs {
		if len(sel) >= m {
			break
		}
		cv := e.vec(c.id)
		good := true
		for _, s := range sel {
			if e.dist(cv, e.vec(s.id)) < c.d {
				good = false
				break
			}
		}
		if good {
			sel = append(sel, c)
		}
	}
	return sel
}

// link connects published node qi to the graph, level by level from the top.
func (e *Engine) link(qi uint32) {
	n := e.node(qi)
	e.mu.RLock()
	ep, maxL := uint32(e.entry), e.maxLevel
	e.mu.RUnlock()
	level := int(n.level)
	cur := cand{e.dist(n.vec, e.vec(ep)), ep}
	for l := maxL; l > level; l-- {
		cur = e.greedy(n.vec, cur, l)
	}
	vs := e.visits()
	defer e.visited.Put(vs)
	var visits int
	for l := min(level, maxL); l >= 0; l-- {
		vs.reset()
		found := sorted(e.searchLayer(n.vec, cur, e.opt.EfConstruction, l, nil, vs, &visits))
		found = slices.DeleteFunc(found, func(c cand) bool { return c.id == qi })
		if len(found) == 0 {
			continue
		}
		sel := e.selectNeighbors(found, e.opt.M)
		ids := make([]uint32, len(sel))
		for i, s := range sel {
			ids[i] = s.id
		}
		n.mu.Lock()
		for _, x := range e.neighbors(qi, l) { // links a concurrent writer already added
			if !slices.Contains(ids, x) && len(ids) < e.maxLinks(l) {
				ids = append(ids, x)
			}
		}
		e.setLinks(qi, l, ids)
		n.mu.Unlock()
		for _, s := range sel {
			e.addLink(s.id, qi, s.d, l)
		}
		cur = found[0]
	}
	if level > maxL {
		e.mu.Lock()
		if level > e.maxLevel {
			e.maxLevel, e.entry = level, int64(qi)
		}
		e.mu.Unlock()
	}
}

// addLink adds the edge to→from at level, pruning to's links with the heuristic when full.
func (e *Engine) addLink(to, from uint32, d float32, level int) {
	m := e.node(to)
	limit := e.maxLinks(level)
	m.mu.Lock()
	defer m.mu.Unlock()
	links := e.neighbors(to, level)
	if slices.Contains(links, from) {
		return
	}
	if len(links) < limit {
		grown := make([]uint32, len(links)+1)
		copy(grown, links)
		grown[len(links)] = from
		e.setLinks(to, level, grown)
		return
	}
	cs := make([]cand, 0, len(links)+1)
	for _, x := range links {
		cs = append(cs, cand{e.dist(m.vec, e.vec(x)), x})
	}
	cs = append(cs, cand{d, from})
	slices.SortFunc(cs, func(a, b cand) int {
		switch {
		case a.d < b.d:
			return -1
		case a.d > b.d:
			return 1
		}
		return 0
	})
	sel := e.selectNeighbors(cs, limit)
	out := make([]uint32, len(sel))
	for i, s := range sel {
		out[i] = s.id
	}
	e.setLinks(to, level, out)
}
