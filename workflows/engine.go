package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows/driver"
	"github.com/flarego/flarego/workflows/sqlite"
)

// Engine defaults.
const (
	// DefaultStepLimit is the step limit per instance (WF-024: the platform's paid default;
	// the config's limits.steps may raise it up to 25,000).
	DefaultStepLimit = 10000
	// DefaultMaxConcurrent is how many instances run at once; more stay queued (WF-029).
	DefaultMaxConcurrent = 100
	// DefaultMaxStateBytes bounds the stored state of one instance (WF-023, paid plan).
	DefaultMaxStateBytes = 1 << 30
	// DefaultPollInterval is how often the scheduler looks for instances that another
	// process (the CLI) queued or woke.
	DefaultPollInterval = time.Second
)

// Options configure Open. Name is required; every other zero field means its default.
type Options struct {
	// Name is the workflow's name (the config's workflows[].name). It names the database
	// file and is given to run as Event.WorkflowName.
	Name string
	// ClassName and ScriptName are the config's class_name and script_name, kept in the
	// database for listings.
	ClassName, ScriptName string
	// Dir is the folder of the workflow's database, Dir/<Name>.sqlite; "" keeps everything
	// in memory. Ignored when Driver is set.
	Dir string
	// Driver replaces the SQLite store (tests use workflows/memory). The engine closes it.
	Driver driver.Driver
	// Logger receives the engine's and the runs' logs; nil discards them.
	Logger *slog.Logger
	// StepLimit is the most do steps one run may call (WF-024); 0 means DefaultStepLimit.
	StepLimit int
	// MaxConcurrent is how many instances run at once (sleeping and waiting ones do not
	// count, WF-028); 0 means DefaultMaxConcurrent.
	MaxConcurrent int
	// RetryDelay is the default base delay between attempts (WF-018); 0 means
	// DefaultRetryDelay (10 s, the platform's; the local runtime uses 1 s).
	RetryDelay time.Duration
	// MaxStateBytes bounds an instance's stored step results and events; 0 means
	// DefaultMaxStateBytes.
	MaxStateBytes int64
	// PollInterval is how often to look for work written by another process; 0 means
	// DefaultPollInterval (never, for an in-memory store), a negative value never looks.
	PollInterval time.Duration
	// WorkerName and Limits are given to each run's *worker.Context: those of the worker
	// that registers the class.
	WorkerName string
	Limits     worker.Limits
	// Exports is each run's ctx.Exports (W-029): that worker's own entrypoints and Durable
	// Object classes. nil gives none (worker.ErrNoExports).
	Exports worker.ExportsSource
}

// Engine runs one workflow's instances and stores them. It is the runner's handle on a
// workflow: Open it from a state directory and a name, hand bindings to the Env with
// NewBindingValue or Bind, then Start it with the class's Definition once the Env exists.
// Before Start (and in tools that never call it) every instance operation works and only
// stores; nothing runs. Its methods are safe for concurrent use.
type Engine struct {
	o   Options
	drv driver.Driver
	log *slog.Logger

	baseCtx context.Context
	stopAll context.CancelFunc

	mu       sync.Mutex
	run      runner
	started  bool
	closed   bool
	live     map[string]*pass
	changed  chan struct{}
	passes   sync.WaitGroup
	poke     chan struct{}
	hintMu   sync.Mutex
	hint     time.Time
	stop     chan struct{}
	schedEnd chan struct{}
}

// DBPath is the database file of the workflow name under dir.
func DBPath(dir, name string) string { return filepath.Join(dir, name+".sqlite") }

// Open opens the workflow's store and returns its engine, not yet running instances.
func Open(o Options) (*Engine, error) {
	if !validID(o.Name, MaxWorkflowNameLength) {
		return nil, fmt.Errorf("workflows: invalid workflow name %q", o.Name)
	}
	if o.StepLimit <= 0 {
		o.StepLimit = DefaultStepLimit
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	if o.MaxStateBytes <= 0 {
		o.MaxStateBytes = DefaultMaxStateBytes
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
		if o.Driver == nil && o.Dir == "" {
			o.PollInterval = -1 // a private in-memory store: no other process writes to it
		}
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	drv := o.Driver
	if drv == nil {
		path := ""
		if o.Dir != "" {
			path = DBPath(o.Dir, o.Name)
		}
		d, err := sqlite.Open(path, sqlite.Options{})
		if err != nil {
			return nil, fmt.Errorf("workflows: open %q: %w", o.Name, err)
		}
		drv = d
	}
	e := &Engine{
		o:        o,
		drv:      drv,
		log:      log.With("workflow", o.Name),
		live:     map[string]*pass{},
		changed:  make(chan struct{}),
		poke:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		schedEnd: make(chan struct{}),
	}
	e.baseCtx, e.stopAll = context.WithCancel(context.Background())
	err := drv.Update(context.Background(), func(tx driver.Tx) error {
		for k, v := range map[string]string{metaName: o.Name, metaClass: o.ClassName, metaScript: o.ScriptName} {
			if v == "" {
				continue
			}
			if old, ok, err := tx.Meta(k); err != nil {
				return err
			} else if ok && old == v {
				continue
			}
			if err := tx.SetMeta(k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		drv.Close()
		return nil, fmt.Errorf("workflows: open %q: %w", o.Name, err)
	}
	return e, nil
}

// Metadata keys.
const (
	metaName   = "name"
	metaClass  = "class_name"
	metaScript = "script_name"
)

// Name is the workflow's name.
func (e *Engine) Name() string { return e.o.Name }

// Start binds def to env and starts running instances: those queued or woken before,
// those that were mid-run when the process last stopped, and every one created from now
// on. env must be the Env type def was registered with (or a pointer to it). Start fails
// when called twice or after Close.
func (e *Engine) Start(def *Definition, env any) error {
	if def == nil {
		return errors.New("workflows: Start: nil definition")
	}
	run, err := def.bind(env)
	if err != nil {
		return err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	if e.started {
		e.mu.Unlock()
		return fmt.Errorf("workflows: engine %q already started", e.o.Name)
	}
	e.started, e.run = true, run
	e.mu.Unlock()
	if err := e.recoverInterrupted(); err != nil {
		return err
	}
	go e.schedule()
	return nil
}

// recoverInterrupted wakes instances that were running when the process stopped: their run was cut
// short and must start over from the stored steps.
func (e *Engine) recoverInterrupted() error {
	now := time.Now()
	return e.drv.Update(e.baseCtx, func(tx driver.Tx) error {
		ins, err := tx.List(driver.Filter{Status: []Status{StatusRunning, StatusWaitingForPause}})
		if err != nil {
			return err
		}
		for _, in := range ins {
			if !in.WakeAt.IsZero() {
				continue
			}
			full, err := tx.Instance(in.ID)
			if err != nil {
				return err
			}
			full.WakeAt, full.Queued = now, false
			if err := tx.Update(full); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close stops running instances where they are (as if the process stopped: they continue
// from their stored steps after the next Start), waits for their runs to return and closes
// the store. Step callbacks still running are abandoned with their context cancelled.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	started := e.started
	for _, p := range e.live {
		p.abort()
	}
	e.mu.Unlock()
	e.stopAll()
	if started {
		close(e.stop)
		<-e.schedEnd
	}
	e.passes.Wait()
	return e.drv.Close()
}

// notify wakes WaitForStatus callers after a status change.
func (e *Engine) notify() {
	e.mu.Lock()
	close(e.changed)
	e.changed = make(chan struct{})
	e.mu.Unlock()
}

func (e *Engine) changes() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changed
}

// abortLive stops the live run of id, if any, that belongs to a generation before gen.
func (e *Engine) abortLive(id string, gen int64) {
	e.mu.Lock()
	p := e.live[id]
	e.mu.Unlock()
	if p != nil {
		p.abortBefore(gen)
	}
}
