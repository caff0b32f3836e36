package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// targets are the issues' goals: a multiple of the simulator, or of the bare server for hello.
var targets = map[string]struct {
	x       float64
	vsBare  bool
	comment string
}{
	"hello":     {0.85, true, "≥ 85% of bare"},
	"kv_get":    {20, false, "≥ 20×"},
	"kv_put":    {25, false, "≥ 25×"},
	"d1_insert": {15, false, "≥ 15×"},
	"d1_get":    {25, false, "≥ 25×"},
	"do_one":    {12, false, "≥ 12×"},
	"do_1000":   {20, false, "≥ 20×"},
	"r2_put_4k": {10, false, "≥ 10×"},
	"r2_get_4k": {20, false, "≥ 20×"},
	"queue":     {8, false, "≥ 8×"},
	"ws":        {10, false, "≥ 10×"},
	"asset_10k": {0, false, "none set"},
	"r2_put_1m": {10, false, "≥ 10×"},
	"r2_get_1m": {2, false, "≥ 2×"},
}

func report(res map[string]*result, anc string) {
	var b strings.Builder
	sim, fg, bare := res["simulator"], res["flarego"], res["bare"]
	fmt.Fprintf(&b, "# Benchmarks\n\n")
	fmt.Fprintf(&b, "Measured %s on %s, all servers on 127.0.0.1, one after the other in one run of\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine())
	fmt.Fprintf(&b, "`go run ./bench/benchrun -anchors %s` (wrk 1 thread, 64 connections, %s per scenario, through\n", "ANCHORS", *dur)
	fmt.Fprintf(&b, "the anchor's `wrk/compare.sh`; queues and WebSockets through its `loadgen`). The simulator is\n")
	fmt.Fprintf(&b, "Miniflare started by the anchor's `serve.mjs` (request logging off); flarego is `bench/worker` with\n")
	fmt.Fprintf(&b, "`--log-level warn` (no per-request log line, like the simulator), state on disk in a fresh\n")
	fmt.Fprintf(&b, "directory; bare is `bench/bare`, a plain net/http server (the machine's ceiling for /hello).\n")
	fmt.Fprintf(&b, "ANCHORS is the folder holding the simulator set-up (`miniflare/`), the wrk harness (`wrk/`) and\n")
	fmt.Fprintf(&b, "the load client (`loadgen/`).\n\n")

	fmt.Fprintf(&b, "## Throughput (req/s)\n\n| scenario | simulator | flarego | flarego ÷ simulator | bare net/http | flarego ÷ bare | target | flarego p99 |\n|---|---|---|---|---|---|---|---|\n")
	names := []string{"hello", "kv_get", "kv_put", "d1_insert", "d1_get", "do_one", "do_1000", "r2_put_4k", "r2_get_4k", "r2_put_1m", "r2_get_1m", "asset_10k"}
	for _, n := range names {
		s, f, ba := val(sim, n), val(fg, n), val(bare, n)
		if s == 0 && f == 0 {
			continue
		}
		t := targets[n]
		met := ""
		if t.x == 0 {
			// measured for the record; the issue sets no target
		} else if t.vsBare && ba > 0 && f > 0 {
			met = mark(f/ba >= t.x)
		} else if !t.vsBare && s > 0 && f > 0 {
			met = mark(f/s >= t.x)
		}
		p99 := ""
		if fg != nil {
			p99 = fg.p99[n]
			if x := fg.non2xx[n]; x != "" {
				p99 += " " + x
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s %s | %s |\n", n, num(s), num(f), ratio(f, s), num(ba), ratio(f, ba), t.comment, met, p99)
	}
	if sim != nil && fg != nil && (sim.queueRate > 0 || fg.queueRate > 0) {
		fmt.Fprintf(&b, "| queue end-to-end (msg/s, 20,000 msgs) | %s | %s | %s | | | ≥ 8× %s | |\n", num(sim.queueRate), num(fg.queueRate), ratio(fg.queueRate, sim.queueRate), mark(fg.queueRate >= 8*sim.queueRate))
	}
	if sim != nil && fg != nil && (sim.wsRate > 0 || fg.wsRate > 0) {
		fmt.Fprintf(&b, "| WebSocket fan-out (deliveries/s, 100×10) | %s | %s | %s | | | ≥ 10× %s | |\n", num(sim.wsRate), num(fg.wsRate), ratio(fg.wsRate, sim.wsRate), mark(fg.wsRate >= 10*sim.wsRate))
	}

	fmt.Fprintf(&b, "\n## Start-up and memory\n\n| server | process start → first 200 on /hello, ms: median (min–max) | idle RSS MiB (median) | RSS after %d /hello requests (fresh process) MiB | RSS after every scenario MiB |\n|---|---|---|---|---|\n", *growN)
	for _, n := range []string{"simulator", "flarego", "bare"} {
		r := res[n]
		if r == nil {
			continue
		}
		fmt.Fprintf(&b, "| %s | %.1f (%.1f–%.1f) | %.1f | %.1f | %.1f |\n", n, median(r.startupMs), slices.Min(r.startupMs), slices.Max(r.startupMs), median(r.idleRSS), r.rssAfter, r.rssAfterAll)
	}
	if fg != nil {
		fmt.Fprintf(&b, "\nTargets: start-up ≤ 100 ms and within 2× of bare; idle RSS ≤ 30 MiB; RSS after %d requests ≤ 2× idle.\n", *growN)
	}
	for _, x := range []struct {
		name string
		r    *result
	}{{"simulator", sim}, {"flarego", fg}} {
		if x.r == nil || (x.r.queue == "" && x.r.ws == "") {
			continue
		}
		fmt.Fprintf(&b, "\n### loadgen output, %s\n\n```\n%s\n%s\n```\n", x.name, strings.TrimSpace(x.r.queue), strings.TrimSpace(x.r.ws))
	}
	check(os.WriteFile(*out, []byte(b.String()), 0o644))
	fmt.Println(b.String())
}

func val(r *result, n string) float64 {
	if r == nil {
		return 0
	}
	return r.rps[n]
}

func num(v float64) string {
	if v == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", v)
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	if a/b < 10 {
		return fmt.Sprintf("%.2f×", a/b)
	}
	return fmt.Sprintf("%.1f×", a/b)
}

func mark(ok bool) string {
	if ok {
		return "(met)"
	}
	return "(**not met**)"
}
