package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is one SQLite database opened for a driver: a single-connection write pool and a
// read pool. Close closes both.
type DB struct {
	// Write has exactly one connection; run every write through it.
	Write *sql.DB
	// Read runs queries beside the writer (WAL). For an in-memory database it is Write.
	Read *sql.DB
	// Path is the file, or "" for an in-memory database.
	Path string
}

// Options tune Open. The zero value is the project's default.
type Options struct {
	// Full makes every commit fsync (synchronous=FULL) instead of relying on the OS page
	// cache (synchronous=NORMAL): survives power loss as well as process crashes.
	Full bool
	// Readers is the size of the read pool; 0 means one per CPU, at least 2. Ignored when
	// Exclusive is set.
	Readers int
	// Exclusive holds the file's lock from Open until Close (locking_mode=EXCLUSIVE): no
	// other connection, in this process or another, can use the database meanwhile, and in
	// exchange a transaction skips the shared-memory locks WAL takes otherwise (several
	// system calls each, about a tenth of a one-row commit). The DB has one connection: Read
	// is Write. Open fails with an error wrapping ErrLocked when another connection holds the
	// file for longer than LockWait.
	Exclusive bool
	// LockWait is how long Open waits for an Exclusive database held elsewhere; 0 means the
	// busy timeout every connection has, 10 s.
	LockWait time.Duration
}

// ErrLocked is wrapped by the error of an Exclusive Open of a database another connection
// holds.
var ErrLocked = errors.New("sqlitedb: database is locked by another connection")

// Open opens, creating it and its directory when missing, the database file at path.
// An empty path opens a private in-memory database.
func Open(path string, opts Options) (*DB, error) {
	if path == "" {
		return OpenMemory()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("sqlitedb: create directory for %s: %w", path, err)
	}
	sync := "NORMAL"
	if opts.Full {
		sync = "FULL"
	}
	q := url.Values{}
	busy := "busy_timeout(10000)"
	if opts.Exclusive {
		q.Add("_pragma", "locking_mode(EXCLUSIVE)")
		if opts.LockWait > 0 {
			busy = fmt.Sprintf("busy_timeout(%d)", opts.LockWait.Milliseconds())
		}
	}
	for _, p := range []string{
		"synchronous(" + sync + ")",
		busy,
		"foreign_keys(ON)",
		"temp_store(MEMORY)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()

	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// journal_mode runs here, after the DSN's pragmas (which the driver runs in its own
	// order): under synchronous=NORMAL, since switching a new file to WAL under the default
	// FULL costs several fsyncs of a rollback journal; and after locking_mode=EXCLUSIVE,
	// which then keeps the WAL index in this connection's memory instead of a -shm file.
	setup := "PRAGMA journal_mode=WAL"
	if opts.Exclusive {
		// Take the lock now, so that a database held elsewhere fails here and not at the
		// first statement. An empty write transaction writes nothing.
		setup += "; BEGIN IMMEDIATE; COMMIT"
	}
	if _, err := w.ExecContext(context.Background(), setup); err != nil {
		w.Close()
		if opts.Exclusive && isBusy(err) {
			err = fmt.Errorf("%w: %w", ErrLocked, err)
		}
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	if opts.Exclusive {
		return &DB{Write: w, Read: w, Path: path}, nil
	}

	readers := opts.Readers
	if readers <= 0 {
		readers = max(runtime.GOMAXPROCS(0), 2)
	}
	rq := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(ON)", "temp_store(MEMORY)"} {
		rq.Add("_pragma", p)
	}
	r, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)
	return &DB{Write: w, Read: r, Path: path}, nil
}

// OpenMemory opens a private in-memory database: one connection, gone when closed.
func OpenMemory() (*DB, error) {
	w, err := sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(ON)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: open memory: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(context.Background()); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlitedb: open memory: %w", err)
	}
	return &DB{Write: w, Read: w}, nil
}

// Close closes both pools. A WAL database is checkpointed by SQLite when its last
// connection closes.
func (db *DB) Close() error {
	var err error
	if db.Read != db.Write {
		err = db.Read.Close()
	}
	if e := db.Write.Close(); e != nil && err == nil {
		err = e
	}
	return err
}

// Size is the database size in bytes (page_count × page_size).
func (db *DB) Size(ctx context.Context) (int64, error) {
	var pages, size int64
	if err := db.Read.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, err
	}
	if err := db.Read.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		return 0, err
	}
	return pages * size, nil
}

// isBusy reports whether err is SQLite's SQLITE_BUSY.
func isBusy(err error) bool {
	var se interface{ Code() int }
	return errors.As(err, &se) && se.Code()&0xff == 5
}
