package main

import (
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/vectorize/vectorizetest"
)

// dataset is the generated data plus, per vector, the category label the filtered queries use.
type dataset struct {
	*vectorizetest.Dataset
	norm [][]float32 // unit-length copies for the exact search
}

func generate(c config) *dataset {
	d := vectorizetest.Clustered(c.n, c.queries, c.dims, c.seed)
	ds := &dataset{Dataset: d, norm: make([][]float32, len(d.Vectors))}
	for i, v := range d.Vectors {
		ds.norm[i] = unit(v)
	}
	return ds
}

func unit(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if s == 0 {
		return out
	}
	inv := 1 / float32(sqrt(s))
	for i, x := range v {
		out[i] = x * inv
	}
	return out
}

func sqrt(x float64) float64 {
	z := x
	for range 40 {
		z = (z + x/z) / 2
	}
	return z
}

// truth holds the exact top 10 ids per query, unfiltered and with the filter (category 3).
type truth struct {
	all, filtered [][]string
}

const filterCategory = 3

func groundTruth(d *dataset) truth {
	t := truth{all: make([][]string, len(d.Queries)), filtered: make([][]string, len(d.Queries))}
	parallel(len(d.Queries), func(i int) {
		q := unit(d.Queries[i])
		type sc struct {
			id int
			s  float32
		}
		all := make([]sc, len(d.norm))
		for j, v := range d.norm {
			var s float32
			for k := range v {
				s += v[k] * q[k]
			}
			all[j] = sc{j, s}
		}
		slices.SortFunc(all, func(a, b sc) int {
			switch {
			case a.s > b.s:
				return -1
			case a.s < b.s:
				return 1
			}
			return a.id - b.id
		})
		for _, x := range all {
			if len(t.all[i]) < 10 {
				t.all[i] = append(t.all[i], strconv.Itoa(x.id))
			}
			if d.Category[x.id] == filterCategory && len(t.filtered[i]) < 10 {
				t.filtered[i] = append(t.filtered[i], strconv.Itoa(x.id))
			}
			if len(t.all[i]) == 10 && len(t.filtered[i]) == 10 {
				break
			}
		}
	})
	return t
}

// parallel runs fn(0..n-1) on GOMAXPROCS goroutines.
func parallel(n int, fn func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// throughput runs query(i) from GOMAXPROCS goroutines for d and returns queries per second.
func throughput(d time.Duration, nq int, query func(i int)) float64 {
	var done atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := w; time.Now().Before(deadline); i++ {
				query(i % nq)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds()
}

func recall(got [][]string, want [][]string) float64 {
	var r float64
	for i := range want {
		r += vectorizetest.Recall(got[i], want[i])
	}
	return r / float64(len(want))
}

// memory is the Go heap in use after a GC and the process's resident set, in MiB.
func memory() (heap, rss float64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap = float64(ms.HeapInuse) / (1 << 20)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				rss = kb / 1024
			}
		}
	}
	return heap, rss
}

// result is one side's figures.
type result struct {
	name                     string
	insertRate               float64 // vectors per second
	qps, recall              float64
	filteredQPS, filteredRec float64
	heapMiB, rssMiB          float64
	open, firstQuery         time.Duration // flarego only: reopen from disk
	snapshot                 time.Duration // flarego only: writing the graph snapshot
	onDiskMiB                float64
}
