package vectorize

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/flarego/flarego/worker"
)

// Index is a Vectorize index binding: what a worker's Env holds for a `vectorize` config
// entry. Its methods mirror the platform's binding (insert, upsert, query, queryById,
// getByIds, deleteByIds, describe) with its limits and error texts, over a Driver.
//
// Writes return a mutation id (VZ-004). On the platform they become visible a few seconds
// later; here they are applied before the call returns, so a query right after a write sees
// it. Every method counts one subrequest against the running invocation (worker.Subrequest).
//
// The zero value is not usable; build one with New or NewLazy. An Index is safe for
// concurrent use.
type Index struct {
	mu     sync.Mutex
	d      Driver
	open   func(context.Context) (Driver, error)
	closed bool
}

// New returns an Index over d.
func New(d Driver) *Index { return &Index{d: d} }

// NewLazy returns an Index that opens its driver on first use, so that an Env can hold a
// binding whose index is created later (for example by the CLI). A failed open is returned by
// the call that tried it and retried by the next one.
func NewLazy(open func(context.Context) (Driver, error)) *Index { return &Index{open: open} }

func (x *Index) driver(ctx context.Context) (Driver, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil, ErrClosed
	}
	if x.d == nil {
		d, err := x.open(ctx)
		if err != nil {
			return nil, err
		}
		x.d = d
	}
	return x.d, nil
}

// begin counts the subrequest and returns the driver.
func (x *Index) begin(ctx context.Context) (Driver, error) {
	if err := worker.Subrequest(ctx); err != nil {
		return nil, err
	}
	return x.driver(ctx)
}

// Config returns the index's configuration (name, dimensions, metric, description).
func (x *Index) Config(ctx context.Context) (Config, error) {
	d, err := x.driver(ctx)
	if err != nil {
		return Config{}, err
	}
	return d.Config(), nil
}

// Insert adds vectors whose ids are not in the index yet; vectors with existing ids are left
// untouched (VZ-003). At most 1000 per call (VZ-005).
func (x *Index) Insert(ctx context.Context, vectors []Vector) (Mutation, error) {
	return x.write(ctx, OpInsert, vectors, false, MaxBatch)
}

// Upsert adds vectors and replaces existing ids whole, values and metadata (VZ-003). At most
// 1000 per call (VZ-005).
func (x *Index) Upsert(ctx context.Context, vectors []Vector) (Mutation, error) {
	return x.write(ctx, OpUpsert, vectors, true, MaxBatch)
}

func (x *Index) write(ctx context.Context, op Operation, vectors []Vector, replace bool, maxBatch int) (Mutation, error) {
	d, err := x.begin(ctx)
	if err != nil {
		return Mutation{}, err
	}
	vs, err := checkVectors(op, vectors, d.Config().Dimensions, maxBatch)
	if err != nil {
		return Mutation{}, err
	}
	m, err := d.Write(ctx, vs, replace)
	if err != nil {
		return Mutation{}, opError(op, err)
	}
	return m, nil
}

// Query returns the vectors closest to vector (VZ-006…016). The zero QueryOptions are the
// platform's defaults: topK 5, no values, no metadata.
func (x *Index) Query(ctx context.Context, vector []float32, opts QueryOptions) (Matches, error) {
	d, err := x.begin(ctx)
	if err != nil {
		return Matches{}, err
	}
	if dims := d.Config().Dimensions; len(vector) != dims {
		return Matches{}, &Error{Op: OpQuery, Code: 40006, Message: fmt.Sprintf("invalid query vector, expected %d dimensions, and got %d dimensions", dims, len(vector)), Err: ErrInvalidVector}
	}
	return x.search(ctx, d, SearchRequest{Vector: vector}, opts)
}

// QueryByID queries with the stored vector of id (VZ-017). An unknown id gives no matches.
func (x *Index) QueryByID(ctx context.Context, id string, opts QueryOptions) (Matches, error) {
	d, err := x.begin(ctx)
	if err != nil {
		return Matches{}, err
	}
	if id == "" {
		return Matches{}, &Error{Op: OpQuery, Message: "invalid vector id: ids must not be empty", Err: ErrIDTooLong}
	}
	if err := checkIDs(OpQuery, []string{id}, 1); err != nil {
		return Matches{}, err
	}
	return x.search(ctx, d, SearchRequest{ByID: id}, opts)
}

func (x *Index) search(ctx context.Context, d Driver, req SearchRequest, opts QueryOptions) (Matches, error) {
	if err := applyOptions(&req, opts); err != nil {
		return Matches{}, err
	}
	ms, err := d.Search(ctx, req)
	if err != nil {
		return Matches{}, opError(OpQuery, err)
	}
	if ms == nil {
		ms = []Match{}
	}
	return Matches{Count: len(ms), Matches: ms}, nil
}

// applyOptions validates the options into req (VZ-007…011).
func applyOptions(req *SearchRequest, o QueryOptions) error {
	level := o.ReturnMetadata
	switch level {
	case "":
		level = MetadataNone
	case MetadataNone, MetadataIndexed, MetadataAll:
	default:
		return invalidReturnMetadata(string(level))
	}
	k := o.TopK
	if k == 0 {
		k = DefaultTopK
	}
	if k < 0 {
		return &Error{Op: OpQuery, Message: fmt.Sprintf("invalid topK %d: expected 1 to %d", k, MaxTopK), Err: ErrInvalidTopK}
	}
	if (o.ReturnValues || level == MetadataAll) && k > MaxTopKWithData {
		return &Error{Op: OpQuery, Code: 40025, Message: fmt.Sprintf("with returnValues=true or returnMetadata=all, max top K is %d, but got %d", MaxTopKWithData, k), Err: ErrTopKTooLarge}
	}
	if k > MaxTopK {
		return &Error{Op: OpQuery, Code: 40025, Message: fmt.Sprintf("max top K is %d, but got %d", MaxTopK, k), Err: ErrTopKTooLarge}
	}
	if len(o.Namespace) > MaxNamespaceBytes {
		return &Error{Op: OpQuery, Message: fmt.Sprintf("namespace too long; max is %d bytes, got %d bytes", MaxNamespaceBytes, len(o.Namespace)), Err: ErrNamespaceTooLong}
	}
	conds, err := o.Filter.Compile()
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			c := *e
			c.Op = OpQuery
			return &c
		}
		return err
	}
	req.TopK, req.ReturnValues, req.ReturnMetadata = k, o.ReturnValues, level
	req.Namespace, req.Conditions = o.Namespace, conds
	return nil
}

// GetByIDs returns the stored vectors with values and metadata, leaving out ids that are not
// in the index (VZ-018). At most 20 ids per call, as production refuses more.
func (x *Index) GetByIDs(ctx context.Context, ids []string) ([]Vector, error) {
	d, err := x.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkIDs(OpGet, ids, MaxGetIDs); err != nil {
		return nil, err
	}
	vs, err := d.Get(ctx, ids)
	if err != nil {
		return nil, opError(OpGet, err)
	}
	if vs == nil {
		vs = []Vector{}
	}
	return vs, nil
}

// DeleteByIDs removes the given ids; unknown ids are ignored (VZ-018). At most 100 ids per
// call, as production refuses more.
func (x *Index) DeleteByIDs(ctx context.Context, ids []string) (Mutation, error) {
	d, err := x.begin(ctx)
	if err != nil {
		return Mutation{}, err
	}
	if err := checkIDs(OpDelete, ids, MaxDeleteIDs); err != nil {
		return Mutation{}, err
	}
	m, err := d.Delete(ctx, ids)
	if err != nil {
		return Mutation{}, opError(OpDelete, err)
	}
	return m, nil
}

// Describe returns the vector count, dimensions and last processed mutation (VZ-019).
func (x *Index) Describe(ctx context.Context) (Info, error) {
	d, err := x.begin(ctx)
	if err != nil {
		return Info{}, err
	}
	info, err := d.Stats(ctx)
	if err != nil {
		return Info{}, opError(OpIndexGet, err)
	}
	return info, nil
}

// CreateMetadataIndex makes a property filterable (VZ-013), as the platform's CLI
// `create-metadata-index --property-name P --type T` does. Only vectors written after this
// call are indexed. At most 10 per index; creating an existing one again succeeds and keeps
// the first type.
func (x *Index) CreateMetadataIndex(ctx context.Context, property string, typ MetadataType) (Mutation, error) {
	mi, err := x.metadataIndexer(ctx)
	if err != nil {
		return Mutation{}, err
	}
	if err := checkFilterKey(property); err != nil {
		return Mutation{}, &Error{Message: "invalid property name: " + err.(*Error).Message, Err: ErrInvalidMetadataIndex}
	}
	if _, err := ParseMetadataType(string(typ)); err != nil {
		return Mutation{}, err
	}
	return mi.CreateMetadataIndex(ctx, MetadataIndex{PropertyName: property, IndexType: typ})
}

// DeleteMetadataIndex removes a metadata index; filters on it then match nothing. An unknown
// property fails with ErrMetadataIndexNotFound.
func (x *Index) DeleteMetadataIndex(ctx context.Context, property string) (Mutation, error) {
	mi, err := x.metadataIndexer(ctx)
	if err != nil {
		return Mutation{}, err
	}
	return mi.DeleteMetadataIndex(ctx, property)
}

// MetadataIndexes lists the metadata indexes, sorted by property name.
func (x *Index) MetadataIndexes(ctx context.Context) ([]MetadataIndex, error) {
	d, err := x.begin(ctx)
	if err != nil {
		return nil, err
	}
	mi, ok := d.(MetadataIndexer)
	if !ok {
		return []MetadataIndex{}, nil
	}
	return mi.MetadataIndexes(ctx)
}

func (x *Index) metadataIndexer(ctx context.Context) (MetadataIndexer, error) {
	d, err := x.begin(ctx)
	if err != nil {
		return nil, err
	}
	mi, ok := d.(MetadataIndexer)
	if !ok {
		return nil, &Error{Message: "this index's driver has no metadata indexes", Err: ErrInvalidMetadataIndex}
	}
	return mi, nil
}

// Close closes the driver. Later calls fail with ErrClosed.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	if x.d != nil {
		return x.d.Close()
	}
	return nil
}
