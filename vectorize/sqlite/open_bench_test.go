package sqlite_test

import (
	"os"
	"testing"

	"github.com/flarego/flarego/vectorize/sqlite"
)

// BenchmarkOpen opens the existing index in VZBENCH_DIR (for example one left by
// `go run ./bench/vectorize -dir D`, at D/flarego) and closes it without changes: the start
// time of an index of that size.
func BenchmarkOpen(b *testing.B) {
	dir := os.Getenv("VZBENCH_DIR")
	if dir == "" {
		b.Skip("set VZBENCH_DIR to an index directory")
	}
	for b.Loop() {
		d, err := sqlite.Open(ctx, dir, sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}
