// Package kvsqlite is the embedded, on-disk driver of the KV binding: one SQLite file per
// namespace, in WAL mode, with concurrent writes grouped into shared commits.
//
// Layout: a state directory holds one file per namespace id, named by FileName (the id's
// SHA-256 in hex plus ".sqlite"), with the tables
//
//	kv_entries(key TEXT PRIMARY KEY, expiration INTEGER, metadata TEXT, value BLOB, blob_id INTEGER)
//	kv_blobs(id INTEGER PRIMARY KEY, data BLOB)
//	kv_namespace(id TEXT)
//
// expiration is in seconds since the Unix epoch (NULL: never) and metadata is the JSON the
// key was put with. Values up to 512 bytes sit in their entry's row; larger ones in kv_blobs
// (blob_id), deleted by triggers when their entry goes. The sqlite3 shell can read a file
// while the runner has it open:
//
//	SELECT key, coalesce(e.value, b.data) FROM kv_entries e LEFT JOIN kv_blobs b ON b.id = e.blob_id;
//
// Durability: a Put, Delete or bulk write returns after its commit; a process killed at any
// point afterwards keeps it (WAL with synchronous=NORMAL; Options.Full adds an fsync per
// commit for power loss). Several processes may use one file at once, for example the
// runner and the CLI: SQLite's locking and a busy timeout serialise their writes.
//
// Expired keys are invisible at once and deleted by the Namespace's background purge.
package kvsqlite
