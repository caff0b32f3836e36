package disk

// The bucket directory's layout. Blob files are named by random ids, never by keys, so no
// key can reach a path outside the bucket.
const (
	indexFile = "index.sqlite"
	blobsDir  = "blobs"
	tmpDir    = "tmp"
)

// Keys are stored as BLOBs so that any key compares bytewise, as the platform orders
// them. objects.parts lists an object's blob files as "id:size;id:size"; a small object
// keeps its bytes in an inline_data row instead (see Options.InlineLimit), apart from
// the metadata so that lookups and listings stay on small rows. blobs holds every
// committed blob id: a file in blobs/ that is not listed there is garbage.
const schema = `
CREATE TABLE IF NOT EXISTS objects (
	key           BLOB PRIMARY KEY,
	version       TEXT NOT NULL,
	size          INTEGER NOT NULL,
	etag          TEXT NOT NULL,
	uploaded      INTEGER NOT NULL,
	storage_class TEXT NOT NULL,
	checksums     TEXT NOT NULL,
	http          TEXT NOT NULL,
	custom        TEXT NOT NULL,
	parts         TEXT NOT NULL,
	inline        INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inline_data (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (
	id            TEXT PRIMARY KEY,
	key           BLOB NOT NULL,
	state         INTEGER NOT NULL,
	created       INTEGER NOT NULL,
	http          TEXT NOT NULL,
	custom        TEXT NOT NULL,
	storage_class TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (key, created, id);
CREATE TABLE IF NOT EXISTS parts (
	upload_id TEXT NOT NULL,
	number    INTEGER NOT NULL,
	blob      TEXT NOT NULL,
	size      INTEGER NOT NULL,
	etag      TEXT NOT NULL,
	md5       TEXT NOT NULL,
	uploaded  INTEGER NOT NULL,
	PRIMARY KEY (upload_id, number)
) WITHOUT ROWID;
`

const recordColumns = "key, version, size, etag, uploaded, storage_class, checksums, http, custom, parts"
