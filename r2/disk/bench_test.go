package disk_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/disk"
)

func benchBucket(b *testing.B) *r2.Bucket {
	bk, err := disk.OpenBucket(b.TempDir(), disk.Options{}, r2.Options{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bk.Close() })
	return bk
}

// cpuTime is the process's user+system CPU time: on a shared machine, CPU per operation
// says more than wall time per operation.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds a cpu-ns/op metric from a cpuTime taken before the loop.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func benchPut(b *testing.B, size int, parallel bool) {
	bk := benchBucket(b)
	data := bytes.Repeat([]byte("x"), size)
	ctx := context.Background()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var n atomic.Int64
	put := func() {
		// A bounded key space: overwrites free old blobs as a long run goes on.
		key := fmt.Sprintf("k%d", n.Add(1)%1024)
		if _, err := bk.Put(ctx, key, bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
	defer reportCPU(b, cpuTime())
	if parallel {
		// Many writers at once, as an HTTP server under load has: group commit shares
		// each commit among them.
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				put()
			}
		})
		return
	}
	for b.Loop() {
		put()
	}
}

func benchGet(b *testing.B, size int) {
	bk := benchBucket(b)
	ctx := context.Background()
	if _, err := bk.Put(ctx, "k", bytes.NewReader(bytes.Repeat([]byte("x"), size)), nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		obj, err := bk.Get(ctx, "k", nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, obj.Body); err != nil {
			b.Fatal(err)
		}
		obj.Body.Close()
	}
}

func BenchmarkPut4KiB(b *testing.B)         { benchPut(b, 4<<10, false) }
func BenchmarkPut4KiBParallel(b *testing.B) { benchPut(b, 4<<10, true) }
func BenchmarkPut1MiB(b *testing.B)         { benchPut(b, 1<<20, false) }
func BenchmarkGet4KiB(b *testing.B)         { benchGet(b, 4<<10) }
func BenchmarkGet1MiB(b *testing.B)         { benchGet(b, 1<<20) }

// genReader yields size bytes of a fixed pattern, sampling the heap every 64 MiB.
type genReader struct {
	left, read int64
	peak       uint64
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), g.left)
	for i := range p[:n] {
		p[i] = byte(i)
	}
	before := g.read / (64 << 20)
	g.left -= n
	g.read += n
	if g.read/(64<<20) != before {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		g.peak = max(g.peak, ms.HeapInuse)
	}
	return int(n), nil
}

// TestPut1GiBMemory streams a generated 1 GiB body into a disk bucket and reports the
// peak heap in use while it does, and the process's peak RSS. Opt in with R2_BIG=1.
func TestPut1GiBMemory(t *testing.T) {
	if os.Getenv("R2_BIG") == "" {
		t.Skip("set R2_BIG=1 to stream 1 GiB through a put")
	}
	bk, err := disk.OpenBucket(t.TempDir(), disk.Options{}, r2.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bk.Close()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	g := &genReader{left: 1 << 30}
	start := time.Now()
	obj, err := bk.Put(context.Background(), "big", g, nil)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if obj.Size != 1<<30 {
		t.Fatalf("size %d", obj.Size)
	}
	t.Logf("put 1 GiB in %v (%.0f MB/s); heap in use before %.1f MiB, peak during %.1f MiB; %s",
		elapsed, float64(obj.Size)/elapsed.Seconds()/1e6,
		float64(base.HeapInuse)/(1<<20), float64(g.peak)/(1<<20), peakRSS())
	if g.peak > base.HeapInuse+32<<20 {
		t.Fatalf("the put held %d bytes of heap: not streaming", g.peak-base.HeapInuse)
	}
}

func peakRSS() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "peak RSS unknown"
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return "peak RSS " + strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "peak RSS unknown"
}
