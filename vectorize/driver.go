package vectorize

import "context"

// Driver stores one index. *Index validates every call (limits, error texts, options) before
// it reaches the driver, so a driver sees only well-formed requests; it answers for storage,
// search and the platform's write semantics (insert keeps existing ids, upsert replaces whole,
// metadata indexes see only vectors written after they exist). Drivers are safe for
// concurrent use. The memory and sqlite packages hold the two drivers; vectorizetest.Run is
// the suite every driver passes.
type Driver interface {
	// Config returns the index's fixed configuration.
	Config() Config
	// Write stores vectors. With replace false only ids not already present are written
	// (insert, VZ-003); with replace true existing ids are replaced whole (upsert).
	Write(ctx context.Context, vectors []Vector, replace bool) (Mutation, error)
	// Delete removes the ids present and ignores the others.
	Delete(ctx context.Context, ids []string) (Mutation, error)
	// Get returns the stored vectors among ids, in the order asked, leaving out missing ones.
	Get(ctx context.Context, ids []string) ([]Vector, error)
	// Search returns up to req.TopK matches, closest first.
	Search(ctx context.Context, req SearchRequest) ([]Match, error)
	// Stats describes the index (VZ-019).
	Stats(ctx context.Context) (Info, error)
	// Close releases the driver; later calls fail with ErrClosed.
	Close() error
}

// MetadataIndexer is the optional Driver capability behind metadata filtering (VZ-013). A
// driver without it has no metadata indexes: every metadata filter matches nothing.
type MetadataIndexer interface {
	CreateMetadataIndex(ctx context.Context, mi MetadataIndex) (Mutation, error)
	// DeleteMetadataIndex fails with ErrMetadataIndexNotFound for an unknown property.
	DeleteMetadataIndex(ctx context.Context, property string) (Mutation, error)
	MetadataIndexes(ctx context.Context) ([]MetadataIndex, error)
}

// SearchRequest is a validated query.
type SearchRequest struct {
	// Vector is the query vector, or nil when ByID is set.
	Vector []float32
	// ByID queries with the stored vector of that id; an unknown id gives no matches.
	ByID string
	// TopK is 1..MaxTopK.
	TopK int
	// Namespace restricts the search when not "".
	Namespace string
	// Conditions must all hold, evaluated on indexed metadata (VZ-012, VZ-014).
	Conditions     []Condition
	ReturnValues   bool
	ReturnMetadata MetadataLevel
}
