package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/sqlite"
)

func runFlarego(ctx context.Context, c config, d *dataset, t truth) *result {
	r := &result{name: "flarego"}
	heap0, _ := memory()
	dir := filepath.Join(c.dir, "flarego")
	drv, err := sqlite.Create(ctx, dir, vectorize.Config{Name: "bench", Dimensions: c.dims, Metric: vectorize.Cosine}, sqlite.Options{})
	check(err)
	x := vectorize.New(drv)
	_, err = x.CreateMetadataIndex(ctx, "cat", vectorize.String)
	check(err)

	logf("flarego: inserting %d vectors", c.n)
	start := time.Now()
	batch := make([]vectorize.Vector, 0, vectorize.MaxBatch)
	for i, v := range d.Vectors {
		batch = append(batch, vectorize.Vector{ID: strconv.Itoa(i), Values: v, Metadata: map[string]any{"cat": "c" + strconv.Itoa(d.Category[i])}})
		if len(batch) == cap(batch) || i == len(d.Vectors)-1 {
			_, err := x.Insert(ctx, batch)
			check(err)
			batch = batch[:0]
		}
		if (i+1)%20000 == 0 {
			logf("flarego: %d inserted (%.0f/s)", i+1, float64(i+1)/time.Since(start).Seconds())
		}
	}
	r.insertRate = float64(c.n) / time.Since(start).Seconds()
	// Write the graph snapshot now, so that no background snapshot runs while queries are
	// timed (and so that its cost is reported).
	start = time.Now()
	check(drv.Snapshot(ctx))
	r.snapshot = time.Since(start)
	heap1, rss := memory()
	r.heapMiB, r.rssMiB = heap1-heap0, rss

	filter := vectorize.Filter{"cat": "c" + strconv.Itoa(filterCategory)}
	query := func(i int, f vectorize.Filter) []string {
		m, err := x.Query(ctx, d.Queries[i], vectorize.QueryOptions{TopK: 10, Filter: f})
		check(err)
		ids := make([]string, len(m.Matches))
		for j, mt := range m.Matches {
			ids[j] = mt.ID
		}
		return ids
	}
	got, gotF := make([][]string, len(d.Queries)), make([][]string, len(d.Queries))
	for i := range d.Queries {
		got[i], gotF[i] = query(i, nil), query(i, filter)
	}
	r.recall, r.filteredRec = recall(got, t.all), recall(gotF, t.filtered)
	logf("flarego: recall@10 %.3f, filtered %.3f; measuring throughput", r.recall, r.filteredRec)
	r.qps = throughput(c.duration, len(d.Queries), func(i int) { query(i, nil) })
	r.filteredQPS = throughput(c.duration, len(d.Queries), func(i int) { query(i, filter) })
	logf("flarego: %.0f q/s, filtered %.0f q/s; closing and reopening", r.qps, r.filteredQPS)

	check(x.Close())
	r.onDiskMiB = dirSize(dir)
	start = time.Now()
	drv, err = sqlite.Open(ctx, dir, sqlite.Options{})
	check(err)
	r.open = time.Since(start)
	x = vectorize.New(drv)
	query(0, nil)
	r.firstQuery = time.Since(start)
	check(x.Close())
	return r
}

func dirSize(dir string) float64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return float64(n) / (1 << 20)
}
