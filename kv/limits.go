package kv

import "time"

// The platform's limits, enforced by every Namespace whatever its driver.
const (
	// MaxKeySize is the longest key, and list prefix, in UTF-8 bytes (KV-005, KV-028).
	MaxKeySize = 512
	// MaxValueSize is the largest value in bytes, 25 MiB; exactly this size is accepted (KV-010).
	MaxValueSize = 25 << 20
	// MaxMetadataSize is the longest JSON serialisation of a key's metadata (KV-011).
	MaxMetadataSize = 1024
	// MaxListLimit is the most keys one List page returns, and its default page size (KV-029).
	MaxListLimit = 1000
	// MaxBulkKeys is the most keys one bulk read may ask for (KV-021).
	MaxBulkKeys = 100
	// MaxBulkSize is the most value bytes one bulk read may return (KV-025).
	MaxBulkSize = 25 << 20
	// MinExpirationTTL is the shortest expiration TTL, and how far in the future an absolute
	// expiration must be (KV-012, KV-013).
	MinExpirationTTL = 60 * time.Second
	// DefaultMinCacheTTL is the production minimum of a read's cache TTL (KV-007; the local
	// simulator accepts 30 s, see Options.MinCacheTTL).
	DefaultMinCacheTTL = 60 * time.Second
)
