package vectorize_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/memory"
	"github.com/flarego/flarego/vectorize/vectorizetest"
)

// Benchmarks run on VZBENCH_N vectors of VZBENCH_DIMS dimensions (default 5000 × 100, so
// that `go test -bench .` stays quick); the figures for BENCHMARKS.md come from
// `go run ./bench/vectorize`, or from here with VZBENCH_N=100000 VZBENCH_DIMS=768.
var bench struct {
	once sync.Once
	data *vectorizetest.Dataset
	idx  *vectorize.Index
}

func benchIndex(b *testing.B) (*vectorize.Index, *vectorizetest.Dataset) {
	bench.once.Do(func() {
		n, _ := strconv.Atoi(os.Getenv("VZBENCH_N"))
		if n == 0 {
			n = 5000
		}
		dims, _ := strconv.Atoi(os.Getenv("VZBENCH_DIMS"))
		if dims == 0 {
			dims = 100
		}
		bench.data = vectorizetest.Clustered(n, 200, dims, 1)
		idx, err := memory.NewIndex(vectorize.Config{Dimensions: dims, Metric: vectorize.Cosine})
		if err != nil {
			panic(err)
		}
		ctx := context.Background()
		idx.CreateMetadataIndex(ctx, "cat", vectorize.Number)
		load(idx, bench.data, 0, n)
		bench.idx = idx
	})
	return bench.idx, bench.data
}

func load(idx *vectorize.Index, d *vectorizetest.Dataset, from, to int) {
	for i := from; i < to; i += vectorize.MaxBatch {
		var vs []vectorize.Vector
		for j := i; j < min(i+vectorize.MaxBatch, to); j++ {
			vs = append(vs, vectorize.Vector{ID: strconv.Itoa(j), Values: d.Vectors[j], Metadata: map[string]any{"cat": d.Category[j]}})
		}
		if _, err := idx.Upsert(context.Background(), vs); err != nil {
			panic(err)
		}
	}
}

func benchQuery(b *testing.B, f vectorize.Filter) {
	idx, d := benchIndex(b)
	ctx := context.Background()
	var i int
	for b.Loop() {
		if _, err := idx.Query(ctx, d.Queries[i%len(d.Queries)], vectorize.QueryOptions{TopK: 10, Filter: f}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkQuery(b *testing.B)         { benchQuery(b, nil) }
func BenchmarkQueryFiltered(b *testing.B) { benchQuery(b, vectorize.Filter{"cat": 3}) }

func BenchmarkQueryParallel(b *testing.B) {
	idx, d := benchIndex(b)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			idx.Query(ctx, d.Queries[i%len(d.Queries)], vectorize.QueryOptions{TopK: 10})
			i++
		}
	})
}

// BenchmarkUpsert1000 writes batches of 1000 new vectors into an index of growing size.
func BenchmarkUpsert1000(b *testing.B) {
	_, d := benchIndex(b)
	idx, _ := memory.NewIndex(vectorize.Config{Dimensions: d.Dims, Metric: vectorize.Cosine})
	n := 0
	for b.Loop() {
		from := n % len(d.Vectors)
		load(idx, d, from, min(from+1000, len(d.Vectors)))
		n += 1000
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "vectors/s")
}
