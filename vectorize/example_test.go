package vectorize_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/memory"
)

func Example() {
	ctx := context.Background()
	idx, _ := memory.NewIndex(vectorize.Config{Dimensions: 3, Metric: vectorize.Cosine})
	idx.CreateMetadataIndex(ctx, "genre", vectorize.String)
	idx.Upsert(ctx, []vectorize.Vector{
		{ID: "a", Values: []float32{1, 0, 0}, Metadata: map[string]any{"genre": "drama"}},
		{ID: "b", Values: []float32{0.9, 0.1, 0}, Metadata: map[string]any{"genre": "comedy"}},
		{ID: "c", Values: []float32{0, 1, 0}, Metadata: map[string]any{"genre": "drama"}},
	})
	m, _ := idx.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{
		TopK:   2,
		Filter: vectorize.Filter{"genre": "drama"},
	})
	for _, x := range m.Matches {
		fmt.Printf("%s %.2f\n", x.ID, x.Score)
	}
	// Output:
	// a 1.00
	// c 0.00
}

func ExampleFilter() {
	f := vectorize.Filter{
		"genre":     vectorize.In("drama", "comedy"),
		"year":      vectorize.Cond{"$gte": 2000, "$lt": 2010},
		"info.lang": "en", // implicit $eq on the nested property info.lang
		"archived":  vectorize.Ne(true),
	}
	conds, err := f.Compile()
	fmt.Println(len(conds), err)
	parsed, _ := vectorize.ParseFilter([]byte(`{"year": {"$gte": 2000}}`))
	conds, _ = parsed.Compile()
	fmt.Printf("%s %s %v\n", conds[0].Path, conds[0].Op, conds[0].Value)
	// Output:
	// 5 <nil>
	// year $gte 2000
}

func ExampleLoadNDJSON() {
	ctx := context.Background()
	idx, _ := memory.NewIndex(vectorize.Config{Dimensions: 2, Metric: vectorize.Euclidean})
	file := strings.NewReader(`{"id": "1", "values": [1, 2], "metadata": {"url": "/a"}}
{"id": "2", "values": [3, 4], "namespace": "docs"}
`)
	n, muts, err := vectorize.LoadNDJSON(ctx, idx, file, false, 0)
	fmt.Println(n, len(muts), err)
	info, _ := idx.Describe(ctx)
	fmt.Println(info.VectorCount)
	// Output:
	// 2 1 <nil>
	// 2
}
