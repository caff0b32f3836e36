// Package engine is the in-memory search structure behind every Vectorize driver: vectors
// as float32 (normalised once for cosine), an HNSW graph for approximate search, exact scans
// for small or selective queries, and columns of indexed metadata for filters.
//
// Concurrency: queries never block on writes. Writers publish a node under a short engine
// lock, then link it into the graph holding only per-node locks, so several writers and any
// number of queries run together. Link lists are immutable once published (a writer stores
// a new list atomically), so a query walks the graph without taking any lock. Deleted and replaced vectors stay in the graph as
// waypoints (they are never returned) until the owner rebuilds the engine.
//
// Writes carry a sequence number; the engine keeps the newest per id (last writer wins), so
// the owner may apply committed writes from several goroutines, or replay a log after a
// snapshot, without ordering them.
package engine
