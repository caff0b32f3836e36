package host

import (
	"context"
	"fmt"
	"reflect"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

// A binder makes Env field values of one binding kind from the config. Each binding kind
// has its own file in this package that adds its binder in init.
type binder struct {
	kind string
	// match reports whether fields of type t are this kind's.
	match func(t reflect.Type) bool
	// make returns the value bound as name for w, ok=false when w's config has no binding of
	// this kind by that name.
	make func(w *workerSlot, name string, t reflect.Type) (v reflect.Value, ok bool, err error)
}

var binders []binder

func addBinder(b binder) { binders = append(binders, b) }

// typeIs matches exactly T.
func typeIs[T any]() func(reflect.Type) bool {
	want := reflect.TypeFor[T]()
	return func(t reflect.Type) bool { return t == want }
}

// workerSlot is one worker served by the runner: its app, config and bound Env.
type workerSlot struct {
	r     *Runner
	name  string
	app   worker.Runnable
	cfg   *env.Config
	bound worker.Bound
	// onBound run once the Env exists, for engines that call back into the worker
	// (Durable Object constructors, queue consumers, workflows).
	onBound []func(ctx context.Context, b worker.Bound) error
	limits  worker.Limits
	// assets are the worker's static assets, nil when it has none.
	assets *staticAssets
	// entrypoints are the worker's RPC entrypoints by name.
	entrypoints map[string]worker.Entrypoint
	// services are the worker's service bindings, checked once every worker is known.
	services []*serviceTarget
	// queues is the worker's queues engine, opened on first use.
	queues *queues.Engine
	// do is the worker's Durable Object engine, opened on first use.
	do *durableobject.Engine
}

// resolve is the env.Source.Resolve of w.
func (w *workerSlot) resolve(name string, t reflect.Type) (reflect.Value, bool, error) {
	for _, b := range binders {
		if !b.match(t) {
			continue
		}
		v, ok, err := b.make(w, name, t)
		if err != nil {
			return reflect.Value{}, true, fmt.Errorf("%s %q: %w", b.kind, name, err)
		}
		if ok {
			return v, true, nil
		}
		return reflect.Value{}, true, fmt.Errorf("no %s bound as %q in %s", b.kind, name, w.configName())
	}
	return reflect.Value{}, false, nil
}

func (w *workerSlot) configName() string {
	if w.cfg.Path != "" {
		return w.cfg.Path
	}
	return "the config"
}

// onClose registers something to close at shutdown; Close runs them newest first.
func (r *Runner) onClose(f func(ctx context.Context) error) {
	r.mu.Lock()
	r.closers = append(r.closers, f)
	r.mu.Unlock()
}
