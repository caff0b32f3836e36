package queues

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/worker"
)

// Options configure an Engine. The zero value is usable: production consumer defaults, no
// rate or backlog limit, logs discarded.
type Options struct {
	// Logger receives the runner's queue lines (`QUEUE <name> <acked>/<total> (<ms>ms)`,
	// Q-037), dropped-message warnings and handler errors; it is also the consumer
	// invocations' ctx.Logger(). nil discards.
	Logger *slog.Logger
	// Consumers are the config's queues.consumers entries. A queue with a handler
	// registered by Consume and no entry gets the production defaults.
	Consumers []ConsumerConfig
	// WorkerName is the consumer worker's name, for its invocations' context.
	WorkerName string
	// Limits is the budget of each consumer invocation. A zero Wall means the platform's
	// 15 minutes; CPU is enforced only when set (a batch over it is retried).
	Limits worker.Limits
	// Exports is each consumer invocation's ctx.Exports (W-029): the consumer worker's own
	// entrypoints and Durable Object classes. nil gives none (worker.ErrNoExports).
	Exports worker.ExportsSource
	// PollInterval is how often a push consumer looks for messages that another process
	// wrote to a shared store; sends in this process wake it at once. Zero means
	// 100 ms for a store shared between processes (a file) and never otherwise; negative
	// means never.
	PollInterval time.Duration
	// LeaseDuration is how long a batch handed to a push consumer stays invisible to
	// other consumers; the Engine renews it while the handler runs, so it only bounds how
	// soon the messages of a crashed process come back. Zero means 30 s.
	LeaseDuration time.Duration
	// Retention is how long unconsumed messages are kept: 60 s to 14 days, zero means the
	// platform's 4 days.
	Retention time.Duration
	// RateLimit is the most messages per second one queue accepts before sends fail with
	// "Too Many Requests"; zero means no limit. ProductionRateLimit is the platform's
	// . Counted per Engine.
	RateLimit int
	// MaxBacklogBytes is the largest backlog a queue may hold before sends fail with
	// "Storage Limit Exceeded"; zero means no limit. ProductionMaxBacklogBytes is the
	// platform's.
	MaxBacklogBytes int64
}

const (
	defaultPollInterval  = 100 * time.Millisecond
	defaultLeaseDuration = 30 * time.Second
	defaultRetention     = 4 * 24 * time.Hour
	maxRetention         = 14 * 24 * time.Hour
	defaultConsumerWall  = 15 * time.Minute
	sweepInterval        = time.Minute
)

// SharedStore is implemented by drivers whose store other processes may write to (the SQLite
// driver over a file). An Engine over such a driver polls it for their messages.
type SharedStore interface {
	Shared() bool
}

// Engine runs the queues of one runner: it accepts producers' messages, delivers them to
// push consumers, serves pull consumers, and answers the local tools. Make one with Open or
// NewEngine; the runner calls Start once the Env exists and Close at shutdown. Safe for
// concurrent use.
type Engine struct {
	driver    Driver
	opts      Options
	log       *slog.Logger
	poll      time.Duration
	configs   map[string]consumerSettings
	dispatch  map[string]*dispatcher
	loopCtx   context.Context
	stopLoops context.CancelFunc
	loops     sync.WaitGroup
	batches   sync.WaitGroup

	mu       sync.Mutex
	started  bool
	closed   bool
	known    map[string]bool
	wake     map[string]*waker
	rates    map[string]*rateWindow
	consumed map[string]bool // queues with a push consumer running in this Engine
}

// Open opens the queues stored in dir (the runner's per-kind folder, e.g.
// .flarego/state/queues): one SQLite file, dir/queues.sqlite, shared by every queue and by
// every process opened on the same dir. An empty dir keeps the queues in memory. The file
// opens in the background, so Open returns at once; calls that need the store wait for it,
// and fail with its error if it could not be opened.
func Open(dir string, opts Options) (*Engine, error) {
	var d Driver
	if dir == "" {
		md, err := OpenSQLiteDriver("")
		if err != nil {
			return nil, err
		}
		d = md
	} else {
		// The file opens in the background; sends and deliveries wait for it.
		path := filepath.Join(dir, "queues.sqlite")
		d = openDeferred(func() (Driver, error) {
			fd, err := OpenSQLiteDriver(path)
			if err != nil {
				if opts.Logger != nil {
					opts.Logger.Error("queues: open store", "path", path, "error", err)
				}
				return nil, err
			}
			return fd, nil
		}, true)
	}
	e, err := NewEngine(d, opts)
	if err != nil {
		d.Close()
		return nil, err
	}
	return e, nil
}

// NewEngine makes an Engine over d. It fails with ErrInvalidConfig when a consumer setting
// is outside the platform's bounds. Close closes d.
func NewEngine(d Driver, opts Options) (*Engine, error) {
	e := &Engine{
		driver:   d,
		opts:     opts,
		log:      opts.Logger,
		configs:  map[string]consumerSettings{},
		dispatch: map[string]*dispatcher{},
		known:    map[string]bool{},
		wake:     map[string]*waker{},
		rates:    map[string]*rateWindow{},
		consumed: map[string]bool{},
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.opts.LeaseDuration <= 0 {
		e.opts.LeaseDuration = defaultLeaseDuration
	}
	if e.opts.Retention == 0 {
		e.opts.Retention = defaultRetention
	}
	if e.opts.Retention < time.Minute || e.opts.Retention > maxRetention {
		return nil, fmt.Errorf("%w: retention %v, want 60s to 14 days", ErrInvalidConfig, opts.Retention)
	}
	if e.opts.Limits.Wall == 0 {
		e.opts.Limits.Wall = defaultConsumerWall
	}
	switch {
	case opts.PollInterval > 0:
		e.poll = opts.PollInterval
	case opts.PollInterval == 0:
		if s, ok := d.(SharedStore); ok && s.Shared() {
			e.poll = defaultPollInterval
		}
	}
	var errs []error
	for _, c := range opts.Consumers {
		s, err := c.settings()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := e.configs[c.Queue]; dup {
			errs = append(errs, fmt.Errorf("%w: queue %q has two consumers", ErrInvalidConfig, c.Queue))
			continue
		}
		e.configs[c.Queue] = s
		e.known[c.Queue] = true
		if s.deadLetterQueue != "" {
			e.known[s.deadLetterQueue] = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	e.loopCtx, e.stopLoops = context.WithCancel(context.Background())
	return e, nil
}

// Driver returns the Engine's driver.
func (e *Engine) Driver() Driver { return e.driver }

// Producer returns the handle of a producer binding for cfg; turn it into the Env field with
// NewBindingValue, or into a *Producer[T] with NewProducer. A queue needs no consumer to
// accept messages: they wait in the store for one, in this process or another.
func (e *Engine) Producer(cfg ProducerConfig) *ProducerHandle {
	e.mu.Lock()
	e.known[cfg.Queue] = true
	e.mu.Unlock()
	return &ProducerHandle{engine: e, cfg: cfg}
}

// Start binds the push consumers among regs (the App's registrations; others are ignored)
// to env and starts delivering to them, and starts the retention sweep. env must be the
// App's Env type. It fails when a consumer's queue is configured as http_pull
// (ErrConsumerType, Q-034), when env has the wrong type, or when called twice. A consumer
// configured in Options without a registered handler is logged and not run: its messages
// wait for a process that has one.
func (e *Engine) Start(env any, regs []worker.Registration) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if e.started {
		return errors.New("queues: Engine.Start called twice")
	}
	var errs []error
	for _, r := range regs {
		if r.Kind != KindConsumer {
			continue
		}
		c, ok := r.Value.(*Consumer)
		if !ok {
			errs = append(errs, fmt.Errorf("queues: registration %q: value is %T, want *queues.Consumer", r.Name, r.Value))
			continue
		}
		s, ok := e.configs[c.queue]
		if !ok {
			s, _ = ConsumerConfig{Queue: c.queue}.settings()
		}
		if s.typ == PullConsumer {
			errs = append(errs, fmt.Errorf("%w: queue %q is configured as an http_pull consumer but has a Worker consumer registered; a queue has one consumer type", ErrConsumerType, c.queue))
			continue
		}
		fn, err := c.bind(env)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e.dispatch[c.queue] = &dispatcher{e: e, s: s, deliver: fn, wake: e.wakeLocked(c.queue), slots: make(chan struct{}, s.maxConcurrency)}
		e.consumed[c.queue] = true
		e.known[c.queue] = true
	}
	if err := errors.Join(errs...); err != nil {
		clear(e.dispatch)
		clear(e.consumed)
		return err
	}
	for q, s := range e.configs {
		if s.typ == PushConsumer && !e.consumed[q] {
			// W-023: deliveries to a worker without the handler fail, and are retried.
			e.log.Warn(fmt.Sprintf("queue %q has a consumer configured but no handler registered with queues.Consume; its deliveries fail", q))
			e.dispatch[q] = &dispatcher{e: e, s: s, deliver: noHandler, wake: e.wakeLocked(q), slots: make(chan struct{}, s.maxConcurrency)}
			e.consumed[q] = true
			e.known[q] = true
		}
	}
	e.started = true
	for _, d := range e.dispatch {
		e.loops.Add(1)
		go func() { defer e.loops.Done(); d.run(e.loopCtx) }()
	}
	e.loops.Add(1)
	go func() { defer e.loops.Done(); e.sweep(e.loopCtx) }()
	return nil
}

// Close stops delivering, waits for the batches being handled to settle or for ctx to end,
// and closes the driver. Messages of batches still running when ctx ends come back when
// their lease runs out. Operations after Close fail with ErrClosed.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.stopLoops()
	e.loops.Wait()
	done := make(chan struct{})
	go func() { e.batches.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	return errors.Join(err, e.driver.Close())
}

func (e *Engine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// waker is how a queue's push consumer in this process hears of new messages: a signal,
// and a count of messages made available since, so that a consumer filling a batch need not
// query the store on every send.
type waker struct {
	ch    chan struct{}
	added atomic.Int64
}

func (e *Engine) wakeLocked(queue string) *waker {
	w, ok := e.wake[queue]
	if !ok {
		w = &waker{ch: make(chan struct{}, 1)}
		e.wake[queue] = w
	}
	return w
}

// notify tells the push consumer of queue in this process, if any, that n messages may
// have become available.
func (e *Engine) notify(queue string, n int) {
	e.mu.Lock()
	w := e.wake[queue]
	e.mu.Unlock()
	if w != nil {
		w.added.Add(int64(n))
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
}

// send stores recs after the engine-wide limits, wakes the consumer and reports metrics.
func (e *Engine) send(ctx context.Context, op, queue string, recs []Record, metrics *Metrics) error {
	if e.isClosed() {
		return ErrClosed
	}
	if e.opts.RateLimit > 0 && !e.allow(queue, len(recs)) {
		return sendFailed(op, queue, ErrRateLimited, "Too Many Requests")
	}
	if e.opts.MaxBacklogBytes > 0 {
		st, err := e.backlog(ctx, queue)
		if err != nil {
			return fmt.Errorf("queues: %s to %q: %w", op, queue, err)
		}
		if st.Bytes >= e.opts.MaxBacklogBytes {
			return sendFailed(op, queue, ErrStorageLimit, "Storage Limit Exceeded")
		}
	}
	if err := e.driver.Send(ctx, queue, recs); err != nil {
		return fmt.Errorf("queues: %s to %q: %w", op, queue, err)
	}
	e.notify(queue, len(recs))
	if metrics != nil {
		st, err := e.backlog(ctx, queue)
		if err != nil {
			return fmt.Errorf("queues: %s to %q: metrics: %w", op, queue, err)
		}
		*metrics = metricsOf(st)
	}
	return nil
}

// backlog reads queue's backlog figures, cheaply when the driver can.
func (e *Engine) backlog(ctx context.Context, queue string) (Stats, error) {
	if b, ok := e.driver.(BacklogReader); ok {
		return b.Backlog(ctx, queue)
	}
	return e.driver.Stats(ctx, queue, time.Now())
}

// rateWindow counts one queue's sends in the current second.
type rateWindow struct {
	second int64
	count  int
}

func (e *Engine) allow(queue string, n int) bool {
	sec := time.Now().Unix()
	e.mu.Lock()
	defer e.mu.Unlock()
	w := e.rates[queue]
	if w == nil {
		w = &rateWindow{}
		e.rates[queue] = w
	}
	if w.second != sec {
		w.second, w.count = sec, 0
	}
	if w.count+n > e.opts.RateLimit {
		return false
	}
	w.count += n
	return true
}

// sweep deletes messages older than the retention period, once at start and then every minute.
func (e *Engine) sweep(ctx context.Context) {
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		qs, err := e.driver.Queues(ctx)
		if err == nil {
			before := time.Now().Add(-e.opts.Retention)
			for _, q := range qs {
				if n, err := e.driver.Purge(ctx, q, before); err == nil && n > 0 {
					e.log.Info(fmt.Sprintf("Deleted %d message(s) older than the retention period from queue %q", n, q))
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// settings returns the consumer settings of queue: its config, else the defaults of typ.
func (e *Engine) settingsFor(queue string, typ ConsumerType) consumerSettings {
	if s, ok := e.configs[queue]; ok {
		return s
	}
	s, _ := ConsumerConfig{Queue: queue, Type: typ}.settings()
	return s
}

// exhausted is the outcome of a message whose last attempt failed: moved to the dead letter
// queue, or dropped, with the local simulator's log lines.
func (e *Engine) exhausted(s consumerSettings, l Leased, now time.Time) Outcome {
	attempts := s.maxRetries + 1
	plural := "s"
	if attempts == 1 {
		plural = ""
	}
	if s.deadLetterQueue != "" {
		e.log.Warn(fmt.Sprintf("Moving message %q on queue %q to dead letter queue %q after %d failed attempt%s...", l.ID, s.queue, s.deadLetterQueue, attempts, plural))
		return Outcome{LeaseID: l.LeaseID, Action: DeadLetter, To: s.deadLetterQueue, VisibleAt: now}
	}
	e.log.Warn(fmt.Sprintf("Dropped message %q on queue %q after %d failed attempt%s!", l.ID, s.queue, attempts, plural))
	return Outcome{LeaseID: l.LeaseID, Action: Ack}
}

// knownQueues lists queue names from the config, producers and the store.
func (e *Engine) knownQueues(ctx context.Context) ([]string, error) {
	stored, err := e.driver.Queues(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	set := make(map[string]bool, len(e.known)+len(stored))
	for q := range e.known {
		set[q] = true
	}
	e.mu.Unlock()
	for _, q := range stored {
		set[q] = true
	}
	names := make([]string, 0, len(set))
	for q := range set {
		names = append(names, q)
	}
	sort.Strings(names)
	return names, nil
}
