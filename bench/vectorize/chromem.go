package main

import (
	"context"
	"runtime"
	"strconv"
	"time"

	"github.com/philippgille/chromem-go"
)

func runChromem(ctx context.Context, c config, d *dataset, t truth) *result {
	r := &result{name: "chromem-go"}
	heap0, _ := memory()
	db := chromem.NewDB()
	// Embeddings are supplied, so the embedding function is never called.
	col, err := db.CreateCollection("bench", nil, func(context.Context, string) ([]float32, error) { return nil, nil })
	check(err)
	logf("chromem-go: inserting %d vectors", c.n)
	start := time.Now()
	const batch = 1000
	for i := 0; i < len(d.Vectors); i += batch {
		docs := make([]chromem.Document, 0, batch)
		for j := i; j < min(i+batch, len(d.Vectors)); j++ {
			docs = append(docs, chromem.Document{ID: strconv.Itoa(j), Embedding: d.Vectors[j], Metadata: map[string]string{"cat": "c" + strconv.Itoa(d.Category[j])}})
		}
		check(col.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)))
	}
	r.insertRate = float64(c.n) / time.Since(start).Seconds()
	heap1, rss := memory()
	r.heapMiB, r.rssMiB = heap1-heap0, rss

	where := map[string]string{"cat": "c" + strconv.Itoa(filterCategory)}
	query := func(i int, w map[string]string) []string {
		res, err := col.QueryEmbedding(ctx, d.Queries[i], 10, w, nil)
		check(err)
		ids := make([]string, len(res))
		for j, x := range res {
			ids[j] = x.ID
		}
		return ids
	}
	got, gotF := make([][]string, len(d.Queries)), make([][]string, len(d.Queries))
	for i := range d.Queries {
		got[i], gotF[i] = query(i, nil), query(i, where)
	}
	r.recall, r.filteredRec = recall(got, t.all), recall(gotF, t.filtered)
	logf("chromem-go: recall@10 %.3f, filtered %.3f; measuring throughput", r.recall, r.filteredRec)
	r.qps = throughput(c.duration, len(d.Queries), func(i int) { query(i, nil) })
	r.filteredQPS = throughput(c.duration, len(d.Queries), func(i int) { query(i, where) })
	logf("chromem-go: %.0f q/s, filtered %.0f q/s", r.qps, r.filteredQPS)
	runtime.KeepAlive(db)
	return r
}
