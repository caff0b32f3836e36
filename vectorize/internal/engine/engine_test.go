package engine

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flarego/flarego/vectorize/vectorizetest"
	"github.com/stretchr/testify/require"
)

func build(t testing.TB, d *vectorizetest.Dataset, m Metric, opt Options) *Engine {
	e := New(d.Dims, m, opt)
	recs := make([]Record, 0, 1000)
	for i, v := range d.Vectors {
		recs = append(recs, Record{ID: strconv.Itoa(i), Values: v, Indexed: map[string]any{"cat": float64(d.Category[i])}})
		if len(recs) == cap(recs) || i == len(d.Vectors)-1 {
			e.Apply(uint64(i+1), recs, nil)
			recs = recs[:0]
		}
	}
	return e
}

func ids(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func TestGraphRecall(t *testing.T) {
	n, dims := 6000, 48
	if testing.Short() {
		n = 2000
	}
	d := vectorizetest.Clustered(n, 100, dims, 1)
	for _, m := range []Metric{Cosine, Euclidean, Dot} {
		t.Run(fmt.Sprint(m), func(t *testing.T) {
			e := build(t, d, m, Options{ExactBelow: 100})
			var r float64
			for _, q := range d.Queries {
				got, plan := e.SearchPlan(Query{Vector: q, K: 10})
				require.Equal(t, PlanGraph, plan)
				want := e.exact(normalisedFor(m, q), 10, nil)
				r += vectorizetest.Recall(ids(got), ids(want))
			}
			r /= float64(len(d.Queries))
			t.Logf("recall@10 %.3f", r)
			if m != Dot {
				require.GreaterOrEqual(t, r, 0.95)
			}
		})
	}
}

func normalisedFor(m Metric, q []float32) []float32 {
	q = append([]float32(nil), q...)
	if m == Cosine {
		normalise(q)
	}
	return q
}

func TestFilteredRecall(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 3000
	}
	d := vectorizetest.Clustered(n, 50, 32, 2)
	e := build(t, d, Cosine, Options{ExactBelow: 100})
	e.mu.Lock()
	e.cols["cat"] = newColumn(kNumber, 0, 0)
	e.cols["id"] = newColumn(kNumber, 0, 0)
	for i := range d.Vectors {
		e.cols["cat"].add(uint32(i), value{k: kNumber, f: float64(d.Category[i])})
		e.cols["id"].add(uint32(i), value{k: kNumber, f: float64(i)})
	}
	e.mu.Unlock()
	for _, tc := range []struct {
		name string
		cond Cond
		plan Plan
	}{
		{"eq10pct", Cond{Path: "cat", Op: "$eq", Value: 3.0}, PlanFiltered},
		{"lt30pct", Cond{Path: "cat", Op: "$lt", Value: 3.0}, PlanFiltered},
		{"ne90pct", Cond{Path: "cat", Op: "$ne", Value: 3.0}, PlanPostGraph},
		{"range3pct", Cond{Path: "id", Op: "$lt", Value: float64(n * 3 / 100)}, PlanFiltered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r float64
			for _, q := range d.Queries {
				e.avgVisits.Store(1) // keep small filtered sets on the graph path under test
				got, plan := e.SearchPlan(Query{Vector: q, K: 10, Conds: []Cond{tc.cond}})
				require.Equal(t, tc.plan, plan)
				e.mu.RLock()
				allow, _ := e.filterLocked("", []Cond{tc.cond})
				e.mu.RUnlock()
				want := e.exact(normalisedFor(Cosine, q), 10, allow)
				r += vectorizetest.Recall(ids(got), ids(want))
			}
			r /= float64(len(d.Queries))
			t.Logf("recall@10 %.3f", r)
			require.GreaterOrEqual(t, r, 0.95)
		})
	}
}

func TestConcurrentWritesAndQueries(t *testing.T) {
	d := vectorizetest.Clustered(3000, 20, 16, 3)
	e := New(16, Cosine, Options{ExactBelow: 50})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(d.Vectors); i += 4 * 25 {
				var recs []Record
				for j := i; j < min(i+25, len(d.Vectors)); j++ {
					recs = append(recs, Record{ID: strconv.Itoa(j % 2000), Values: d.Vectors[j]})
				}
				e.Apply(uint64(i+1), recs, nil)
				if i%3 == 0 {
					e.Apply(uint64(i+2), nil, []string{strconv.Itoa(i % 2000)})
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for _, q := range d.Queries {
				hs := e.Search(Query{Vector: q, K: 10})
				seen := map[string]bool{}
				for _, h := range hs {
					require.False(t, seen[h.ID], "duplicate id %s", h.ID)
					seen[h.ID] = true
				}
			}
		})
	}
	wg.Wait()
	nodes, dead := e.Stats()
	require.Equal(t, e.Len(), nodes-dead)
}

// BenchmarkBuildAndQuery reports build and query speed on VZBENCH_N vectors (default 20000).
func BenchmarkBuildAndQuery(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("VZBENCH_N"))
	if n == 0 {
		n = 20000
	}
	dims, _ := strconv.Atoi(os.Getenv("VZBENCH_DIMS"))
	if dims == 0 {
		dims = 768
	}
	d := vectorizetest.Clustered(n, 200, dims, 1)
	start := time.Now()
	e := build(b, d, Cosine, Options{})
	b.Logf("build %d x %d: %v (%.0f/s)", n, dims, time.Since(start), float64(n)/time.Since(start).Seconds())
	var r float64
	for _, q := range d.Queries {
		r += vectorizetest.Recall(ids(e.Search(Query{Vector: q, K: 10})), ids(e.exact(normalisedFor(Cosine, q), 10, nil)))
	}
	b.Logf("recall@10 %.3f avg visits %d", r/float64(len(d.Queries)), e.avgVisits.Load())
	b.ResetTimer()
	i := 0
	for b.Loop() {
		e.Search(Query{Vector: d.Queries[i%len(d.Queries)], K: 10})
		i++
	}
}
