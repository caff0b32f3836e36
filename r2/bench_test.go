package r2_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/flarego/flarego/r2"
)

// The memory driver's costs are the binding's own: hashing, validation, records.
func BenchmarkMemoryPut4KiB(b *testing.B) {
	bk := r2.NewMemory()
	data := bytes.Repeat([]byte("x"), 4<<10)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := bk.Put(ctx, fmt.Sprintf("k%d", i%1024), bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}
