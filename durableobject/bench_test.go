package durableobject_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
)

// Benchmarks of the engine path (no HTTP). The heavy ones run only with
// DURABLEOBJECT_BENCH_HEAVY=1:
//
//	go test ./durableobject -run XXX -bench . -benchtime 2s
//	DURABLEOBJECT_BENCH_HEAVY=1 go test ./durableobject -run XXX -bench Touch100k -benchtime 1x

type benchEnv struct{}

type benchCounter struct{ st *durableobject.State }

func (c *benchCounter) Incr(ctx context.Context, by int) (int, error) {
	s := c.st.Storage()
	n, _, err := durableobject.Get[int](ctx, s, "n")
	if err != nil {
		return 0, err
	}
	n += by
	return n, s.Put(ctx, "n", n)
}

func (c *benchCounter) Ping(ctx context.Context, _ int) (int, error) { return 0, nil }

// Fetch accepts a hibernatable WebSocket (the fan-out room).
func (c *benchCounter) Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error) {
	client, server := worker.NewWebSocketPair()
	if _, err := c.st.AcceptWebSocket(server); err != nil {
		return nil, err
	}
	return worker.WebSocketResponse(client), nil
}

// WebSocketMessage broadcasts to every socket of the room, the sender included.
func (c *benchCounter) WebSocketMessage(ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
	for _, peer := range c.st.GetWebSockets("") {
		if err := peer.Send(ctx, msg.Type, msg.Data); err != nil {
			return err
		}
	}
	return nil
}

var (
	benchIncr = durableobject.Method("Incr", (*benchCounter).Incr)
	benchPing = durableobject.Method("Ping", (*benchCounter).Ping)
)

func newBenchEngine(b *testing.B, opts durableobject.Options) (*durableobject.Engine, *durableobject.Namespace[*benchCounter]) {
	b.Helper()
	eng, err := durableobject.NewEngine(nil, opts)
	if err != nil {
		b.Fatal(err)
	}
	eng.AddClass(durableobject.NewClass("Counter", func(st *durableobject.State, _ benchEnv) *benchCounter { return &benchCounter{st: st} }))
	h, err := eng.Namespace(durableobject.NamespaceConfig{Class: "Counter"})
	if err != nil {
		b.Fatal(err)
	}
	ns, err := durableobject.Bind[*benchCounter](h)
	if err != nil {
		b.Fatal(err)
	}
	if err := eng.Start(benchEnv{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close(context.Background()) })
	return eng, ns
}

// BenchmarkRPCIncrement: 64 parallel callers incrementing a counter kept in storage, durable
// on disk, on one object and spread over 1,000 objects (set up and warmed once).
func BenchmarkRPCIncrement(b *testing.B) {
	for _, objects := range []int{1, 1000} {
		eng, ns := newBenchEngine(b, durableobject.Options{Dir: b.TempDir()})
		stubs := make([]*durableobject.Stub[*benchCounter], objects)
		for i := range stubs {
			stubs[i] = ns.GetByName(fmt.Sprintf("counter-%d", i))
			if _, err := benchIncr.Call(context.Background(), stubs[i], 1); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("objects=%d", objects), func(b *testing.B) {
			before := eng.Stats()
			var next atomic.Int64
			b.SetParallelism(32) // 64 goroutines on 2 cores
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					i := next.Add(1)
					if _, err := benchIncr.Call(ctx, stubs[int(i)%objects], 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
			elapsed := time.Since(start)
			s := eng.Stats()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
			b.ReportMetric(float64(s.Turns-before.Turns)/float64(max(s.Commits-before.Commits, 1)), "turns/commit")
		})
	}
}

// BenchmarkRPCPing is the engine's own cost per call: no storage.
func BenchmarkRPCPing(b *testing.B) {
	_, ns := newBenchEngine(b, durableobject.Options{})
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		stub := ns.GetByName("p")
		for pb.Next() {
			benchPing.Call(ctx, stub, 0)
		}
	})
}

// BenchmarkWebSocketFanout: 100 sockets in one room, each sends 10 messages, each message is
// broadcast to all 100 sockets: 100,000 deliveries per iteration, through in-process pairs.
func BenchmarkWebSocketFanout(b *testing.B) {
	const clients, msgs = 100, 10
	_, ns := newBenchEngine(b, durableobject.Options{})
	ctx := context.Background()
	var delivered int64
	var busy time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		stub := ns.GetByName(fmt.Sprint("room-", i))
		conns := make([]*worker.WebSocket, clients)
		for c := range conns {
			resp, err := stub.Fetch(ctx, httptest.NewRequest(http.MethodGet, "http://room/", nil))
			if err != nil {
				b.Fatal(err)
			}
			conns[c], _ = worker.WebSocketFrom(resp)
		}
		var wg sync.WaitGroup
		for _, ws := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range clients * msgs {
					if _, err := ws.Receive(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		b.StartTimer()
		start := time.Now()
		for m := range msgs {
			for _, ws := range conns {
				ws.SendText(ctx, strconv.Itoa(m))
			}
		}
		wg.Wait()
		busy += time.Since(start)
		delivered += clients * clients * msgs
		b.StopTimer()
		for _, ws := range conns {
			ws.Close(1000, "")
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(delivered)/busy.Seconds(), "deliveries/s")
}

// BenchmarkColdActivation is the cost of one object's first call: constructor, and with
// storage its database file (DirDriver) and index row.
func BenchmarkColdActivation(b *testing.B) {
	for _, c := range []struct {
		name    string
		dir     bool
		storage bool
	}{{"memory/no-storage", false, false}, {"memory/storage", false, true}, {"dir/storage", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			opts := durableobject.Options{}
			if c.dir {
				opts.Dir = b.TempDir()
			}
			_, ns := newBenchEngine(b, opts)
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				stub := ns.GetByName(strconv.Itoa(i))
				var err error
				if c.storage {
					_, err = benchIncr.Call(ctx, stub, 1)
				} else {
					_, err = benchPing.Call(ctx, stub, 0)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTouch100k touches 100,000 distinct objects (an increment in storage each, on disk)
// from 64 callers, with a short idle eviction, and reports memory and open databases.
func BenchmarkTouch100k(b *testing.B) {
	if os.Getenv("DURABLEOBJECT_BENCH_HEAVY") == "" {
		b.Skip("set DURABLEOBJECT_BENCH_HEAVY=1")
	}
	const objects = 100_000
	for _, storage := range []bool{false, true} {
		b.Run(fmt.Sprintf("storage=%v", storage), func(b *testing.B) {
			for b.Loop() {
				eng, ns := newBenchEngine(b, durableobject.Options{Dir: b.TempDir(), EvictAfter: time.Second})
				var next atomic.Int64
				var wg sync.WaitGroup
				var maxOpen, maxLive atomic.Int64
				start := time.Now()
				for range 64 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						ctx := context.Background()
						for {
							i := next.Add(1)
							if i > objects {
								return
							}
							stub := ns.GetByName(strconv.FormatInt(i, 10))
							var err error
							if storage {
								_, err = benchIncr.Call(ctx, stub, 1)
							} else {
								_, err = benchPing.Call(ctx, stub, 0)
							}
							if err != nil {
								b.Error(err)
								return
							}
							if i%1000 == 0 {
								s := eng.Stats()
								maxOpen.Store(max(maxOpen.Load(), s.OpenDatabases))
								maxLive.Store(max(maxLive.Load(), s.LiveObjects))
							}
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(objects)/elapsed.Seconds(), "objects/s")
				b.ReportMetric(float64(elapsed.Microseconds())/objects, "µs/object")
				b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
				b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heapsys-MiB")
				b.ReportMetric(rssMiB("VmHWM"), "peak-RSS-MiB")
				b.ReportMetric(float64(maxOpen.Load()), "max-open-dbs")
				b.ReportMetric(float64(maxLive.Load()), "max-live-objects")
				b.ReportMetric(float64(openFiles()), "open-fds-after")
			}
		})
	}
}

func rssMiB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func openFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}
