package sqlite

const schema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS instances (
	id            TEXT PRIMARY KEY,
	gen           INTEGER NOT NULL,
	status        TEXT NOT NULL,
	params        BLOB,
	created       INTEGER NOT NULL,
	started       INTEGER NOT NULL,
	ended         INTEGER NOT NULL,
	paused        INTEGER NOT NULL,
	wake_at       INTEGER,
	queued        INTEGER NOT NULL,
	output        BLOB,
	error_name    TEXT,
	error_message TEXT,
	event_bytes   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS instances_wake ON instances (queued, wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS instances_created ON instances (created, id);
CREATE TABLE IF NOT EXISTS steps (
	instance_id   TEXT NOT NULL,
	kind          TEXT NOT NULL,
	name          TEXT NOT NULL,
	occurrence    INTEGER NOT NULL,
	seq           INTEGER NOT NULL,
	done_seq      INTEGER NOT NULL,
	state         TEXT NOT NULL,
	config        BLOB,
	started       INTEGER NOT NULL,
	ended         INTEGER NOT NULL,
	wake_at       INTEGER NOT NULL,
	event_type    TEXT NOT NULL,
	output        BLOB,
	error_name    TEXT,
	error_message TEXT,
	attempts      BLOB,
	PRIMARY KEY (instance_id, kind, name, occurrence)
);
CREATE INDEX IF NOT EXISTS steps_waiting ON steps (instance_id, event_type) WHERE state = 'waiting' AND kind = 'waitForEvent';
CREATE TABLE IF NOT EXISTS events (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	instance_id TEXT NOT NULL,
	type        TEXT NOT NULL,
	payload     BLOB,
	ts          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_instance ON events (instance_id, type, seq);
`

const instanceCols = `id, gen, status, created, started, ended, paused, wake_at, queued, output, error_name, error_message, event_bytes`

const stepCols = `instance_id, kind, name, occurrence, seq, done_seq, state, config, started, ended, wake_at, event_type, output, error_name, error_message, attempts`

// Statements, prepared once per database.
const (
	qInstance = `SELECT ` + instanceCols + ` FROM instances WHERE id = ?`
	qParams   = `SELECT params FROM instances WHERE id = ?`
	qHead     = `SELECT gen, status FROM instances WHERE id = ?`
	qSteps    = `SELECT ` + stepCols + ` FROM steps WHERE instance_id = ? ORDER BY seq`
	qWaiting  = `SELECT 1 FROM steps WHERE instance_id = ? AND event_type = ? AND state = 'waiting' AND kind = 'waitForEvent' LIMIT 1`
	qCount    = `SELECT status, COUNT(*) FROM instances GROUP BY status`
	qDue      = `SELECT id FROM instances WHERE wake_at IS NOT NULL AND queued = ? AND wake_at <= ? ORDER BY queued, wake_at LIMIT ?`
	qNextWake = `SELECT MIN(wake_at) FROM instances WHERE wake_at IS NOT NULL AND queued = ? AND wake_at > ?`
	qMeta     = `SELECT value FROM meta WHERE key = ?`
	qInsert   = `INSERT INTO instances (id, gen, status, params, created, started, ended, paused, wake_at, queued, output, error_name, error_message, event_bytes)
	             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`
	qUpdate = `UPDATE instances SET gen = ?, status = ?, started = ?, ended = ?, paused = ?, wake_at = ?, queued = ?, output = ?,
	           error_name = ?, error_message = ?, event_bytes = ? WHERE id = ?`
	qDelete       = `DELETE FROM instances WHERE id = ?`
	qDeleteSteps  = `DELETE FROM steps WHERE instance_id = ?`
	qDeleteEvents = `DELETE FROM events WHERE instance_id = ?`
	qPutStep      = `INSERT OR REPLACE INTO steps (` + stepCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qAddEvent     = `INSERT INTO events (instance_id, type, payload, ts) VALUES (?, ?, ?, ?)`
	qFirstEvent   = `SELECT seq, payload, ts FROM events WHERE instance_id = ? AND type = ? ORDER BY seq LIMIT 1`
	qDeleteEvent  = `DELETE FROM events WHERE seq = ?`
	qSetMeta      = `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`
)
