// Command benchrun runs the side-by-side benchmarks: the platform's local simulator, the
// flarego runner (bench/worker) and a bare net/http server (bench/bare), measured by the
// same clients (the wrk command lines of the anchor's compare.sh and the loadgen client),
// and writes a markdown report.
//
//	go run ./bench/benchrun -anchors ../shared/anchors -out BENCHMARKS.md
//
// The machine's speed drifts over minutes, so the servers run side by side, each on its own
// port, and every scenario is run against each of them back to back, in several rounds with
// the order alternating; the report gives medians over the rounds and the ratio of each round.
//
// Every server listens on 127.0.0.1 and is stopped by the PID this program started.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type target struct {
	name  string
	dir   string
	cmd   []string
	env   []string
	port  int
	state string // state directory made fresh for each start
	// scenarios it serves beyond /hello (compare.sh names), plus "queue" and "ws"
	full bool
	proc *exec.Cmd // the instance the rounds run against, while it runs
}

// base is the URL the clients use for t.
func (t *target) base() string { return fmt.Sprintf("http://127.0.0.1:%d", t.port) }

// sample is one measurement: a rate (req/s, or msg/s and deliveries/s for queue and ws),
// with wrk's p99 and count of non-2xx answers where wrk made it.
type sample struct {
	rate   float64
	p99    string
	non2xx int
}

type result struct {
	startupMs   []float64
	idleRSS     []float64           // MiB
	rounds      map[string][]sample // per scenario (and "queue", "ws"), one sample per round
	once        map[string]sample   // r2_put_1m, r2_get_1m, asset_10k: measured once, after the rounds
	rssAfter    float64             // MiB after the memgrowth requests
	rssAfterAll float64             // MiB after every scenario, in the process that ran them
	rssIdle     float64
	queue       string // loadgen output of the last round
	ws          string
}

func newResult() *result {
	return &result{rounds: map[string][]sample{}, once: map[string]sample{}}
}

var (
	anchors   = flag.String("anchors", "../shared/anchors", "folder of the simulator anchor, wrk harness and loadgen")
	out       = flag.String("out", "BENCHMARKS.md", "report file")
	dur       = flag.String("dur", "5s", "duration of each wrk scenario")
	runs      = flag.Int("startups", 11, "start-up measurements per server (the median of few is noisy)")
	rounds    = flag.Int("rounds", 3, "rounds of throughput measurements (each scenario against each server back to back)")
	only      = flag.String("only", "", "comma-separated targets to run (simulator,flarego,bare); empty = all")
	scenarios = flag.String("scenarios", "hello kv_get kv_put d1_insert d1_get do_one do_1000 r2_put_4k r2_get_4k", "compare.sh scenarios for the full servers")
	growN     = flag.Int("grow", 200000, "requests to /hello before measuring RSS growth")
	extras    = flag.String("extras", "queue ws assets r2big", "further measurements for the full servers (queue, ws, assets, r2big)")
)

func main() {
	flag.Parse()
	if *rounds < 1 || *runs < 1 {
		panic("-rounds and -startups must be at least 1")
	}
	root, err := os.Getwd()
	check(err)
	anc, err := filepath.Abs(*anchors)
	check(err)
	checkScenarios(anc)
	bin, err := os.MkdirTemp("", "flarego-bench-bin")
	check(err)
	defer os.RemoveAll(bin)

	fmt.Println("building …")
	run(root, nil, "go", "build", "-o", filepath.Join(bin, "flarego-bench"), "./bench/worker")
	run(root, nil, "go", "build", "-o", filepath.Join(bin, "bare"), "./bench/bare")
	run(filepath.Join(anc, "loadgen"), nil, "go", "build", "-o", filepath.Join(bin, "loadgen"), ".")

	mf := filepath.Join(anc, "miniflare")
	if _, err := os.Stat(filepath.Join(mf, "node_modules")); err != nil {
		fmt.Println("installing the simulator (npm install) …")
		run(mf, nil, "npm", "install", "--no-audit", "--no-fund")
	}
	// Each server has its own port, so that all of them can run at once (the simulator's
	// asset instance takes 18790).
	all := []*target{
		{name: "simulator", dir: mf, cmd: []string{"node", "serve.mjs"}, port: 18787, full: true,
			env: []string{"PATH=" + filepath.Join(mf, "node_modules", ".bin") + ":" + os.Getenv("PATH")}},
		{name: "flarego", dir: root, cmd: []string{filepath.Join(bin, "flarego-bench"), "--port", "18788", "--log-level", "warn"}, port: 18788, full: true},
		{name: "bare", dir: root, cmd: []string{filepath.Join(bin, "bare"), "-addr", "127.0.0.1:18789"}, port: 18789},
	}
	var sel []*target
	results := map[string]*result{}
	for _, t := range all {
		if *only != "" && !strings.Contains(","+*only+",", ","+t.name+",") {
			continue
		}
		sel = append(sel, t)
		results[t.name] = newResult()
	}

	stopOnSignal()
	defer func() {
		if r := recover(); r != nil {
			stopAll() // several servers run at once: leave none behind
			panic(r)
		}
	}()
	measureStartups(sel, results)
	measureThroughput(sel, results, anc, bin)
	for _, t := range sel {
		measureGrowth(t, results[t.name], anc, bin)
	}
	report(results, anc)
}

// checkScenarios fails before any server starts if -scenarios names one compare.sh does not
// know, rather than after minutes of measuring.
func checkScenarios(anc string) {
	for _, n := range strings.Fields(*scenarios) {
		if n == "hello" || n == "kv_get" {
			continue
		}
		if _, err := os.Stat(filepath.Join(anc, "wrk", n+".lua")); err != nil {
			panic(fmt.Sprintf("unknown scenario %q (no %s.lua in ANCHORS/wrk)", n, n))
		}
	}
}

// hasExtra reports whether -extras names x.
func hasExtra(x string) bool { return slices.Contains(strings.Fields(*extras), x) }

// measureStartups starts each server fresh -startups times, interleaved (one start of each
// server in turn, order reversed every other time), so that drift of the machine's speed
// falls on all servers alike.
func measureStartups(sel []*target, res map[string]*result) {
	for i := 1; i <= *runs; i++ {
		order := slices.Clone(sel)
		if i%2 == 0 {
			slices.Reverse(order)
		}
		for _, t := range order {
			p, ms := start(t)
			time.Sleep(2 * time.Second)
			rss := treeRSS(p.Process.Pid)
			stop(p)
			r := res[t.name]
			r.startupMs = append(r.startupMs, ms)
			r.idleRSS = append(r.idleRSS, rss)
			fmt.Printf("  start %d, %s: %.1f ms to first 200, idle RSS %.1f MiB\n", i, t.name, ms, rss)
		}
	}
}

// measureThroughput starts every server once, prepares them, then runs -rounds rounds in
// which each scenario runs against each server back to back (only one under load at a
// time), so a round's ratio compares figures measured seconds apart.
func measureThroughput(sel []*target, res map[string]*result, anc, bin string) {
	fmt.Println("== throughput: every server started, side by side")
	for _, t := range sel {
		t.proc, _ = start(t)
	}
	for _, t := range sel {
		prepare(t, anc)
	}
	for r := 1; r <= *rounds; r++ {
		fmt.Printf("== round %d of %d\n", r, *rounds)
		order := roundOrder(sel, r)
		for _, n := range strings.Fields(*scenarios) {
			for _, t := range order {
				if n != "hello" && !t.full {
					continue
				}
				s := runScenario(anc, t.base(), n)
				res[t.name].rounds[n] = append(res[t.name].rounds[n], s)
				fmt.Printf("  %s %s: %.0f req/s (p99 %s, non-2xx %d)\n", n, t.name, s.rate, s.p99, s.non2xx)
			}
		}
		runLoadgenExtras(order, res, anc, bin)
	}
	for _, t := range sel {
		if t.full {
			runOnceExtras(t, res[t.name], anc, bin)
		}
	}
	for _, t := range sel {
		res[t.name].rssAfterAll = treeRSS(t.proc.Process.Pid)
		stop(t.proc)
		t.proc = nil
	}
}

// roundOrder is the order in which round r (from 1) loads the servers: simulator, flarego,
// bare on odd rounds, flarego, bare, simulator on even ones, so that neither of the two full
// servers always goes first; bare follows flarego, the figure it is compared with.
func roundOrder(sel []*target, r int) []*target {
	if r%2 == 1 {
		return sel
	}
	var order, sim []*target
	for _, t := range sel {
		if t.name == "simulator" {
			sim = append(sim, t)
		} else {
			order = append(order, t)
		}
	}
	return append(order, sim...)
}

// prepare gives a running server what the scenarios need and warms it: the d1 schema and
// compare.sh's seed data for the full servers (its figure is discarded: a 1 s run is a
// warm-up), a short wrk run on /hello for bare, which has nothing to seed.
func prepare(t *target, anc string) {
	fmt.Printf("  preparing %s\n", t.name)
	if !t.full {
		capture(anc, nil, "wrk", "-t1", "-c64", "-d1s", t.base()+"/hello")
		return
	}
	// the schema the d1 scenarios use (serve.mjs does the same for the simulator)
	if resp, err := http.Post(t.base()+"/admin/init", "text/plain", nil); err == nil {
		resp.Body.Close()
	}
	capture(anc, []string{"BASE=" + t.base(), "DUR=1s", "C=64"}, "bash", filepath.Join(anc, "wrk", "compare.sh"), "hello")
}

// runScenario runs the wrk command compare.sh runs for scenario n, directly, so that the
// data is not seeded again between rounds.
func runScenario(anc, base, n string) sample {
	args := []string{"-t1", "-c64", "-d" + *dur, "--latency"}
	switch n {
	case "hello":
		args = append(args, base+"/hello")
	case "kv_get":
		args = append(args, base+"/kv/get?k=hot")
	default:
		args = append(args, "-s", filepath.Join(anc, "wrk", n+".lua"), base)
	}
	return parseWrk(capture(anc, nil, "wrk", args...))
}

// runLoadgenExtras runs the queue measurement of one round against the full servers and the
// WebSocket one against every server, in the round's order, keeping the last round's loadgen output for the report.
func runLoadgenExtras(order []*target, res map[string]*result, anc, bin string) {
	lg := filepath.Join(bin, "loadgen")
	if hasExtra("queue") {
		for _, t := range order {
			if !t.full {
				continue
			}
			r := res[t.name]
			r.queue = capture(anc, nil, lg, "queue", "-base", t.base(), "-n", "20000", "-c", "64")
			r.rounds["queue"] = append(r.rounds["queue"], sample{rate: grabRate(r.queue, e2eRate)})
			fmt.Printf("  queue %s: %s\n", t.name, lastLines(r.queue, 3))
		}
	}
	if hasExtra("ws") {
		// bare too: its room is the client's ceiling for the fan-out on this machine.
		for _, t := range order {
			r := res[t.name]
			r.ws = capture(anc, nil, lg, "ws", "-url", strings.Replace(t.base(), "http", "ws", 1)+"/ws/room", "-clients", "100", "-msgs", "10")
			r.rounds["ws"] = append(r.rounds["ws"], sample{rate: grabRate(r.ws, wsRate)})
			fmt.Printf("  ws %s: %s\n", t.name, lastLines(r.ws, 3))
		}
	}
}

// runOnceExtras measures the 1 MiB R2 objects and the static asset once per server, after
// the rounds: they take long or need a second simulator instance.
func runOnceExtras(t *target, res *result, anc, bin string) {
	if hasExtra("r2big") {
		put, get := measureBigR2(t.base(), bin, anc)
		res.once["r2_put_1m"], res.once["r2_get_1m"] = sample{rate: put}, sample{rate: get}
		fmt.Printf("  %s r2 1 MiB: put %.1f req/s, get %.1f req/s\n", t.name, put, get)
	}
	if hasExtra("assets") {
		res.once["asset_10k"] = measureAsset(t, anc, t.base())
		fmt.Printf("  %s asset_10k: %.0f req/s\n", t.name, res.once["asset_10k"].rate)
	}
}

// measureGrowth measures memory growth on /hello alone, in a fresh process, as the anchor's
// memgrowth.sh does.
func measureGrowth(t *target, res *result, anc, bin string) {
	p, _ := start(t)
	time.Sleep(time.Second)
	res.rssIdle = treeRSS(p.Process.Pid)
	capture(anc, nil, filepath.Join(bin, "loadgen"), "http", "-url", t.base()+"/hello", "-c", "64", "-n", strconv.Itoa(*growN), "-d", "120s")
	time.Sleep(2 * time.Second)
	res.rssAfter = treeRSS(p.Process.Pid)
	stop(p)
	fmt.Printf("  %s: RSS idle %.1f MiB, after %d /hello requests %.1f MiB, after every scenario %.1f MiB\n", t.name, res.rssIdle, *growN, res.rssAfter, res.rssAfterAll)
}

// live holds the servers this program started and has not stopped, so that an interrupt or a
// panic can stop them by their PIDs. liveMu is held across a start, so a process is either
// registered here or not started.
var (
	liveMu sync.Mutex
	live   = map[*exec.Cmd]bool{}
)

// stopOnSignal stops every live server when the program is interrupted: they run in their
// own process groups, so the terminal's signal does not reach them.
func stopOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		liveMu.Lock() // held until exit: no further server starts
		for c := range live {
			kill(c)
		}
		os.Exit(130)
	}()
}

// stopAll stops every live server.
func stopAll() {
	liveMu.Lock()
	cmds := make([]*exec.Cmd, 0, len(live))
	for c := range live {
		cmds = append(cmds, c)
	}
	liveMu.Unlock()
	for _, c := range cmds {
		stop(c)
	}
}

// start launches t with a fresh state directory and returns once /hello answers 200, with
// the milliseconds from process start to that answer (polled every millisecond).
func start(t *target) (*exec.Cmd, float64) { return startPath(t, "/hello") }

// startAt starts t and waits for path to answer 200 rather than /hello (the asset instance
// has no /hello).
func startAt(t *target, path string) *exec.Cmd {
	c, _ := startPath(t, path)
	return c
}

func startPath(t *target, readyPath string) (*exec.Cmd, float64) {
	state, err := os.MkdirTemp("", "flarego-bench-state")
	check(err)
	t.state = state
	args := t.cmd[1:]
	if t.name == "flarego" {
		args = append(append([]string{}, args...), "--persist-to", state)
	}
	cmd := exec.Command(t.cmd[0], args...)
	cmd.Dir = t.dir
	cmd.Env = append(append(os.Environ(), t.env...), "MF_DATA="+state, "PORT="+strconv.Itoa(t.port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, _ := os.Create(filepath.Join(state, "server.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	url := fmt.Sprintf("http://127.0.0.1:%d%s", t.port, readyPath)
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", t.port), time.Second); err == nil {
		c.Close()
		panic(fmt.Sprintf("port %d is already in use: stop what listens there before benchmarking", t.port))
	}
	client := &http.Client{Timeout: time.Second}
	liveMu.Lock()
	t0 := time.Now()
	err = cmd.Start()
	if err == nil {
		live[cmd] = true
	}
	liveMu.Unlock()
	check(err)
	for time.Since(t0) < 2*time.Minute {
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, float64(time.Since(t0).Microseconds()) / 1000
			}
		}
		time.Sleep(time.Millisecond)
	}
	stop(cmd)
	b, _ := os.ReadFile(filepath.Join(state, "server.log"))
	panic(fmt.Sprintf("%s did not answer /hello: %s", t.name, b))
}

// stop ends the process this program started and every descendant of it, and forgets it.
func stop(cmd *exec.Cmd) {
	liveMu.Lock()
	delete(live, cmd)
	liveMu.Unlock()
	kill(cmd)
}

// kill ends cmd's process and every descendant of it (the simulator's workerd leaves node's
// process group), then waits for them.
func kill(cmd *exec.Cmd) {
	pid := cmd.Process.Pid
	tree := treePIDs(pid)
	syscall.Kill(-pid, syscall.SIGTERM)
	for _, p := range tree {
		syscall.Kill(p, syscall.SIGTERM)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
	for _, p := range tree {
		for i := 0; i < 50 && syscall.Kill(p, 0) == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		syscall.Kill(p, syscall.SIGKILL)
	}
	time.Sleep(300 * time.Millisecond) // let the port go
}

// treePIDs lists pid's descendants (not pid itself).
func treePIDs(pid int) []int {
	var out []int
	for p := range descendants(pid) {
		if p != pid {
			out = append(out, p)
		}
	}
	return out
}

// treeRSS sums VmRSS of pid and its descendants, in MiB.
func treeRSS(pid int) float64 {
	var kb float64
	for p := range descendants(pid) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "VmRSS:" {
				v, _ := strconv.ParseFloat(f[1], 64)
				kb += v
			}
		}
	}
	return kb / 1024
}

// descendants is pid and every process below it.
func descendants(pid int) map[int]bool {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 2 {
			pp, _ := strconv.Atoi(f[1])
			parent[p] = pp
		}
	}
	in := map[int]bool{pid: true}
	for changed := true; changed; {
		changed = false
		for p, pp := range parent {
			if in[pp] && !in[p] {
				in[p] = true
				changed = true
			}
		}
	}
	return in
}

// parseWrk reads the lines compare.sh reads from wrk's output: Requests/sec, the 99% latency
// and "Non-2xx or 3xx responses: N".
func parseWrk(s string) sample {
	r := sample{p99: "?"}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "Requests/sec:" {
			r.rate, _ = strconv.ParseFloat(f[1], 64)
		}
		if len(f) >= 2 && f[0] == "99%" {
			r.p99 = f[1]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "Non-2xx") && len(f) > 0 {
			r.non2xx, _ = strconv.Atoi(f[len(f)-1])
		}
	}
	return r
}

// e2eRate is the end-to-end rate loadgen's queue mode prints: "(N msg/s e2e)".
var e2eRate = regexp.MustCompile(`\(([0-9.]+) msg/s e2e\)`)

// wsRate is the delivery rate loadgen's ws mode prints: "=> N deliveries/s".
var wsRate = regexp.MustCompile(`=> ([0-9.]+) deliveries/s`)

func grabRate(s string, re *regexp.Regexp) float64 {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func run(dir string, env []string, name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	check(cmd.Run())
}

func capture(dir string, env []string, name string, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	if err := cmd.Run(); err != nil {
		fmt.Printf("  %s %s: %v\n%s\n", name, strings.Join(args, " "), err, b.String())
	}
	return b.String()
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				model = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s/%s, %s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// measureAsset measures a 10 KiB static asset with compare.sh's wrk command. The simulator
// anchor's worker has no assets, so a second simulator instance serves bench/assets/public
// (bench/assets/serve-simulator.mjs); flarego's bench worker serves the same folder.
func measureAsset(t *target, anc, base string) sample {
	url := base + "/asset-10k.txt"
	if t.name == "simulator" {
		mf := filepath.Join(anc, "miniflare")
		root, _ := os.Getwd()
		sa := &target{name: "simulator-assets", dir: filepath.Join(root, "bench", "assets"), port: 18790,
			cmd: []string{"node", "serve-simulator.mjs"},
			env: []string{"PATH=" + filepath.Join(mf, "node_modules", ".bin") + ":" + os.Getenv("PATH"), "NODE_PATH=" + filepath.Join(mf, "node_modules")}}
		p := startAt(sa, "/asset-10k.txt")
		defer stop(p)
		url = "http://127.0.0.1:18790/asset-10k.txt"
	}
	return parseWrk(capture(anc, nil, "wrk", "-t1", "-c64", "-d"+*dur, "--latency", url))
}

var reqRate = regexp.MustCompile(`([0-9.]+) req/s`)

// measureBigR2 measures 1 MiB puts and gets with loadgen's -body-size, 16 connections, as
// the anchor's results did.
func measureBigR2(base, bin, anc string) (put, get float64) {
	body := bytes.Repeat([]byte("x"), 1<<20)
	if resp, err := http.Post(base+"/r2/put?key=big0", "application/octet-stream", bytes.NewReader(body)); err == nil {
		resp.Body.Close()
	}
	lg := filepath.Join(bin, "loadgen")
	out := capture(anc, nil, lg, "http", "-url", base+"/r2/put?key=big{rand:100}", "-method", "POST", "-body-size", "1048576", "-c", "16", "-d", "10s")
	put = grabRate(out, reqRate)
	out = capture(anc, nil, lg, "http", "-url", base+"/r2/get?key=big0", "-c", "16", "-d", "10s")
	get = grabRate(out, reqRate)
	return put, get
}
