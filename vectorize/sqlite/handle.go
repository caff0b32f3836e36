package sqlite

import (
	"context"

	"github.com/flarego/flarego/vectorize"
)

// handle is the Driver a catalog hands out: it finds the shared driver on every call, so
// that a deleted index answers "not found", and its Close leaves the shared driver open.
type handle struct {
	c    *Catalog
	name string
	cfg  vectorize.Config
}

func (h *handle) get(ctx context.Context) (*Driver, error) {
	h.c.mu.Lock()
	d, ok := h.c.drivers[h.name]
	closed := h.c.closed
	h.c.mu.Unlock()
	switch {
	case closed:
		return nil, vectorize.ErrClosed
	case ok:
		return d, nil
	}
	return h.c.driver(ctx, h.name)
}

func (h *handle) Config() vectorize.Config {
	if d, err := h.get(context.Background()); err == nil {
		return d.Config()
	}
	return h.cfg
}

func (h *handle) Write(ctx context.Context, vs []vectorize.Vector, replace bool) (vectorize.Mutation, error) {
	d, err := h.get(ctx)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return d.Write(ctx, vs, replace)
}

func (h *handle) Delete(ctx context.Context, ids []string) (vectorize.Mutation, error) {
	d, err := h.get(ctx)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return d.Delete(ctx, ids)
}

func (h *handle) Get(ctx context.Context, ids []string) ([]vectorize.Vector, error) {
	d, err := h.get(ctx)
	if err != nil {
		return nil, err
	}
	return d.Get(ctx, ids)
}

func (h *handle) Search(ctx context.Context, req vectorize.SearchRequest) ([]vectorize.Match, error) {
	d, err := h.get(ctx)
	if err != nil {
		return nil, err
	}
	return d.Search(ctx, req)
}

func (h *handle) Stats(ctx context.Context) (vectorize.Info, error) {
	d, err := h.get(ctx)
	if err != nil {
		return vectorize.Info{}, err
	}
	return d.Stats(ctx)
}

func (h *handle) CreateMetadataIndex(ctx context.Context, mi vectorize.MetadataIndex) (vectorize.Mutation, error) {
	d, err := h.get(ctx)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return d.CreateMetadataIndex(ctx, mi)
}

func (h *handle) DeleteMetadataIndex(ctx context.Context, property string) (vectorize.Mutation, error) {
	d, err := h.get(ctx)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return d.DeleteMetadataIndex(ctx, property)
}

func (h *handle) MetadataIndexes(ctx context.Context) ([]vectorize.MetadataIndex, error) {
	d, err := h.get(ctx)
	if err != nil {
		return nil, err
	}
	return d.MetadataIndexes(ctx)
}

// Close leaves the shared driver open: the catalog owns it.
func (h *handle) Close() error { return nil }
