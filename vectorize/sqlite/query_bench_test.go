package sqlite_test

import (
	"os"
	"testing"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/sqlite"
	"github.com/flarego/flarego/vectorize/vectorizetest"
)

// BenchmarkQueryOnDisk queries the index in VZBENCH_DIR (made by `go run ./bench/vectorize
// -dir D`, at D/flarego), unfiltered and with the bench's 10% filter.
func BenchmarkQueryOnDisk(b *testing.B) {
	dir := os.Getenv("VZBENCH_DIR")
	if dir == "" {
		b.Skip("set VZBENCH_DIR to an index directory")
	}
	d, err := sqlite.Open(ctx, dir, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	x := vectorize.New(d)
	defer x.Close()
	qs := vectorizetest.Clustered(0, 200, must(x.Config(ctx)).Dimensions, 99).Queries
	for _, f := range []vectorize.Filter{nil, {"cat": "c3"}} {
		b.Run(map[bool]string{true: "all", false: "filtered"}[f == nil], func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := x.Query(ctx, qs[i%len(qs)], vectorize.QueryOptions{TopK: 10, Filter: f}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
