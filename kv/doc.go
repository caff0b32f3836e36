// Package kv is the Workers KV binding: a *Namespace that behaves like the platform's
// KVNamespace, over a small Driver that stores the data.
//
// A worker declares it in its Env and the runner fills it from the config's kv_namespaces:
//
//	type Env struct {
//		Cache *kv.Namespace `binding:"CACHE"`
//	}
//
//	v, err := env.Cache.GetText(ctx, "greeting")
//	if errors.Is(err, kv.ErrNotFound) { … }
//
// Unit tests put kv.NewMemory() in a struct-literal Env instead.
//
// # The platform's API in Go
//
//	get(key)                      Get ([]byte), GetText, GetJSON[T], GetStream (io.ReadCloser)
//	get(key, {cacheTtl})          any Get with WithCacheTTL(d)
//	getWithMetadata(key)          GetWithMetadata, GetWithMetadataJSON[T]
//	get([keys]) / "json"          GetBulk, GetBulkJSON[T]
//	getWithMetadata([keys])       GetBulkWithMetadata, GetBulkWithMetadataJSON[T]
//	put(key, value, options)      Put ([]byte), PutString, PutReader (a stream), PutJSON, with
//	                              WithExpiration, WithExpirationTTL, WithMetadata
//	delete(key)                   Delete
//	list({prefix, limit, cursor}) List (one page) and Keys (an iter.Seq2 over every page)
//
// A missing or expired key is ErrNotFound, the platform's null (KV-001): Go code tells "no
// value" from "empty value" without a third return, and errors.Is reads like the check a JS
// worker makes. Bulk reads, whose platform result maps missing keys to null, return maps
// with a nil entry for each missing key instead (KV-020). Time options are time.Time and
// time.Duration, counted in whole seconds as the platform counts them; list entries report
// Expiration as a time.Time (zero: none) and marshal to the platform's JSON.
//
// # Errors
//
// Every error the platform reports has its exact text here, so tests written against the
// platform keep passing: arguments the binding itself refuses are *TypeError values
// (ErrEmptyKey, ErrDotKey, ErrDotDotKey, ErrInvalidValue), and failures the service reports
// are *Error, whose Error() is "KV <METHOD> failed: <status> <text>", e.g.
//
//	KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.
//
// *Error also wraps a sentinel kind (ErrKeyTooLong, ErrValueTooLarge, ErrMetadataTooLarge,
// ErrInvalidExpiration, ErrInvalidCacheTTL, ErrInvalidListOptions, ErrBulkRequest,
// ErrBulkTooLarge, ErrInternal) for errors.Is, and a driver failure keeps its cause. Every
// operation first counts a subrequest against the running invocation (worker.Subrequest) and
// returns that error, unwrapped, when the budget is spent.
//
// # Limits
//
// Keys: not "", "." or ".." and at most 512 UTF-8 bytes. Values: at most 25 MiB, counted
// while streaming for PutReader, which never buffers more than the limit. Metadata: at most
// 1024 bytes of JSON. Expiration: at least 60 s ahead. Cache TTL: at least 60 s
// (Options.MinCacheTTL lowers it to the local simulator's 30 s). List pages: 1 to 1000 keys.
// Bulk reads: 1 to 100 keys and 25 MiB in all.
//
// # Drivers
//
// NewMemoryDriver keeps a namespace in memory. Package kvsqlite stores one namespace per
// SQLite file on disk and is what the runner uses; kvtest is the conformance suite every
// driver passes. Expired keys are invisible at once; a Namespace purges them in the
// background when its driver is a Purger. Local tooling (the CLI's kv commands) uses
// BulkPut, BulkDelete and WriteKeyList, which read and write the platform CLI's JSON files.
//
// # Conformance
//
// kvtest proves KV-001, 002, 004 to 021, 023 to 037, 039 and 040 for every driver, with the
// ID in each test's name; this package's tests prove KV-006 (driver failures) and KV-038 (the
// binding has no bulk write; BulkPut and BulkDelete are tooling functions). Not applicable:
//
//   - KV-003 and KV-022 (unknown value type): the type is chosen by the method called (Get,
//     GetText, GetJSON, GetStream; GetBulk, GetBulkJSON), so no other type can be asked for.
//   - The cacheStatus field of read and list results (KV-016, KV-030) is always null on a
//     local store, so Entry and ListResult leave it out.
//   - The production-only parts of KV-036 and KV-037: propagation delay between locations
//     and the limit of one write per second per key. A local store is strongly consistent
//     (an allowed subset; read-your-writes is tested) and does not throttle (last write wins
//     is tested).
//
// # Fake clocks
//
// Expiration uses the time package, so tests run it on testing/synctest's fake clock. A
// Namespace that sets expirations inside a bubble must be created in that bubble: its purge
// timer belongs to the bubble it was started in.
package kv
