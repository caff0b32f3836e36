// Command vectorize benchmarks the local Vectorize index against chromem-go, an embeddable
// Go vector store, on the same synthetic data and queries in one run, and prints a markdown
// table for BENCHMARKS.md.
//
//	go run ./bench/vectorize -n 100000 -dims 768
//
// Data: deterministic Gaussian clusters in a 32-dimensional latent space projected to -dims
// dimensions (vectorizetest.Clustered), so that recall against exact search is meaningful.
// Each side is measured for insert rate, queries per second with GOMAXPROCS concurrent
// clients (top 10, cosine), recall@10 against exact search, the same with a metadata filter
// matching 10% of the vectors, and memory (Go heap growth after a GC, and process RSS).
// flarego also reports the time to reopen the index from disk.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 100000, "vectors")
	dims := flag.Int("dims", 768, "dimensions")
	nq := flag.Int("queries", 200, "distinct queries (recall is averaged over them)")
	dur := flag.Duration("duration", 5*time.Second, "time per throughput measurement")
	seed := flag.Uint64("seed", 1, "data seed")
	dir := flag.String("dir", "", "directory for the on-disk index (default: a temporary one)")
	skipPeer := flag.Bool("skip-chromem", false, "measure flarego only")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the flarego part to this file")
	flag.Parse()

	ctx := context.Background()
	cfg := config{n: *n, dims: *dims, queries: *nq, duration: *dur, seed: *seed, dir: *dir}
	if cfg.dir == "" {
		d, err := os.MkdirTemp("", "vzbench")
		check(err)
		defer os.RemoveAll(d)
		cfg.dir = d
	}
	logf("generating %d x %d vectors and %d queries", cfg.n, cfg.dims, cfg.queries)
	data := generate(cfg)
	logf("computing exact top 10 for every query (ground truth)")
	truth := groundTruth(data)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
	}
	ours := runFlarego(ctx, cfg, data, truth)
	pprof.StopCPUProfile()
	var peer *result
	if !*skipPeer {
		runtime.GC()
		peer = runChromem(ctx, cfg, data, truth)
	}
	fmt.Print(table(cfg, ours, peer, os.Args))
}

type config struct {
	n, dims, queries int
	duration         time.Duration
	seed             uint64
	dir              string
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "vectorize bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
