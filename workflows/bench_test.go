package workflows_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

// Heavy benchmarks (10,000 and 100,000 instances) run only with FLAREGO_BENCH_HEAVY=1:
//
//	FLAREGO_BENCH_HEAVY=1 go test ./workflows -run '^$' -bench . -benchtime 1x
//
// Every benchmark uses the embedded default store: SQLite files in a temporary directory.

func heavy(b *testing.B) {
	if os.Getenv("FLAREGO_BENCH_HEAVY") == "" {
		b.Skip("set FLAREGO_BENCH_HEAVY=1 to run")
	}
}

type benchEnv struct{}

func openBench[P, O any](b *testing.B, run workflows.RunFunc[benchEnv, P, O]) *workflows.Engine {
	b.Helper()
	e, err := workflows.Open(workflows.Options{Name: "bench", Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	if err := e.Start(workflows.NewDefinition("Bench", run), benchEnv{}); err != nil {
		b.Fatal(err)
	}
	return e
}

// createMany creates n instances in batches of MaxBatch.
func createMany(b *testing.B, e *workflows.Engine, n int) {
	b.Helper()
	batch := make([]workflows.NewInstance, 0, workflows.MaxBatch)
	for i := 0; i < n; i++ {
		batch = append(batch, workflows.NewInstance{Params: []byte(strconv.Itoa(i))})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := e.Create(context.Background(), batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// waitCount polls until n instances have the status (Counts scans the table: poll only
// once the work is nearly done).
func waitCount(b *testing.B, e *workflows.Engine, s workflows.Status, n int) {
	b.Helper()
	for {
		c, err := e.Counts(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if c[s] >= n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func throughput(b *testing.B, n int) {
	var done atomic.Int64
	var target atomic.Int64
	finished := make(chan struct{}, 1)
	e := openBench(b, func(ev workflows.Event[int], s *workflows.Step, _ benchEnv, _ *worker.Context) (int, error) {
		x := ev.Payload
		for _, name := range []string{"one", "two", "three"} {
			var err error
			if x, err = workflows.Do(s, name, func(context.Context) (int, error) { return x + 1, nil }); err != nil {
				return 0, err
			}
		}
		if done.Add(1) == target.Load() {
			finished <- struct{}{}
		}
		return x, nil
	})
	var (
		total   int
		elapsed time.Duration
	)
	for b.Loop() {
		total += n
		target.Store(int64(total))
		begin := time.Now()
		createMany(b, e, n)
		<-finished
		waitCount(b, e, workflows.StatusComplete, total)
		elapsed += time.Since(begin)
	}
	b.ReportMetric(float64(3*total)/elapsed.Seconds(), "steps/s")
	b.ReportMetric(float64(total)/elapsed.Seconds(), "instances/s")
}

// BenchmarkThroughput1k: 1,000 instances of a 3-step workflow, created and run to
// completion.
func BenchmarkThroughput1k(b *testing.B) { throughput(b, 1000) }

// BenchmarkThroughput10k: 10,000 instances of a 3-step workflow (heavy).
func BenchmarkThroughput10k(b *testing.B) {
	heavy(b)
	throughput(b, 10000)
}

func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

func sleeping(b *testing.B, n int) {
	var worked atomic.Int64
	allWorked := make(chan struct{})
	e := openBench(b, func(ev workflows.Event[int], s *workflows.Step, _ benchEnv, _ *worker.Context) (int, error) {
		x, err := workflows.Do(s, "work", func(context.Context) (int, error) {
			if worked.Add(1) == int64(n) {
				close(allWorked)
			}
			return ev.Payload, nil
		})
		if err != nil {
			return 0, err
		}
		return x, workflows.Sleep(s, "nap", 24*time.Hour)
	})
	for i := 0; i < b.N; i++ {
		if i > 0 {
			continue // one measurement
		}
		g0, h0, r0 := runtime.NumGoroutine(), heapInUse(), rssBytes()
		begin := time.Now()
		createMany(b, e, n)
		<-allWorked
		waitCount(b, e, workflows.StatusWaiting, n)
		b.ReportMetric(float64(n)/time.Since(begin).Seconds(), "instances/s")
		time.Sleep(100 * time.Millisecond) // let finished runs' goroutines exit
		g1, h1, r1 := runtime.NumGoroutine(), heapInUse(), rssBytes()
		b.ReportMetric(float64(h1)/(1<<20), "heap-MB")
		b.ReportMetric(float64(h1-h0)/float64(n), "heap-B/instance")
		b.ReportMetric(float64(r1)/(1<<20), "rss-MB")
		b.ReportMetric(float64(r1-r0)/(1<<20), "rss-growth-MB")
		b.ReportMetric(float64(g1), "goroutines")
		b.ReportMetric(float64(g1-g0), "goroutine-growth")
		if g1-g0 > 5 {
			b.Errorf("goroutines grew by %d with %d sleeping instances", g1-g0, n)
		}
		fmt.Fprintf(os.Stderr, "%d sleeping: heap %d→%d MB, rss %d→%d MB, goroutines %d→%d\n",
			n, h0>>20, h1>>20, r0>>20, r1>>20, g0, g1)
	}
}

// BenchmarkSleeping10k: memory and goroutines with 10,000 sleeping instances.
func BenchmarkSleeping10k(b *testing.B) { sleeping(b, 10000) }

// BenchmarkSleeping100k: the same with 100,000 (heavy).
func BenchmarkSleeping100k(b *testing.B) {
	heavy(b)
	sleeping(b, 100000)
}

// BenchmarkCreateToComplete measures, in real time, one instance of a 2-step workflow with
// a 1 s sleep between the steps, from Create to complete (the local runtime takes 1.06 s).
func BenchmarkCreateToComplete(b *testing.B) {
	e := openBench(b, func(ev workflows.Event[int], s *workflows.Step, _ benchEnv, _ *worker.Context) (int, error) {
		x, err := workflows.Do(s, "first", func(context.Context) (int, error) { return 1, nil })
		if err != nil {
			return 0, err
		}
		if err := workflows.Sleep(s, "pause", time.Second); err != nil {
			return 0, err
		}
		return workflows.Do(s, "second", func(context.Context) (int, error) { return x + 1, nil })
	})
	wf := workflows.Bind[int](e)
	var total time.Duration
	n := 0
	for b.Loop() {
		begin := time.Now()
		in, err := wf.Create(context.Background(), workflows.CreateOptions[int]{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := in.WaitForStatus(context.Background(), workflows.StatusComplete); err != nil {
			b.Fatal(err)
		}
		total += time.Since(begin)
		n++
	}
	b.ReportMetric(float64(total.Microseconds())/float64(n)/1000, "ms/instance")
	b.ReportMetric(float64((total-time.Duration(n)*time.Second).Microseconds())/float64(n)/1000, "overhead-ms")
}
