package queues_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

// These tests run a second process: the test binary itself, re-executed into
// TestHelperProcess with QUEUES_HELPER naming its part. They use real time; every wait is
// for an event, bounded by eventTimeout only so that a broken build fails instead of hanging.
const eventTimeout = 30 * time.Second

// TestHelperProcess is the child side; it does nothing in a normal test run.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("QUEUES_HELPER")
	if mode == "" {
		t.Skip("helper process only")
	}
	dir := os.Getenv("QUEUES_DIR")
	lease, _ := time.ParseDuration(os.Getenv("QUEUES_LEASE"))
	opts := queues.Options{LeaseDuration: lease, Consumers: []queues.ConsumerConfig{{Queue: "jobs", MaxBatchTimeout: new(time.Duration(0))}}}
	e, err := queues.Open(dir, opts)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	switch mode {
	case "send":
		p := queues.NewProducer[Job](e.Producer(queues.ProducerConfig{Queue: "jobs"}))
		n, _ := strconv.Atoi(os.Getenv("QUEUES_COUNT"))
		for i := range n {
			if err := p.Send(context.Background(), Job{N: i}); err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
		}
		fmt.Println("sent")
	case "consume", "hang":
		app := newApp()
		queues.Consume(app, "jobs", func(b *queues.Batch[Job], _ Env, _ *worker.Context) error {
			for _, m := range b.Messages {
				fmt.Printf("got %d %d\n", m.Body.N, m.Attempts)
			}
			if mode == "hang" {
				select {} // a consumer stuck until the process dies
			}
			return nil
		})
		if err := e.Start(Env{}, app.Registrations()); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println("ready")
	}
	select {} // wait for SIGKILL
}

type child struct {
	cmd   *exec.Cmd
	lines chan string
}

func startChild(t *testing.T, mode, dir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{"QUEUES_HELPER=" + mode, "QUEUES_DIR=" + dir}, env...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1000)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(c.kill)
	return c
}

func (c *child) kill() {
	if c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
	}
}

// expect waits for the child's next line with the given prefix and returns it.
func (c *child) expect(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(eventTimeout)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("child exited before printing %q", prefix)
			}
			if strings.HasPrefix(l, "error") {
				t.Fatalf("child: %s", l)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			t.Fatalf("child did not print %q", prefix)
		}
	}
}

// consumeIn starts a consumer on dir in this process and returns its deliveries.
func consumeIn(t *testing.T, dir string) (*queues.Engine, chan delivery) {
	t.Helper()
	got := make(chan delivery, 1000)
	e, err := queues.Open(dir, queues.Options{Consumers: []queues.ConsumerConfig{{Queue: "jobs", MaxBatchTimeout: new(time.Duration(0)), MaxBatchSize: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	app := newApp()
	queues.Consume(app, "jobs", func(b *queues.Batch[Job], _ Env, _ *worker.Context) error {
		for _, m := range b.Messages {
			got <- delivery{ID: m.ID, Body: m.Body, Attempts: m.Attempts}
		}
		return nil
	})
	if err := e.Start(Env{}, app.Registrations()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e, got
}

func next(t *testing.T, ch chan delivery) delivery {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(eventTimeout):
		t.Fatal("no delivery")
		return delivery{}
	}
}

func TestDurability_Q001_SendSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	c := startChild(t, "send", dir, "QUEUES_COUNT=200")
	c.expect(t, "sent")
	c.kill() // SIGKILL right after the last Send returned: no clean shutdown
	_, got := consumeIn(t, dir)
	seen := map[int]bool{}
	for len(seen) < 200 {
		d := next(t, got)
		seen[d.Body.N] = true
	}
	if !seen[199] {
		t.Error("the last message sent before kill -9 was lost")
	}
}

func TestDurability_Q035_ProducerAndConsumerInTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	c := startChild(t, "consume", dir)
	c.expect(t, "ready")
	e, err := queues.Open(dir, queues.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	p := queues.NewProducer[Job](e.Producer(queues.ProducerConfig{Queue: "jobs"}))
	for i := range 3 {
		if err := p.Send(context.Background(), Job{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if l := c.expect(t, "got"); l != fmt.Sprintf("got %d 1", i) {
			t.Errorf("child got %q, want message %d on its first attempt", l, i)
		}
	}
}

func TestDurability_CrashedConsumerMessagesComeBack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	e, err := queues.Open(dir, queues.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := queues.NewProducer[Job](e.Producer(queues.ProducerConfig{Queue: "jobs"}))
	if err := p.Send(context.Background(), Job{N: 7}); err != nil {
		t.Fatal(err)
	}
	e.Close(context.Background())

	c := startChild(t, "hang", dir, "QUEUES_LEASE=1s")
	c.expect(t, "got 7 1") // leased and being handled when the process dies
	c.kill()
	_, got := consumeIn(t, dir)
	if d := next(t, got); d.Body.N != 7 || d.Attempts != 2 {
		t.Errorf("after the crash got %+v, want message 7 on attempt 2", d)
	}
}
