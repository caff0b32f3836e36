// Package vectorize is the Vectorize binding: a vector index with the platform's API,
// limits and error texts, searched locally.
//
// A worker's Env holds a *Index per `vectorize` entry of its config. Index validates every
// call and passes it to a Driver: package memory keeps an index in memory (tests, runs
// without persistence), package sqlite keeps it on disk and also provides the Catalog of
// named indexes and the CLI commands the runner exposes. Both drivers share one search
// engine: exact (brute-force) search for small indexes and selective filters, and an HNSW
// graph beyond that, safe under concurrent writes and queries.
//
//	m, err := env.Docs.Query(ctx, embedding, vectorize.QueryOptions{
//		TopK:           5,
//		ReturnMetadata: vectorize.MetadataIndexed,
//		Filter:         vectorize.Filter{"lang": "en", "year": vectorize.Gte(2020)},
//	})
//
// # Semantics
//
//   - Insert keeps existing ids; Upsert replaces them whole (VZ-003). Repeated ids in one
//     batch: first wins for insert, last for upsert.
//   - Writes return a mutation id (VZ-004). The platform applies them a few seconds later;
//     here they are applied before the call returns, so a query right after a write sees
//     it, and Describe reports the write as processed. This is the one intended divergence:
//     tests that poll until a write is visible keep working, they just stop waiting.
//   - Scores (VZ-016): cosine similarity (higher is closer), Euclidean distance (lower is
//     closer), negative dot product (lower is closer). Results are closest first; ties are
//     broken by id so that results are deterministic.
//   - Filters (VZ-010…014) read metadata indexes, which must exist before the vectors are
//     written (CreateMetadataIndex): a vector written before its property was indexed is
//     unknown to that index and matches no condition on it, and a condition on a property
//     with no index matches nothing (the checklist prefers an empty result to an error).
//     Within an index, a vector without the property, or with a value of another type,
//     holds null: {"p": null} and {"p": {"$ne": "x"}} match it, range operators and $in do
//     not, and $nin does. Strings are indexed by their first 64 bytes (cut at a UTF-8
//     boundary) and string operands are cut the same way; numbers compare as float64;
//     false < true; strings compare bytewise. Values of different types never compare equal.
//   - Filters and namespaces are applied before topK (VZ-012).
//   - QueryByID with an id that is not in the index returns no matches.
//   - returnMetadata "indexed" returns the indexed properties (cut strings included) nested
//     back into objects; "all" returns the metadata as stored.
//
// # Limits and errors
//
// Limits are the platform's (see the Max constants). Errors are *Error values whose text
// is the platform's "<OP>_ERROR (code = N): message" (VZ-020). The codes and texts taken
// from production are: 40006 wrong query dimensions, 40007 too many ids (getByIds over 20,
// deleteByIds over 100), 40008 id too long, 40012 wrong vector dimensions, 40016 metadata
// over 10 KiB, 40025 topK too large, 40005 unknown metadata index, 3000 index not found,
// 3002 index exists. Where production's code is not known the error has no code and reads
// "<OP>_ERROR: message". Every *Error wraps a sentinel (ErrTopKTooLarge, ErrInvalidFilter,
// …) for errors.Is. Option checks that the platform's client makes before any request
// (returnMetadata) have its client text, without an operation prefix.
//
// # Conformance items not applicable here
//
//   - VZ-005 (100 MB upload, 5000 vectors per HTTP request): there is no upload; the CLI
//     reads ndjson files as a stream in batches of at most 5000 (default 1000).
//   - VZ-002 (Float32Array/Float64Array): Go callers pass []float32; a []float64 source is
//     converted by the caller, which is what the platform does on ingest.
//   - VZ-008, VZ-009, VZ-017, VZ-019 for v1 indexes: only v2 indexes exist locally (the
//     platform no longer creates v1 indexes), so the v1 limits, the v1 boolean returnMetadata,
//     the v1 queryById refusal and the v1 describe shape have nothing to apply to.
//   - VZ-020 "Status + N" form: it reports an HTTP failure of the platform's service, which a
//     local index does not have.
//   - VZ-021 is what this package is: a local index with the platform's semantics, writable.
//
// Every other item of the checklist's Vectorize section has a test named after its id in
// package vectorizetest (run against every driver) or in the driver packages.
//
// # Speed
//
// Vectors are float32, normalised once on write for cosine, compared with unrolled loops.
// Queries over at most a few thousand candidates are exact scans; larger ones use the HNSW
// graph (16 links per node, 32 on the base layer, beam 64 at query time). Filtered queries
// first collect the matching vectors (from per-value lists for $eq and $in, by scanning
// otherwise), scan them exactly when few, and otherwise walk the graph restricted to them,
// stepping over non-matching neighbours to theirs, which keeps filtered queries close to
// unfiltered ones in cost and recall. The sqlite driver snapshots the graph to disk so that
// opening an index does not rebuild it; writes after the last snapshot are replayed from
// the database. The bench/vectorize command measures all of this against chromem-go.
package vectorize
