package vectorize

// The platform's limits (VZ-001, VZ-002, VZ-005, VZ-008, VZ-011, VZ-013). Get and delete id
// counts are the production refusals (code 40007); the others are documented limits.
const (
	MaxDimensions         = 1536
	MaxIDBytes            = 64
	MaxNamespaceBytes     = 64
	MaxIndexNameBytes     = 64
	MaxMetadataBytes      = 10 << 10
	MaxBatch              = 1000
	MaxBatchHTTP          = 5000
	MaxVectorsPerIndex    = 5_000_000
	MaxNamespaces         = 50_000
	DefaultTopK           = 5
	MaxTopK               = 100
	MaxTopKWithData       = 20
	MaxGetIDs             = 20
	MaxDeleteIDs          = 100
	MaxMetadataIndexes    = 10
	MaxIndexedStringBytes = 64
	MaxFilterKeyChars     = 512
	MaxFilterJSONBytes    = 2048
)
