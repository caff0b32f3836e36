package kvsqlite

// schema is version 1 of a namespace file.
//
// kv_entries is keyed by the key itself (WITHOUT ROWID), so a put of a small value writes one
// B-tree page and a get reads one: its rows hold the key, expiration, metadata and values up
// to inlineMax bytes. Larger values live in kv_blobs, a rowid table, where SQLite streams a
// 25 MiB blob through overflow pages far faster than inside a keyed row. The triggers delete
// a blob as soon as no entry points at it (overwrite, delete, purge, or a write by another
// process), so replaced values never leak (KV-040) and freed pages are reused.
//
// Keys compare with SQLite's BINARY collation: byte order, the platform's list order
// (KV-026). expiration is in Unix seconds, NULL for never; metadata is JSON text.
const schema = `
CREATE TABLE IF NOT EXISTS kv_entries (
	key        TEXT NOT NULL PRIMARY KEY,
	expiration INTEGER,
	metadata   TEXT,
	value      BLOB,
	blob_id    INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_entries_expiration ON kv_entries(expiration) WHERE expiration IS NOT NULL;
CREATE TABLE IF NOT EXISTS kv_blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS kv_entries_blob_replaced AFTER UPDATE OF blob_id ON kv_entries
	WHEN old.blob_id IS NOT NULL AND old.blob_id IS NOT new.blob_id
	BEGIN DELETE FROM kv_blobs WHERE id = old.blob_id; END;
CREATE TRIGGER IF NOT EXISTS kv_entries_blob_deleted AFTER DELETE ON kv_entries
	WHEN old.blob_id IS NOT NULL
	BEGIN DELETE FROM kv_blobs WHERE id = old.blob_id; END;
CREATE TABLE IF NOT EXISTS kv_namespace (id TEXT NOT NULL);
PRAGMA user_version = 1;
`

// inlineMax is the largest value kept in its kv_entries row; rows stay within one page's
// local payload, so listing and small reads never touch overflow pages.
const inlineMax = 512

const (
	sqlGet = `SELECT coalesce(e.value, b.data), e.expiration, e.metadata
		FROM kv_entries e LEFT JOIN kv_blobs b ON b.id = e.blob_id WHERE e.key = ?1`
	sqlGetIn = `SELECT e.key, coalesce(e.value, b.data), e.expiration, e.metadata
		FROM kv_entries e LEFT JOIN kv_blobs b ON b.id = e.blob_id
		WHERE e.key IN (SELECT value FROM json_each(?1)) AND (e.expiration IS NULL OR e.expiration > ?2)`
	// ?4 is the inline value or NULL, ?5 the kv_blobs row or NULL.
	sqlPut = `INSERT INTO kv_entries (key, expiration, metadata, value, blob_id) VALUES (?1, ?2, ?3, ?4, ?5)
		ON CONFLICT (key) DO UPDATE SET expiration = excluded.expiration,
			metadata = excluded.metadata, value = excluded.value, blob_id = excluded.blob_id`
	sqlPutBlob = `INSERT INTO kv_blobs (data) VALUES (?1)`
	sqlDelete  = `DELETE FROM kv_entries WHERE key = ?1`
	// Listing walks the key order from the lower bound; ?2 is the prefix's upper bound.
	sqlList = `SELECT key, expiration, metadata FROM kv_entries
		WHERE key >= ?1 AND (expiration IS NULL OR expiration > ?3) ORDER BY key LIMIT ?4`
	sqlListBounded = `SELECT key, expiration, metadata FROM kv_entries
		WHERE key >= ?1 AND key < ?2 AND (expiration IS NULL OR expiration > ?3) ORDER BY key LIMIT ?4`
	// Purging goes in chunks so that one commit never holds a huge delete.
	sqlPurge = `DELETE FROM kv_entries WHERE key IN
		(SELECT key FROM kv_entries WHERE expiration <= ?1 LIMIT 1000)`
	purgeChunk  = 1000
	sqlNextExp  = `SELECT min(expiration) FROM kv_entries WHERE expiration IS NOT NULL`
	sqlLiveSize = `SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()),
		(SELECT page_size FROM pragma_page_size())`
)
