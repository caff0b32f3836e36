package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/internal/bridge"
	"github.com/flarego/flarego/vectorize/internal/engine"
)

// Driver is a vectorize.Driver and vectorize.MetadataIndexer held in memory. Writes are
// serialised; queries run beside them. The zero value is not usable; call New.
type Driver struct {
	cfg vectorize.Config
	eng *engine.Engine

	mu      sync.RWMutex // guards the fields below
	vecs    map[string]vectorize.Vector
	indexes []vectorize.MetadataIndex
	created map[string]uint64
	seq     uint64
	lastMut string
	lastAt  time.Time
	closed  bool
}

// Options tune the search engine; the zero value is the default.
type Options = engine.Options

// New returns an empty index with the given configuration (name optional).
func New(cfg vectorize.Config, opts ...Options) (*Driver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	now := time.Now().UTC()
	if cfg.CreatedOn.IsZero() {
		cfg.CreatedOn, cfg.ModifiedOn = now, now
	}
	return &Driver{
		cfg:     cfg,
		eng:     engine.New(cfg.Dimensions, bridge.Metric(cfg.Metric), o),
		vecs:    map[string]vectorize.Vector{},
		created: map[string]uint64{},
	}, nil
}

// NewIndex returns a *vectorize.Index over a new memory driver.
func NewIndex(cfg vectorize.Config, opts ...Options) (*vectorize.Index, error) {
	d, err := New(cfg, opts...)
	if err != nil {
		return nil, err
	}
	return vectorize.New(d), nil
}

// Config implements vectorize.Driver.
func (d *Driver) Config() vectorize.Config { return d.cfg }

func (d *Driver) mutate() (uint64, vectorize.Mutation) {
	d.seq++
	m := vectorize.Mutation{ID: vectorize.NewMutationID()}
	d.lastMut, d.lastAt = m.ID, time.Now().UTC()
	return d.seq, m
}

// Write implements vectorize.Driver.
func (d *Driver) Write(ctx context.Context, vs []vectorize.Vector, replace bool) (vectorize.Mutation, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return vectorize.Mutation{}, vectorize.ErrClosed
	}
	vs = vectorize.DedupeBatch(vs, replace)
	recs := make([]engine.Record, 0, len(vs))
	keep := make([]vectorize.Vector, 0, len(vs))
	added, newNS := 0, map[string]bool{}
	for _, v := range vs {
		_, exists := d.vecs[v.ID]
		if exists && !replace {
			continue
		}
		if !exists {
			added++
		}
		if v.Namespace != "" && !d.eng.HasNamespace(v.Namespace) {
			newNS[v.Namespace] = true
		}
		recs = append(recs, bridge.Record(v, vectorize.IndexedValues(v.Metadata, d.indexes)))
		keep = append(keep, v)
	}
	if err := checkCapacity(len(d.vecs)+added, d.eng.Namespaces()+len(newNS)); err != nil {
		return vectorize.Mutation{}, err
	}
	seq, m := d.mutate()
	for _, v := range keep {
		d.vecs[v.ID] = v
	}
	d.eng.Apply(seq, recs, nil)
	return m, nil
}

func checkCapacity(vectors, namespaces int) error {
	if vectors > vectorize.MaxVectorsPerIndex {
		return &vectorize.Error{Message: fmt.Sprintf("index full: at most %d vectors per index", vectorize.MaxVectorsPerIndex), Err: vectorize.ErrIndexFull}
	}
	if namespaces > vectorize.MaxNamespaces {
		return &vectorize.Error{Message: fmt.Sprintf("too many namespaces: at most %d per index", vectorize.MaxNamespaces), Err: vectorize.ErrIndexFull}
	}
	return nil
}

// Delete implements vectorize.Driver.
func (d *Driver) Delete(ctx context.Context, ids []string) (vectorize.Mutation, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return vectorize.Mutation{}, vectorize.ErrClosed
	}
	seq, m := d.mutate()
	for _, id := range ids {
		delete(d.vecs, id)
	}
	d.eng.Apply(seq, nil, ids)
	return m, nil
}

// Get implements vectorize.Driver.
func (d *Driver) Get(ctx context.Context, ids []string) ([]vectorize.Vector, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, vectorize.ErrClosed
	}
	out := []vectorize.Vector{}
	for _, id := range ids {
		if v, ok := d.vecs[id]; ok {
			out = append(out, copyVector(v))
		}
	}
	return out, nil
}

func copyVector(v vectorize.Vector) vectorize.Vector {
	v.Values = slices.Clone(v.Values)
	v.Metadata = bridge.CloneMetadata(v.Metadata)
	return v
}

// Search implements vectorize.Driver.
func (d *Driver) Search(ctx context.Context, req vectorize.SearchRequest) ([]vectorize.Match, error) {
	vec := req.Vector
	if req.ByID != "" {
		d.mu.RLock()
		v, ok := d.vecs[req.ByID]
		d.mu.RUnlock()
		if !ok {
			return nil, nil
		}
		vec = v.Values
	}
	hits := d.eng.Search(bridge.Query(req, vec))
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, vectorize.ErrClosed
	}
	out := make([]vectorize.Match, 0, len(hits))
	metric := bridge.Metric(d.cfg.Metric)
	for _, h := range hits {
		m := vectorize.Match{ID: h.ID, Score: metric.Score(h.Dist), Namespace: h.Namespace}
		v := d.vecs[h.ID]
		if req.ReturnValues {
			m.Values = slices.Clone(v.Values)
		}
		switch req.ReturnMetadata {
		case vectorize.MetadataAll:
			m.Metadata = bridge.CloneMetadata(v.Metadata)
		case vectorize.MetadataIndexed:
			m.Metadata = vectorize.NestIndexed(d.eng.Indexed(h.ID))
		}
		out = append(out, m)
	}
	return out, nil
}

// Stats implements vectorize.Driver.
func (d *Driver) Stats(ctx context.Context) (vectorize.Info, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return vectorize.Info{}, vectorize.ErrClosed
	}
	return vectorize.Info{VectorCount: len(d.vecs), Dimensions: d.cfg.Dimensions, ProcessedUpToDatetime: d.lastAt, ProcessedUpToMutation: d.lastMut}, nil
}

// CreateMetadataIndex implements vectorize.MetadataIndexer.
func (d *Driver) CreateMetadataIndex(ctx context.Context, mi vectorize.MetadataIndex) (vectorize.Mutation, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return vectorize.Mutation{}, vectorize.ErrClosed
	}
	if slices.ContainsFunc(d.indexes, func(x vectorize.MetadataIndex) bool { return x.PropertyName == mi.PropertyName }) {
		_, m := d.mutate()
		return m, nil
	}
	if len(d.indexes) >= vectorize.MaxMetadataIndexes {
		return vectorize.Mutation{}, tooManyMetadataIndexes()
	}
	seq, m := d.mutate()
	d.indexes = append(d.indexes, mi)
	d.created[mi.PropertyName] = seq
	return m, d.eng.SetColumns(bridge.Columns(d.indexes, d.created))
}

func tooManyMetadataIndexes() error {
	return &vectorize.Error{Message: fmt.Sprintf("too many metadata indexes: at most %d per index", vectorize.MaxMetadataIndexes), Err: vectorize.ErrInvalidMetadataIndex}
}

// DeleteMetadataIndex implements vectorize.MetadataIndexer.
func (d *Driver) DeleteMetadataIndex(ctx context.Context, property string) (vectorize.Mutation, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return vectorize.Mutation{}, vectorize.ErrClosed
	}
	i := slices.IndexFunc(d.indexes, func(x vectorize.MetadataIndex) bool { return x.PropertyName == property })
	if i < 0 {
		return vectorize.Mutation{}, &vectorize.Error{Code: 40005, Message: fmt.Sprintf("metadata index for property %q not found", property), Err: vectorize.ErrMetadataIndexNotFound}
	}
	_, m := d.mutate()
	d.indexes = slices.Delete(d.indexes, i, i+1)
	delete(d.created, property)
	return m, d.eng.SetColumns(bridge.Columns(d.indexes, d.created))
}

// MetadataIndexes implements vectorize.MetadataIndexer.
func (d *Driver) MetadataIndexes(ctx context.Context) ([]vectorize.MetadataIndex, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := slices.Clone(d.indexes)
	slices.SortFunc(out, func(a, b vectorize.MetadataIndex) int {
		switch {
		case a.PropertyName < b.PropertyName:
			return -1
		case a.PropertyName > b.PropertyName:
			return 1
		}
		return 0
	})
	if out == nil {
		out = []vectorize.MetadataIndex{}
	}
	return out, nil
}

// Close implements vectorize.Driver.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}
