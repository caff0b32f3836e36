package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func table(c config, ours, peer *result, args []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Vectorize: %d vectors × %d dimensions, cosine, top 10\n\n", c.n, c.dims)
	fmt.Fprintf(&b, "- date: %s\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "- machine: %s, %d CPUs (GOMAXPROCS %d), %s, %s/%s\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "- command: `go run ./bench/vectorize %s`\n", strings.Join(args[1:], " "))
	fmt.Fprintf(&b, "- data: Gaussian clusters (64) in a 32-d latent space, projected; %d queries drawn from the same distribution; filter = one category of ten (10%%), uncorrelated with clusters\n", c.queries)
	fmt.Fprintf(&b, "- throughput: %d concurrent clients for %v per figure\n\n", runtime.GOMAXPROCS(0), c.duration)
	fmt.Fprintf(&b, "| measure | flarego | chromem-go | flarego ÷ chromem-go |\n|---|---:|---:|---:|\n")
	row := func(name, format string, a float64, peerVal func(*result) float64) {
		if peer == nil {
			fmt.Fprintf(&b, "| %s | "+format+" | – | – |\n", name, a)
			return
		}
		p := peerVal(peer)
		ratio := "–"
		if p > 0 {
			ratio = fmt.Sprintf("%.1f×", a/p)
		}
		fmt.Fprintf(&b, "| %s | "+format+" | "+format+" | %s |\n", name, a, p, ratio)
	}
	row("insert (vectors/s)", "%.0f", ours.insertRate, func(r *result) float64 { return r.insertRate })
	row("queries/s", "%.0f", ours.qps, func(r *result) float64 { return r.qps })
	row("recall@10", "%.3f", ours.recall, func(r *result) float64 { return r.recall })
	row("filtered queries/s (10%)", "%.0f", ours.filteredQPS, func(r *result) float64 { return r.filteredQPS })
	row("filtered recall@10", "%.3f", ours.filteredRec, func(r *result) float64 { return r.filteredRec })
	row("Go heap growth (MiB)", "%.0f", ours.heapMiB, func(r *result) float64 { return r.heapMiB })
	row("process RSS after load (MiB)", "%.0f", ours.rssMiB, func(r *result) float64 { return r.rssMiB })
	fmt.Fprintf(&b, "\nflarego only: filtered ÷ unfiltered query time %.2f×; on disk %.0f MiB (SQLite + graph snapshot); writing the snapshot %v; reopen %v, first query answered %v after open began.\n",
		ours.qps/ours.filteredQPS, ours.onDiskMiB, ours.snapshot.Round(time.Millisecond), ours.open.Round(time.Millisecond), ours.firstQuery.Round(time.Millisecond))
	fmt.Fprintf(&b, "RSS is the whole process (it includes the generated data set, %.0f MiB of float32, and for chromem-go what flarego left to the OS); heap growth is each store's own.\n",
		float64(c.n*c.dims*4*2)/(1<<20))
	return b.String()
}
