package host

import (
	"context"
	"errors"
	"reflect"

	"github.com/flarego/flarego/vectorize"
	vzsqlite "github.com/flarego/flarego/vectorize/sqlite"
)

func init() {
	addBinder(binder{
		kind:  "Vectorize index",
		match: typeIs[*vectorize.Index](),
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			for _, v := range w.cfg.Vectorize {
				if v.Binding != name {
					continue
				}
				cat, err := w.r.vectorizeCatalog(w)
				if err != nil {
					return reflect.Value{}, true, err
				}
				// The index opens on first use: the runner may start before the index exists,
				// as on the platform, where it is created by the CLI.
				return reflect.ValueOf(cat.Binding(v.IndexName)), true, nil
			}
			return reflect.Value{}, false, nil
		},
	})
	addCommand(&command{
		name:    "vectorize",
		summary: "vectorize create NAME --dimensions N --metric M | list | info | insert NAME --file F.ndjson | query … (help: vectorize help)",
		run: func(ctx context.Context, c *cmdEnv, args []string) error {
			r := &Runner{opts: c.opts}
			cat, err := vzsqlite.OpenCatalog(c.opts.stateDir("vectorize"), vzsqlite.Options{})
			if err != nil {
				return err
			}
			defer r.Close(ctx)
			defer cat.Close()
			return vzsqlite.RunCLI(ctx, cat, args, c.stdout)
		},
	})
}

// vectorizeCatalog opens the runner's indexes and creates those the config's
// flarego.vectorize_indexes lists.
func (r *Runner) vectorizeCatalog(w *workerSlot) (*vzsqlite.Catalog, error) {
	cat, err := openShared(r, "vectorize", "", func() (*vzsqlite.Catalog, func() error, error) {
		c, err := vzsqlite.OpenCatalog(r.opts.stateDir("vectorize"), vzsqlite.Options{Logger: r.slog})
		if err != nil {
			return nil, nil, err
		}
		return c, c.Close, nil
	})
	if err != nil || w.cfg.Flarego == nil {
		return cat, err
	}
	for _, spec := range w.cfg.Flarego.VectorizeIndexes {
		_, err := cat.Create(context.Background(), vectorize.Config{
			Name: spec.Name, Dimensions: spec.Dimensions, Metric: vectorize.Metric(spec.Metric), Description: spec.Description,
		})
		if err != nil && !errors.Is(err, vectorize.ErrIndexExists) {
			return nil, err
		}
	}
	return cat, nil
}
