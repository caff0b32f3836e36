package disk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/flarego/flarego/internal/groupcommit"
	"github.com/flarego/flarego/internal/sqlitedb"
	"github.com/flarego/flarego/r2"
)

// Options tune a disk driver. The zero value is the default.
type Options struct {
	// Sync makes every write survive power loss as well as process crashes: each blob and
	// its directory are fsynced before the index commit, which itself is fsynced
	// (synchronous=FULL). Without it a write survives the process being killed at any
	// point, like the project's other SQLite stores.
	Sync bool
	// InlineLimit is the largest object kept in the index instead of a file of its own;
	// 0 means DefaultInlineLimit, negative means never. Small objects then cost no file
	// creation on put and no open on get. Multipart parts are always files.
	InlineLimit int
	// NoReadCache turns off the cache of recently read small objects (false: on). The cache
	// is exact for this process's writes and sees another process's within 100 ms.
	NoReadCache bool
}

// DefaultInlineLimit is the default Options.InlineLimit.
const DefaultInlineLimit = 32 << 10

// Driver is the embedded r2.Driver: blobs as files under the bucket's directory, the
// index in SQLite. Create one with Open; it is safe for concurrent use.
type Driver struct {
	dir  string
	opts Options
	db   *sqlitedb.DB
	gc   *groupcommit.Committer

	getStmt  *sql.Stmt // a record
	openStmt *sql.Stmt // a record and its inline bytes
	ws       *writeStmts

	inlineLimit int
	inline      sync.Map // blob id → *[]byte: small blobs closed but not yet committed
	// cache serves hot small objects (readcache.go); nil with Options.NoReadCache.
	cache *readCache

	// gate orders Open's read-and-pin against the freeing of replaced blobs: a reader
	// pins what it read before the blob can be removed.
	gate   sync.RWMutex
	pins   pinSet
	shards sync.Map // shard directories known to exist

	closed   atomic.Bool
	stop     context.CancelFunc
	sweeping sync.WaitGroup
}

var (
	_ r2.Driver          = (*Driver)(nil)
	_ r2.MultipartDriver = (*Driver)(nil)
)

// Open opens, creating it when missing, the bucket stored in dir, and starts a
// background sweep of leftovers from earlier crashes and of expired multipart uploads.
func Open(dir string, opts Options) (*Driver, error) {
	for _, sub := range []string{blobsDir, tmpDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("r2/disk: %w", err)
		}
	}
	db, err := sqlitedb.Open(filepath.Join(dir, indexFile), sqlitedb.Options{Full: opts.Sync})
	if err != nil {
		return nil, fmt.Errorf("r2/disk: %w", err)
	}
	if _, err := db.Write.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("r2/disk: create schema: %w", err)
	}
	get, err := db.Read.Prepare("SELECT " + recordColumns + " FROM objects WHERE key = ?")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("r2/disk: %w", err)
	}
	open, err := db.Read.Prepare("SELECT " + prefixed("o.", recordColumns) + ", i.data FROM objects o LEFT JOIN inline_data i ON i.id = o.inline WHERE o.key = ?")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("r2/disk: %w", err)
	}
	// One write connection: a larger page cache keeps the index's hot pages in memory.
	if _, err := db.Write.Exec("PRAGMA cache_size = -16384"); err != nil {
		db.Close()
		return nil, fmt.Errorf("r2/disk: %w", err)
	}
	ws, err := prepareWrites(db.Write)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("r2/disk: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	d := &Driver{dir: dir, opts: opts, db: db, gc: groupcommit.New(db.Write), getStmt: get, openStmt: open, ws: ws, stop: stop}
	switch {
	case opts.InlineLimit == 0:
		d.inlineLimit = DefaultInlineLimit
	case opts.InlineLimit > 0:
		d.inlineLimit = opts.InlineLimit
	}
	if !opts.NoReadCache {
		d.cache = newReadCache(db.Path)
	}
	d.pins.init()
	d.sweeping.Add(1)
	go func() {
		defer d.sweeping.Done()
		d.sweep(ctx)
	}()
	return d, nil
}

// OpenBucket opens the bucket stored in dir as a binding.
func OpenBucket(dir string, opts Options, bucket r2.Options) (*r2.Bucket, error) {
	d, err := Open(dir, opts)
	if err != nil {
		return nil, err
	}
	return r2.New(d, bucket), nil
}

// Dir is the bucket's directory.
func (d *Driver) Dir() string { return d.dir }

// Close waits for writes in progress, stops the sweep and closes the index. Readers
// already streaming keep their open files.
func (d *Driver) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	d.stop()
	d.sweeping.Wait()
	d.gc.Close()
	d.getStmt.Close()
	d.openStmt.Close()
	d.ws.close()
	return d.db.Close()
}

func (d *Driver) live() error {
	if d.closed.Load() {
		return r2.ErrClosed
	}
	return nil
}

// commit runs fn in a group-committed transaction; the error is fn's own, unwrapped, so
// callers can match the r2 sentinels.
func (d *Driver) commit(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if d.cache != nil {
		d.cache.writes.BeginWrite()
		defer d.cache.writes.EndWrite() // after gc.Do: the commit is visible
	}
	err := d.gc.Do(ctx, fn)
	if errors.Is(err, groupcommit.ErrClosed) {
		return r2.ErrClosed
	}
	return err
}

// prefixed qualifies each of a comma-separated list of columns.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
