package queues_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

// Env is the test workers' Env.
type Env struct {
	Jobs *queues.Producer[Job] `binding:"JOBS"`
}

// Job is the test message type.
type Job struct {
	N    int    `json:"n"`
	Name string `json:"name,omitempty"`
}

func newApp() *worker.App[Env] {
	return worker.New[Env](worker.HandlerFunc[Env](func(*http.Request, Env, *worker.Context) (*http.Response, error) {
		return worker.Text(http.StatusOK, "ok")
	}))
}

// drivers are the stores every engine test runs on.
var drivers = []struct {
	name string
	open func(t testing.TB) queues.Driver
}{
	{"memory", func(testing.TB) queues.Driver { return queues.NewMemoryDriver() }},
	{"sqlite", func(t testing.TB) queues.Driver {
		d, err := queues.OpenSQLiteDriver("")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}},
}

// eachDriver runs fn in a synctest bubble once per driver; the driver is opened inside the
// bubble so that its goroutines belong to it.
func eachDriver(t *testing.T, fn func(t *testing.T, open func() queues.Driver)) {
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			synctestRun(t, func(t *testing.T) { fn(t, func() queues.Driver { return d.open(t) }) })
		})
	}
}

// logRecorder keeps the messages logged through its handler.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
	errs  []string // the "error" attributes
}

func (r *logRecorder) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

func (r *logRecorder) logger() *slog.Logger { return slog.New(recHandler{r}) }

func (r *logRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

func (r *logRecorder) has(s string) bool {
	for _, l := range r.all() {
		if l == s {
			return true
		}
	}
	return false
}

func (r *logRecorder) withPrefix(p string) []string {
	var out []string
	for _, l := range r.all() {
		if strings.HasPrefix(l, p) {
			out = append(out, l)
		}
	}
	return out
}

type recHandler struct{ r *logRecorder }

func (h recHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recHandler) Handle(_ context.Context, rec slog.Record) error {
	h.r.mu.Lock()
	h.r.lines = append(h.r.lines, rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			h.r.errs = append(h.r.errs, a.Value.String())
		}
		return true
	})
	h.r.mu.Unlock()
	return nil
}
func (h recHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recHandler) WithGroup(string) slog.Handler      { return h }

// delivery is one message as a test consumer saw it.
type delivery struct {
	ID       string
	Body     Job
	Attempts int
	At       time.Time
	Batch    int
}

// recorder collects deliveries from a consumer.
type recorder struct {
	mu      sync.Mutex
	got     []delivery
	batches [][]delivery
}

func (r *recorder) add(b *queues.Batch[Job]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var batch []delivery
	for _, m := range b.Messages {
		d := delivery{ID: m.ID, Body: m.Body, Attempts: m.Attempts, At: time.Now(), Batch: len(r.batches)}
		r.got = append(r.got, d)
		batch = append(batch, d)
	}
	r.batches = append(r.batches, batch)
}

func (r *recorder) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

func (r *recorder) batchSizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for _, b := range r.batches {
		out = append(out, len(b))
	}
	return out
}

// harness is an Engine with one consumer on queue "jobs" (or cfg.Queue).
type harness struct {
	t    *testing.T
	e    *queues.Engine
	log  *logRecorder
	jobs *queues.Producer[Job]
}

func (h *harness) producer(queue string) *queues.Producer[Job] {
	return queues.NewProducer[Job](h.e.Producer(queues.ProducerConfig{Queue: queue}))
}

func (h *harness) close() {
	h.t.Helper()
	if err := h.e.Close(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) send(bodies ...Job) {
	h.t.Helper()
	for _, b := range bodies {
		if err := h.jobs.Send(context.Background(), b); err != nil {
			h.t.Fatal(err)
		}
	}
}

// start builds an Engine over d with opts, registers fn on queue (when not nil) and starts it.
func start(t *testing.T, d queues.Driver, opts queues.Options, queue string, fn func(*queues.Batch[Job], Env, *worker.Context) error) *harness {
	t.Helper()
	lr := &logRecorder{}
	if opts.Logger == nil {
		opts.Logger = lr.logger()
	}
	e, err := queues.NewEngine(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	app := newApp()
	if fn != nil {
		queues.Consume(app, queue, fn)
	}
	if err := e.Start(Env{}, app.Registrations()); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, e: e, log: lr}
	h.jobs = h.producer(queue)
	return h
}

func cfg(queue string, edit func(*queues.ConsumerConfig)) []queues.ConsumerConfig {
	c := queues.ConsumerConfig{Queue: queue}
	if edit != nil {
		edit(&c)
	}
	return []queues.ConsumerConfig{c}
}

func newAppFor[E any]() *worker.App[E] {
	return worker.New[E](worker.HandlerFunc[E](func(*http.Request, E, *worker.Context) (*http.Response, error) {
		return worker.Text(http.StatusOK, "ok")
	}))
}

func synctestRun(t *testing.T, fn func(t *testing.T)) { synctest.Test(t, fn) }
