package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
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

// scenarioNames is the order of the rows of the throughput tables.
var scenarioNames = []string{"hello", "kv_get", "kv_put", "d1_insert", "d1_get", "do_one", "do_1000", "r2_put_4k", "r2_get_4k", "r2_put_1m", "r2_get_1m", "asset_10k"}

// onceNames are the measurements made once per server, after the rounds.
var onceNames = []string{"r2_put_1m", "r2_get_1m", "asset_10k"}

// rowLabels names the rows whose key is not the label the table shows.
var rowLabels = map[string]string{
	"queue": "queue end-to-end (msg/s, 20,000 msgs)",
	"ws":    "WebSocket fan-out (deliveries/s, 100×10)",
}

func report(res map[string]*result, anc string) {
	var b strings.Builder
	writeIntro(&b)
	writeThroughput(&b, res)
	writeRounds(&b, res)
	writeStartup(&b, res)
	for _, name := range []string{"simulator", "flarego"} {
		r := res[name]
		if r == nil || (r.queue == "" && r.ws == "") {
			continue
		}
		var lines []string
		for _, o := range []string{r.queue, r.ws} {
			if o = strings.TrimSpace(o); o != "" {
				lines = append(lines, o)
			}
		}
		fmt.Fprintf(&b, "\n### loadgen output, %s (last round)\n\n```\n%s\n```\n", name, strings.Join(lines, "\n"))
	}
	check(os.WriteFile(*out, []byte(b.String()), 0o644))
	fmt.Println(b.String())
}

// writeIntro says how the run was made, so that a reader can judge the figures.
func writeIntro(b *strings.Builder) {
	fmt.Fprintf(b, "# Benchmarks\n\n")
	fmt.Fprintf(b, "Measured %s on %s, all servers on 127.0.0.1, in one run of\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine())
	fmt.Fprintf(b, "`go run ./bench/benchrun -anchors %s -rounds %d -dur %s` (wrk 1 thread, 64 connections, %s per scenario,\n", "ANCHORS", *rounds, *dur, *dur)
	fmt.Fprintf(b, "with the wrk command lines of the anchor's `wrk/compare.sh`; queues and WebSockets through its `loadgen`).\n")
	fmt.Fprintf(b, "The servers run side by side, each on its own port, started once with fresh state, then seeded\n")
	fmt.Fprintf(b, "and warmed (compare.sh once for 1 s, figure discarded); only one is under load at a time. The\n")
	fmt.Fprintf(b, "scenarios are interleaved: in each of %d rounds every scenario runs against each server back to\n", *rounds)
	fmt.Fprintf(b, "back, simulator then flarego in odd rounds and flarego then simulator in even ones (bare right\n")
	fmt.Fprintf(b, "after flarego, for hello and the WebSocket fan-out), so that each round's ratio compares figures measured seconds apart\n")
	fmt.Fprintf(b, "on a machine whose speed drifts over minutes. The first table gives each server's median over\n")
	fmt.Fprintf(b, "the rounds, the ratio of those medians and the target judged on it; \"Every round\" gives the\n")
	fmt.Fprintf(b, "ratio of each round. The 1 MiB R2 and static asset figures are measured once per server, after\n")
	fmt.Fprintf(b, "the rounds. The simulator is Miniflare started by the anchor's `serve.mjs` (request logging off);\n")
	fmt.Fprintf(b, "flarego is `bench/worker` with `--log-level warn` (no per-request log line, like the simulator),\n")
	fmt.Fprintf(b, "state on disk in a fresh directory; bare is `bench/bare`, a plain net/http server (the machine's\n")
	fmt.Fprintf(b, "ceiling for /hello, and with a WebSocket room that does nothing but fan out, the client's ceiling\n")
	fmt.Fprintf(b, "for the WebSocket scenario). ANCHORS is the folder holding the simulator set-up (`miniflare/`), the wrk\n")
	fmt.Fprintf(b, "harness (`wrk/`) and the load client (`loadgen/`).\n\n")
}

// writeThroughput writes the main table: medians over the rounds, the ratio of the medians
// and whether the target is met on that ratio.
func writeThroughput(b *strings.Builder, res map[string]*result) {
	sim, fg, bare := res["simulator"], res["flarego"], res["bare"]
	fmt.Fprintf(b, "## Throughput (req/s, median of %d rounds)\n\n", *rounds)
	fmt.Fprintf(b, "| scenario | simulator | flarego | flarego ÷ simulator | bare net/http | flarego ÷ bare | target | flarego p99 (median) |\n|---|---|---|---|---|---|---|---|\n")
	for _, n := range append(slices.Clone(scenarioNames), "queue", "ws") {
		s, f, ba := figure(sim, n), figure(fg, n), figure(bare, n)
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
		label := n
		if l, ok := rowLabels[n]; ok {
			label = l
		} else if slices.Contains(onceNames, n) {
			label += " (one run)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s %s | %s |\n", label, num(s), num(f), ratio(f, s), num(ba), ratio(f, ba), t.comment, met, latency(fg, n))
	}
}

// writeRounds writes one row per scenario with the ratio of each round, from the two figures
// measured back to back in that round, and the median of those ratios.
func writeRounds(b *strings.Builder, res map[string]*result) {
	fg := res["flarego"]
	if fg == nil {
		return
	}
	fmt.Fprintf(b, "\n## Every round\n\nflarego ÷ simulator (÷ bare for hello and the row so named) in each round, from the two figures measured back to back.\n\n| scenario |")
	for r := 1; r <= *rounds; r++ {
		fmt.Fprintf(b, " round %d |", r)
	}
	fmt.Fprintf(b, " median of the rounds |\n|---|%s---|\n", strings.Repeat("---|", *rounds))
	type row struct {
		n, label string
		other    *result
	}
	var rows []row
	for _, n := range append(slices.Clone(scenarioNames), "queue", "ws") {
		switch l, ok := rowLabels[n]; {
		case n == "hello":
			rows = append(rows, row{n, "hello (÷ bare)", res["bare"]})
		case ok:
			rows = append(rows, row{n, l, res["simulator"]})
		default:
			rows = append(rows, row{n, n, res["simulator"]})
		}
	}
	if ba := res["bare"]; ba != nil && len(ba.rounds["ws"]) > 0 {
		rows = append(rows, row{"ws", rowLabels["ws"] + " ÷ bare", ba})
	}
	for _, rw := range rows {
		n, other, label := rw.n, rw.other, rw.label
		if len(fg.rounds[n]) == 0 {
			continue
		}
		var ratios []float64
		fmt.Fprintf(b, "| %s |", label)
		for r := 0; r < *rounds; r++ {
			f, o := roundRate(fg, n, r), roundRate(other, n, r)
			if f > 0 && o > 0 {
				ratios = append(ratios, f/o)
			}
			fmt.Fprintf(b, " %s |", ratio(f, o))
		}
		m := 0.0
		if len(ratios) > 0 {
			m = median(ratios)
		}
		fmt.Fprintf(b, " %s |\n", ratio(m, 1))
	}
}

// writeStartup writes the start-up and memory table and the start-up ratio to bare.
func writeStartup(b *strings.Builder, res map[string]*result) {
	fmt.Fprintf(b, "\n## Start-up and memory\n\nStart-ups interleaved: %d per server, each server started fresh in turn (order reversed every other time).\n\n", *runs)
	fmt.Fprintf(b, "| server | process start → first 200 on /hello, ms: median (min–max) | idle RSS MiB (median) | RSS after %d /hello requests (fresh process) MiB | RSS after every scenario MiB |\n|---|---|---|---|---|\n", *growN)
	for _, n := range []string{"simulator", "flarego", "bare"} {
		r := res[n]
		if r == nil {
			continue
		}
		fmt.Fprintf(b, "| %s | %.1f (%.1f–%.1f) | %.1f | %.1f | %.1f |\n", n, median(r.startupMs), slices.Min(r.startupMs), slices.Max(r.startupMs), median(r.idleRSS), r.rssAfter, r.rssAfterAll)
	}
	fg, bare := res["flarego"], res["bare"]
	if fg != nil && bare != nil {
		fmt.Fprintf(b, "\nStart-up flarego ÷ bare (of the medians): %s.\n", ratio(median(fg.startupMs), median(bare.startupMs)))
	}
	if fg != nil {
		fmt.Fprintf(b, "\nTargets: start-up ≤ 100 ms and within 2× of bare; idle RSS ≤ 30 MiB; RSS after %d requests ≤ 2× idle.\n", *growN)
	}
}

// figure is r's median rate over the rounds for n, or its single measurement.
func figure(r *result, n string) float64 {
	if r == nil {
		return 0
	}
	if s := r.rounds[n]; len(s) > 0 {
		var rates []float64
		for _, x := range s {
			rates = append(rates, x.rate)
		}
		return median(rates)
	}
	return r.once[n].rate
}

// roundRate is r's rate for n in round i (from 0), or 0 if it was not measured.
func roundRate(r *result, n string, i int) float64 {
	if r == nil || i >= len(r.rounds[n]) {
		return 0
	}
	return r.rounds[n][i].rate
}

// latency is r's median p99 over the rounds for n, with the non-2xx answers of all rounds.
func latency(r *result, n string) string {
	if r == nil {
		return ""
	}
	samples := r.rounds[n]
	if len(samples) == 0 {
		if s, ok := r.once[n]; ok {
			samples = []sample{s}
		}
	}
	var ms []float64
	non2xx := 0
	for _, s := range samples {
		if v, ok := parseLatency(s.p99); ok {
			ms = append(ms, v)
		}
		non2xx += s.non2xx
	}
	out := ""
	if len(ms) > 0 {
		out = fmt.Sprintf("%.2fms", median(ms))
	}
	if non2xx > 0 {
		out += fmt.Sprintf(" non2xx=%d", non2xx)
	}
	return out
}

// parseLatency reads a wrk latency ("850.00us", "1.23ms", "1.02s", "2.00m") as milliseconds.
func parseLatency(s string) (float64, bool) {
	units := []struct {
		suffix string
		ms     float64
	}{{"us", 0.001}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}}
	for _, u := range units {
		if v, err := strconv.ParseFloat(strings.TrimSuffix(s, u.suffix), 64); err == nil && strings.HasSuffix(s, u.suffix) {
			return v * u.ms, true
		}
	}
	return 0, false
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
