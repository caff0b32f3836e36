package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/worker"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Runner serves workers. Make one with New; Serve or Start it; Close it.
type Runner struct {
	opts    Options
	log     *zap.Logger
	slog    *slog.Logger
	logBuf  *zapcore.BufferedWriteSyncer
	primary *workerSlot
	workers map[string]*workerSlot

	mu      sync.Mutex
	closers []func(ctx context.Context) error
	// shared are binding resources by kind and id (openShared).
	shared map[string]*sharedEntry
	// background counts WaitUntil drains and other work that shutdown waits for.
	background sync.WaitGroup
	// local are handlers of local endpoints under /cdn-cgi/local/, by path after that prefix.
	local map[string]http.Handler
	// routes are extra runner routes outside /cdn-cgi/ (pull queues' platform paths).
	routes []route

	// logsInvocations is true when info-level lines (one per invocation) are written.
	logsInvocations bool

	registry serviceRegistry
	// pendingWorkflows are opened workflow engines waiting for every Env to exist.
	pendingWorkflows []pendingWorkflow
	// s3Addr is where the S3 endpoint listens, "" when off.
	s3Addr string

	srv      *http.Server
	srvOnce  sync.Once
	listener net.Listener
	started  time.Time
}

type route struct {
	prefix  string
	handler http.Handler
}

// New reads the config, opens every binding, builds the Env of app and starts the engines
// (queues, alarms, workflows, crons). Errors name every problem found: a malformed config,
// an unwritable persist directory, missing or mistyped bindings.
func New(ctx context.Context, opts Options, app worker.Runnable) (*Runner, error) {
	cfg, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	zl, buf, err := newLogger(opts.LogOutput, opts.LogLevel)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	r := &Runner{opts: opts, log: zl, logBuf: buf, slog: slogFor(zl), workers: map[string]*workerSlot{}, local: map[string]http.Handler{}, started: time.Now()}
	r.logsInvocations = zl.Core().Enabled(zap.InfoLevel)
	for _, w := range cfg.Warnings {
		r.log.Warn("config: " + w)
	}
	r.registry = serviceRegistry{dir: opts.Registry}
	r.local["service"] = http.HandlerFunc(r.serveServiceCall)
	r.local["durable-objects"] = http.HandlerFunc(r.serveDOObject)
	slot, err := r.addWorker(ctx, app, cfg)
	if err != nil {
		r.Close(context.Background())
		return nil, err
	}
	r.primary = slot
	for _, a := range opts.Also {
		c := a.Config
		if c == nil {
			c = &env.Config{}
		}
		if _, err := r.addWorker(ctx, a.App, c); err != nil {
			r.Close(context.Background())
			return nil, err
		}
	}
	if err := r.startWorkflows(); err != nil {
		r.Close(context.Background())
		return nil, err
	}
	if err := r.startS3(cfg); err != nil {
		r.Close(context.Background())
		return nil, err
	}
	// W-031: every service binding must name a worker of this runner or of a running one.
	for _, w := range r.workers {
		for _, s := range w.services {
			if err := s.check(); err != nil {
				r.Close(context.Background())
				return nil, err
			}
		}
	}
	return r, nil
}

func (r *Runner) addWorker(ctx context.Context, app worker.Runnable, cfg *env.Config) (*workerSlot, error) {
	name := app.Name()
	if name == "" {
		name = cfg.Name
	}
	if name == "" {
		name = "worker"
	}
	if _, dup := r.workers[name]; dup {
		return nil, fmt.Errorf("two workers named %q", name)
	}
	w := &workerSlot{r: r, name: name, app: app, cfg: cfg}
	w.limits = r.limitsFor(w)
	r.workers[name] = w

	var required []string
	if cfg.Secrets != nil {
		required = cfg.Secrets.Required
	}
	secrets, warnings, err := env.LoadSecrets(r.opts.Dir, r.opts.Environment, required)
	if err != nil {
		return nil, err
	}
	for _, msg := range warnings {
		r.log.Warn(msg)
	}
	if err := r.openAssets(w); err != nil {
		return nil, fmt.Errorf("worker %q: %w", name, err)
	}
	for _, reg := range app.Registrations() {
		if err := registerWith(w, reg); err != nil {
			return nil, err
		}
	}
	if len(cfg.Queues.Consumers) > 0 { // pull consumers need the engine without a producer here
		if _, err := w.queueEngine(); err != nil {
			return nil, err
		}
	}
	ev := reflect.New(app.EnvType()).Elem()
	if err := env.LoadInto(ev, env.Source{Config: cfg, Secrets: secrets, Resolve: w.resolve}); err != nil {
		return nil, fmt.Errorf("worker %q: %w", name, err)
	}
	bound, err := app.Bind(ev.Interface())
	if err != nil {
		return nil, err
	}
	w.bound = bound
	for _, f := range w.onBound {
		if err := f(ctx, bound); err != nil {
			return nil, fmt.Errorf("worker %q: %w", name, err)
		}
	}
	if err := r.startCrons(w); err != nil {
		return nil, fmt.Errorf("worker %q: %w", name, err)
	}
	return w, nil
}

// registrars handle worker.Registration kinds; each binding kind's file adds its own.
var registrars = map[string]func(w *workerSlot, reg worker.Registration) error{}

func registerWith(w *workerSlot, reg worker.Registration) error {
	f, ok := registrars[reg.Kind]
	if !ok {
		return fmt.Errorf("worker %q: this runner does not know %s registrations (%q)", w.name, reg.Kind, reg.Name)
	}
	return f(w, reg)
}

// Handler is the runner's HTTP handler: local endpoints, then the primary worker.
func (r *Runner) Handler() http.Handler { return r }

// Logger is the runner's structured logger.
func (r *Runner) Logger() *slog.Logger { return r.slog }

// S3Addr is the address of the S3-compatible endpoint, "" when it is off.
func (r *Runner) S3Addr() string { return r.s3Addr }

// PersistDir is the state directory, or "" when nothing persists.
func (r *Runner) PersistDir() string { return r.opts.PersistTo }

// Listen opens the listening socket; a port in use is an error naming the address.
func (r *Runner) Listen() (net.Listener, error) {
	addr := net.JoinHostPort(r.opts.IP, fmt.Sprint(max(r.opts.Port, 0)))
	if r.opts.Port < 0 {
		addr = net.JoinHostPort(r.opts.IP, "0")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, errAddrInUse) || strings.Contains(err.Error(), "address already in use") {
			return nil, fmt.Errorf("cannot listen on %s: the port is in use (choose another with --port)", addr)
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	r.listener = ln
	for name := range r.workers {
		if err := r.registry.publish(name, ln.Addr().String()); err != nil {
			r.log.Warn("service registry: " + err.Error())
		}
	}
	r.onClose(func(context.Context) error {
		for name := range r.workers {
			r.registry.withdraw(name)
		}
		return nil
	})
	return ln, nil
}

// Serve serves on ln until Shutdown; it returns nil after a graceful shutdown.
func (r *Runner) Serve(ln net.Listener) error {
	srv := r.server()
	srv.ReadHeaderTimeout = headerTimeout(ln.Addr())
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// server is the runner's HTTP server, made on first use: Shutdown may come before Serve (a
// signal while the runner starts), and then Serve must return at once.
func (r *Runner) server() *http.Server {
	r.srvOnce.Do(func() {
		r.srv = &http.Server{
			Handler:        r,
			MaxHeaderBytes: 1 << 20,
			ErrorLog:       slog.NewLogLogger(r.slog.Handler(), slog.LevelWarn),
		}
	})
	return r.srv
}

// headerTimeout bounds how long a client may take to send a request's headers when the
// runner listens on addr: 30 s on an address other machines can reach, where a slow client
// may be a stranger holding connections open; none on loopback (the default), where the
// timer it sets and stops on every request cost about 4% of /hello's CPU.
func headerTimeout(addr net.Addr) time.Duration {
	if a, ok := addr.(*net.TCPAddr); ok && !a.IP.IsLoopback() {
		return 30 * time.Second
	}
	return 0
}

// Shutdown stops accepting connections, waits for in-flight requests and WaitUntil work
// (bounded by ctx) and closes every binding.
func (r *Runner) Shutdown(ctx context.Context) error {
	err := r.server().Shutdown(ctx)
	done := make(chan struct{})
	go func() { r.background.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		r.log.Warn("shutdown: background work still running; closing anyway")
	}
	return errors.Join(err, r.Close(ctx))
}

// Close closes every binding and engine, newest first. Safe to call more than once.
func (r *Runner) Close(ctx context.Context) error {
	r.mu.Lock()
	closers := r.closers
	r.closers = nil
	r.mu.Unlock()
	var errs []error
	for i := len(closers) - 1; i >= 0; i-- {
		if err := closers[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if r.logBuf != nil {
		r.logBuf.Stop()
	}
	return errors.Join(errs...)
}
