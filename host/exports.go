package host

import (
	"fmt"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/worker"
)

// Entrypoint implements worker.ExportsSource (W-029): a loopback service binding to one of
// w's own entrypoints, "default" being its fetch handler and default entrypoint.
func (w *workerSlot) Entrypoint(name string) (*worker.Service, error) {
	if name == "" {
		name = "default"
	}
	if _, ok := w.entrypoints[name]; !ok && name != "default" {
		return nil, fmt.Errorf("worker %q has no entrypoint %q (register it with worker.RegisterEntrypoint)", w.name, name)
	}
	target := &serviceTarget{r: w.r, from: w, cfg: env.Service{Binding: name, Service: w.name, Entrypoint: name}}
	return worker.NewService(w.name, target), nil
}

// Namespace implements worker.ExportsSource (W-029): the namespace of one of w's Durable
// Object classes, under the unique key a binding in w's config would use.
func (w *workerSlot) Namespace(class string) (any, error) {
	if w.do == nil {
		return nil, fmt.Errorf("worker %q has no Durable Object classes (register them with durableobject.Register)", w.name)
	}
	return w.do.Namespace(durableobject.NamespaceConfig{Class: class, UniqueKey: w.name + "-" + class, LegacyKV: legacyKVClass(w.cfg, class)})
}

// workerExports is the ctx.Exports of the worker named name, found when an invocation asks:
// a workflow's engine opens before the worker that runs its class may have been added.
type workerExports struct {
	r    *Runner
	name string
}

func (x workerExports) slot() (*workerSlot, error) {
	w, ok := x.r.workers[x.name]
	if !ok {
		return nil, fmt.Errorf("worker %q is not a worker of this runner", x.name)
	}
	return w, nil
}

// Entrypoint implements worker.ExportsSource.
func (x workerExports) Entrypoint(name string) (*worker.Service, error) {
	w, err := x.slot()
	if err != nil {
		return nil, err
	}
	return w.Entrypoint(name)
}

// Namespace implements worker.ExportsSource.
func (x workerExports) Namespace(class string) (any, error) {
	w, err := x.slot()
	if err != nil {
		return nil, err
	}
	return w.Namespace(class)
}
