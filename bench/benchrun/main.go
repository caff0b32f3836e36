// Command benchrun runs the side-by-side benchmarks: the platform's local simulator, the
// flarego runner (bench/worker) and a bare net/http server (bench/bare), one after the
// other on this machine, measured by the same clients (the wrk harness compare.sh and the
// loadgen client), and writes a markdown report.
//
//	go run ./bench/benchrun -anchors ../shared/anchors -out BENCHMARKS.md
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
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
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
}

type result struct {
	startupMs   []float64
	idleRSS     []float64 // MiB
	rps         map[string]float64
	p99         map[string]string
	non2xx      map[string]string
	rssAfter    float64 // MiB after the memgrowth requests
	rssAfterAll float64 // MiB after every scenario, in the process that ran them
	rssIdle     float64
	queue       string
	ws          string
	wsRate      float64
	queueRate   float64
}

var (
	anchors   = flag.String("anchors", "../shared/anchors", "folder of the simulator anchor, wrk harness and loadgen")
	out       = flag.String("out", "BENCHMARKS.md", "report file")
	dur       = flag.String("dur", "5s", "duration of each wrk scenario")
	runs      = flag.Int("startups", 5, "start-up measurements per server")
	only      = flag.String("only", "", "comma-separated targets to run (simulator,flarego,bare); empty = all")
	scenarios = flag.String("scenarios", "hello kv_get kv_put d1_insert d1_get do_one do_1000 r2_put_4k r2_get_4k", "compare.sh scenarios for the full servers")
	growN     = flag.Int("grow", 200000, "requests to /hello before measuring RSS growth")
	extras    = flag.String("extras", "queue ws assets r2big", "further measurements for the full servers (queue, ws, assets, r2big)")
)

func main() {
	flag.Parse()
	root, err := os.Getwd()
	check(err)
	anc, err := filepath.Abs(*anchors)
	check(err)
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
	targets := []*target{
		{name: "simulator", dir: mf, cmd: []string{"node", "serve.mjs"}, port: 18787, full: true,
			env: []string{"PATH=" + filepath.Join(mf, "node_modules", ".bin") + ":" + os.Getenv("PATH")}},
		{name: "flarego", dir: root, cmd: []string{filepath.Join(bin, "flarego-bench"), "--port", "18787", "--log-level", "warn"}, port: 18787, full: true},
		{name: "bare", dir: root, cmd: []string{filepath.Join(bin, "bare"), "-addr", "127.0.0.1:18789"}, port: 18789},
	}
	results := map[string]*result{}
	for _, t := range targets {
		if *only != "" && !strings.Contains(","+*only+",", ","+t.name+",") {
			continue
		}
		fmt.Printf("== %s\n", t.name)
		results[t.name] = measure(t, anc, bin)
	}
	report(results, anc)
}

func measure(t *target, anc, bin string) *result {
	res := &result{rps: map[string]float64{}, p99: map[string]string{}, non2xx: map[string]string{}}
	base := fmt.Sprintf("http://127.0.0.1:%d", t.port)
	for i := 0; i < *runs; i++ {
		p, ms := start(t)
		time.Sleep(2 * time.Second)
		rss := treeRSS(p.Process.Pid)
		stop(p)
		res.startupMs = append(res.startupMs, ms)
		res.idleRSS = append(res.idleRSS, rss)
		fmt.Printf("  start %d: %.1f ms to first 200, idle RSS %.1f MiB\n", i+1, ms, rss)
	}

	p, _ := start(t)
	if t.full { // the schema the d1 scenarios use (serve.mjs does the same for the simulator)
		if resp, err := http.Post(base+"/admin/init", "text/plain", nil); err == nil {
			resp.Body.Close()
		}
	}
	time.Sleep(time.Second)
	res.rssIdle = treeRSS(p.Process.Pid)
	if t.full {
		outp := capture(anc, []string{"BASE=" + base, "DUR=" + *dur, "C=64"}, "bash", append([]string{filepath.Join(anc, "wrk", "compare.sh")}, strings.Fields(*scenarios)...)...)
		parseCompare(outp, res)
	} else {
		// The bare server has only /hello, so compare.sh's seeding cannot run against it:
		// run its wrk command for hello directly.
		outp := capture(anc, nil, "wrk", "-t1", "-c64", "-d"+*dur, "--latency", base+"/hello")
		res.rps["hello"], res.p99["hello"] = parseWrk(outp)
	}
	for k, v := range res.rps {
		fmt.Printf("  %s: %.0f req/s (p99 %s)\n", k, v, res.p99[k])
	}
	if t.full && strings.Contains(*extras, "queue") {
		res.queue = capture(anc, nil, filepath.Join(bin, "loadgen"), "queue", "-base", base, "-n", "20000", "-c", "64")
		res.queueRate = grabRate(res.queue, e2eRate)
		fmt.Printf("  queue: %s\n", lastLines(res.queue, 3))
	}
	if t.full && strings.Contains(*extras, "ws") {
		res.ws = capture(anc, nil, filepath.Join(bin, "loadgen"), "ws", "-url", strings.Replace(base, "http", "ws", 1)+"/ws/room", "-clients", "100", "-msgs", "10")
		res.wsRate = grabRate(res.ws, wsRate)
		fmt.Printf("  ws: %s\n", lastLines(res.ws, 3))
	}
	if t.full && strings.Contains(*extras, "r2big") {
		res.rps["r2_put_1m"], res.rps["r2_get_1m"] = measureBigR2(base, bin, anc)
		fmt.Printf("  r2 1 MiB: put %.1f req/s, get %.1f req/s\n", res.rps["r2_put_1m"], res.rps["r2_get_1m"])
	}
	if t.full && strings.Contains(*extras, "assets") {
		res.rps["asset_10k"], res.p99["asset_10k"] = measureAsset(t, anc, base)
		fmt.Printf("  asset_10k: %.0f req/s\n", res.rps["asset_10k"])
	}
	res.rssAfterAll = treeRSS(p.Process.Pid)
	stop(p)
	// Memory growth on /hello alone, in a fresh process, as the anchor's memgrowth.sh does.
	p, _ = start(t)
	time.Sleep(time.Second)
	res.rssIdle = treeRSS(p.Process.Pid)
	capture(anc, nil, filepath.Join(bin, "loadgen"), "http", "-url", base+"/hello", "-c", "64", "-n", strconv.Itoa(*growN), "-d", "120s")
	time.Sleep(2 * time.Second)
	res.rssAfter = treeRSS(p.Process.Pid)
	stop(p)
	fmt.Printf("  RSS idle %.1f MiB, after %d /hello requests %.1f MiB, after every scenario %.1f MiB\n", res.rssIdle, *growN, res.rssAfter, res.rssAfterAll)
	return res
}

// start launches t with a fresh state directory and returns once /hello answers 200, with
// the milliseconds from process start to that answer (polled every millisecond).
func start(t *target) (*exec.Cmd, float64) { return startPath(t, "/hello") }

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
	t0 := time.Now()
	check(cmd.Start())
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

// stop ends the process this program started and every descendant of it (the simulator's
// workerd leaves node's process group), then waits for them.
func stop(cmd *exec.Cmd) {
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

func parseCompare(s string, res *result) {
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		res.rps[f[0]] = v
		res.p99[f[0]] = f[2]
		if len(f) > 3 {
			res.non2xx[f[0]] = f[3]
		}
	}
}

func parseWrk(s string) (float64, string) {
	var rps float64
	p99 := "?"
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "Requests/sec:" {
			rps, _ = strconv.ParseFloat(f[1], 64)
		}
		if len(f) >= 2 && f[0] == "99%" {
			p99 = f[1]
		}
	}
	return rps, p99
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
func measureAsset(t *target, anc, base string) (float64, string) {
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
