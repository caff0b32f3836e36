package sqlite

// schema is one index's database. vectors holds the source of truth (raw values as
// little-endian float32, metadata and the indexed values as JSON); seq is the sequence number
// of the mutation that last wrote a row, which lets a snapshot of the in-memory engine be
// brought up to date by replaying rows with a higher seq. deleted remembers removed ids the
// same way. mutations keeps only its newest row: AUTOINCREMENT hands out sequence numbers
// and the last row answers describe().
const schema = `
CREATE TABLE IF NOT EXISTS config (
	k TEXT PRIMARY KEY,
	v TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS vectors (
	id        TEXT PRIMARY KEY,
	namespace TEXT NOT NULL,
	vals      BLOB NOT NULL,
	metadata  TEXT,
	indexed   TEXT,
	seq       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS vectors_seq ON vectors (seq);
CREATE TABLE IF NOT EXISTS deleted (
	id  TEXT PRIMARY KEY,
	seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deleted_seq ON deleted (seq);
CREATE TABLE IF NOT EXISTS mutations (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id  TEXT NOT NULL,
	at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS metadata_indexes (
	property TEXT PRIMARY KEY,
	type     TEXT NOT NULL,
	created  INTEGER NOT NULL
);
`
