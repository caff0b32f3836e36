package kvsqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvsqlite"
)

// A child process for the cross-process tests: it runs when the test binary is started
// with KVSQLITE_CHILD set, does what KVSQLITE_CHILD says, and reports on stdout.
func TestMain(m *testing.M) {
	if mode := os.Getenv("KVSQLITE_CHILD"); mode != "" {
		os.Exit(child(mode, os.Getenv("KVSQLITE_DIR")))
	}
	os.Exit(m.Run())
}

func child(mode, dir string) int {
	ctx := context.Background()
	ns, err := kvsqlite.OpenNamespace(dir, "shared ns", kv.Options{})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	switch mode {
	case "put-then-hang":
		// Acknowledged writes, then no clean close: the parent kills this process.
		for i := range 50 {
			if err := ns.PutString(ctx, fmt.Sprint("crash/", i), fmt.Sprint(i)); err != nil {
				fmt.Println("error:", err)
				return 1
			}
		}
		fmt.Println("done")
		select {}
	case "write-200":
		for i := range 200 {
			if err := ns.PutString(ctx, fmt.Sprint("child/", i), "c"); err != nil {
				fmt.Println("error:", err)
				return 1
			}
		}
		fmt.Println("done")
		return 0
	}
	return 2
}

func startChild(t *testing.T, mode, dir string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KVSQLITE_CHILD="+mode, "KVSQLITE_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

func TestPutSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	cmd, out := startChild(t, "put-then-hang", dir)
	if !out.Scan() || out.Text() != "done" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q", out.Text())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no close, no checkpoint
		t.Fatal(err)
	}
	cmd.Wait()

	ns, err := kvsqlite.OpenNamespace(dir, "shared ns", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	for i := range 50 {
		v, err := ns.GetText(context.Background(), fmt.Sprint("crash/", i))
		if err != nil || v != fmt.Sprint(i) {
			t.Fatalf("crash/%d after kill: %q, %v", i, v, err)
		}
	}
}

func TestSecondHandleSeesWritesWithoutClose(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := kvsqlite.OpenNamespace(dir, "ns", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.PutString(ctx, "k", "v", kv.WithMetadata(map[string]int{"n": 1})); err != nil {
		t.Fatal(err)
	}
	// A second, independent handle on the same file while the first is still open.
	b, err := kvsqlite.OpenNamespace(dir, "ns", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	e, err := b.GetWithMetadata(ctx, "k")
	if err != nil || string(e.Value) != "v" || string(e.Metadata) != `{"n":1}` {
		t.Fatalf("second handle: %+v, %v", e, err)
	}
	if err := b.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "k"); err != kv.ErrNotFound {
		t.Fatalf("first handle after delete by the second: %v", err)
	}
}

func TestRestartKeepsData_X001(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ns, err := kvsqlite.OpenNamespace(dir, "ns", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ns.PutString(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := ns.Close(); err != nil {
		t.Fatal(err)
	}
	ns, err = kvsqlite.OpenNamespace(dir, "ns", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if v, err := ns.GetText(ctx, "k"); err != nil || v != "v" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
}

func TestConcurrentProcesses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ns, err := kvsqlite.OpenNamespace(dir, "shared ns", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	cmd, out := startChild(t, "write-200", dir)
	for i := range 200 {
		if err := ns.PutString(ctx, fmt.Sprint("parent/", i), "p"); err != nil {
			t.Fatal(err)
		}
	}
	if !out.Scan() || out.Text() != "done" {
		t.Fatalf("child said %q", out.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"parent/", "child/"} {
		n := 0
		for _, err := range ns.Keys(ctx, kv.ListOptions{Prefix: prefix}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 200 {
			t.Fatalf("%s: %d keys", prefix, n)
		}
	}
}

func TestConcurrentPutsShareCommits(t *testing.T) {
	ctx := context.Background()
	ns, err := kvsqlite.OpenNamespace(t.TempDir(), "ns", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 100 {
				if err := ns.PutString(ctx, fmt.Sprintf("w%d/%03d", w, i), "v"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	n := 0
	for _, err := range ns.Keys(ctx, kv.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 800 {
		t.Fatalf("%d keys stored", n)
	}
}

func TestFileNamePerNamespaceID(t *testing.T) {
	dir := t.TempDir()
	ids := []string{"a b/c", "../escape", "plain", strings.Repeat("long", 100)}
	for _, id := range ids {
		name := kvsqlite.FileName(id)
		if strings.ContainsAny(strings.TrimSuffix(name, ".sqlite"), `/\ .`) || len(name) != 64+len(".sqlite") {
			t.Fatalf("unsafe name %q for %q", name, id)
		}
		d, err := kvsqlite.OpenDir(dir, id, kvsqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(d.Path()) != dir {
			t.Fatalf("%q stored outside the directory: %s", id, d.Path())
		}
		d.Close()
	}
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sqlite") {
			n++
		}
	}
	if n != len(ids) {
		t.Fatalf("%d files for %d ids", n, len(ids))
	}
	// A file belongs to the id it was made for.
	if err := os.Rename(filepath.Join(dir, kvsqlite.FileName("plain")), filepath.Join(dir, kvsqlite.FileName("other"))); err != nil {
		t.Fatal(err)
	}
	if _, err := kvsqlite.OpenDir(dir, "other", kvsqlite.Options{}); err == nil {
		t.Fatal("opened another namespace's file")
	}
	if _, err := kvsqlite.OpenDir(dir, "", kvsqlite.Options{}); err == nil {
		t.Fatal("opened an empty id")
	}
}

// Keys that expired while no Namespace was open (or that another process wrote) are purged
// once a Namespace opens the file.
func TestPurgeOnOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		d, err := kvsqlite.Open(filepath.Join(t.TempDir(), "ns.sqlite"), kvsqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		past := time.Now().Add(-time.Hour).Unix()
		if err := d.Put(ctx, kv.Record{Key: "old", Value: []byte("v"), Expiration: past}); err != nil {
			t.Fatal(err)
		}
		ns := kv.New(d, kv.Options{})
		defer ns.Close()
		synctest.Wait()
		recs, _, err := d.List(ctx, kv.ListQuery{Limit: 10, Now: time.Unix(0, 0)})
		if err != nil || len(recs) != 0 {
			t.Fatalf("still stored: %+v, %v", recs, err)
		}
	})
}
