package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/worker"
)

func init() {
	registrars[durableobject.RegistrationKind] = func(w *workerSlot, reg worker.Registration) error {
		_, err := w.doEngine()
		return err
	}
	addBinder(binder{
		kind:  "Durable Object namespace",
		match: durableobject.IsBindingType,
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			for _, b := range w.cfg.DurableObjects.Bindings {
				if b.Name != name {
					continue
				}
				owner := w
				if b.ScriptName != "" && b.ScriptName != w.name {
					o, ok := w.r.workers[b.ScriptName]
					if !ok {
						return reflect.Value{}, true, fmt.Errorf("script_name %q is not a worker of this runner (list it before %q)", b.ScriptName, w.name)
					}
					owner = o
				}
				eng, err := owner.doEngine()
				if err != nil {
					return reflect.Value{}, true, err
				}
				h, err := eng.Namespace(durableobject.NamespaceConfig{
					Class:     b.ClassName,
					UniqueKey: owner.name + "-" + b.ClassName,
					LegacyKV:  legacyKVClass(owner.cfg, b.ClassName),
				})
				if err != nil {
					return reflect.Value{}, true, err
				}
				v, err := durableobject.NewBindingValue(t, h)
				return v, true, err
			}
			return reflect.Value{}, false, nil
		},
	})
	addCommand(&command{
		name:    "durable-objects",
		summary: "durable-objects namespaces | objects NS | show NS NAME|ID | delete NS NAME|ID: stored objects",
		run:     runDOCommand,
	})
}

// legacyKVClass reports whether the config's migrations declare class with key-value
// storage (new_classes) rather than SQLite (new_sqlite_classes).
func legacyKVClass(cfg *env.Config, class string) bool {
	legacy := false
	for _, m := range cfg.Migrations {
		if slices.Contains(m.NewClasses, class) {
			legacy = true
		}
		if slices.Contains(m.NewSqliteClasses, class) {
			legacy = false
		}
	}
	return legacy
}

// doEngine opens w's Durable Object engine on first use and starts it once the Env exists.
func (w *workerSlot) doEngine() (*durableobject.Engine, error) {
	if w.do != nil {
		return w.do, nil
	}
	r := w.r
	eng, err := durableobject.NewEngine(w.app, durableobject.Options{
		Dir: r.opts.stateDir("do"), Logger: r.slog, WorkerName: w.name, Limits: w.limits, Exports: w,
	})
	if err != nil {
		return nil, err
	}
	w.do = eng
	r.onClose(eng.Close)
	w.onBound = append(w.onBound, func(ctx context.Context, b worker.Bound) error {
		return eng.Start(b.Env())
	})
	return eng, nil
}

func runDOCommand(ctx context.Context, c *cmdEnv, args []string) error {
	const usage = `usage: durable-objects namespaces
       durable-objects objects NAMESPACE
       durable-objects show NAMESPACE NAME|ID
       durable-objects delete NAMESPACE NAME|ID
  NAMESPACE is a unique key as listed by namespaces (<worker>-<class>)`
	dir := c.opts.stateDir("do")
	if dir == "" {
		return errors.New("durable-objects: nothing is persisted with --no-persist")
	}
	d := durableobject.DirDriver(dir)
	defer d.Close()
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch {
	case args[0] == "namespaces":
		list, err := durableobject.ListNamespaces(ctx, d)
		if err != nil {
			return err
		}
		return printJSON(c, list)
	case args[0] == "objects" && len(args) == 2:
		list, err := durableobject.ListObjects(ctx, d, args[1])
		if err != nil {
			return err
		}
		return printJSON(c, list)
	case (args[0] == "show" || args[0] == "delete") && len(args) == 3:
		id, err := durableobject.ResolveID(args[1], args[2])
		if err != nil {
			return err
		}
		method := http.MethodGet
		if args[0] == "delete" {
			method = http.MethodDelete
		}
		body, err := askRunner(ctx, c, method, args[1], id.String())
		switch {
		case err == nil && method == http.MethodDelete:
			fmt.Fprintf(c.stdout, "deleted %s\n", id)
			return nil
		case err == nil:
			var dump durableobject.ObjectDump
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber() // integers past 2^53 print as stored
			if err := dec.Decode(&dump); err != nil {
				return fmt.Errorf("durable-objects: the runner's answer: %w", err)
			}
			return printJSON(c, &dump)
		case !errors.Is(err, errNoRunner):
			return err
		}
		if args[0] == "delete" {
			if err := durableobject.DeleteObject(ctx, d, args[1], id); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "deleted %s\n", id)
			return nil
		}
		dump, err := durableobject.ReadObject(ctx, d, args[1], id)
		if err != nil {
			return err
		}
		return printJSON(c, dump)
	}
	return errors.New(usage)
}
