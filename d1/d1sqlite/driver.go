package d1sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/internal/bookmark"
	"github.com/flarego/flarego/internal/sqlitedb"
)

// Options tune a Driver. The zero value is the platform's behaviour with history kept for
// 30 days.
type Options struct {
	// Readers is the number of connections that run reads beside the writer; 0 means one
	// per CPU, at least 2.
	Readers int
	// Retention is how long Time Travel history is kept (D1-039); 0 means 30 days, the
	// platform's figure on paid plans, and a negative value keeps no history. In-memory
	// databases keep none.
	Retention time.Duration
	// QueryTimeout bounds each statement (D1-027: 30 s); 0 means 30 s, negative none. It and
	// the end of a query's context are noticed within a quarter of a second (or a quarter of
	// the timeout, if shorter).
	QueryTimeout time.Duration
	// Full makes every commit fsync (see internal/sqlitedb), surviving power loss too.
	Full bool
	// CaptureInterval is how often history looks for commits made outside this driver
	// (through SQL() or by another process); 0 means one second.
	CaptureInterval time.Duration
	// NoResultCache turns off the cache of read results (see the package documentation);
	// false, the zero value, keeps it on for databases on disk.
	NoResultCache bool
}

const (
	defaultRetention = 30 * 24 * time.Hour
	defaultTimeout   = 30 * time.Second
)

// Driver is the embedded D1 driver: one SQLite database, on disk (WAL) or in memory. Reads
// run on a pool of connections beside the single writer. The zero value is not usable; use
// Open, OpenDir or OpenMemory.
type Driver struct {
	path    string // "" in memory
	dsn     string // for SQL()
	key     []byte // bookmark key: the database's identity
	timeout time.Duration

	pools   []*sql.DB
	readers chan *conn
	all     []*conn
	w       *writer
	hist    *history     // nil: no Time Travel
	file    *sharedFile  // nil in memory
	cache   *resultCache // nil: no result cache

	plans     planCache
	seq       atomic.Uint64 // commits, for bookmarks when there is no history
	lastRowID atomic.Int64
	size      atomic.Int64
	pageSize  int64

	// commitTimes are the times commits through SQL() were made, oldest first, for the
	// history to number them with.
	commitMu    sync.Mutex
	commitTimes []int64

	sqlOnce sync.Once
	sqlDB   *sql.DB
	sqlErr  error

	closed    atomic.Bool
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	closeErr  error
}

var (
	_ d1.Driver       = (*Driver)(nil)
	_ d1.TimeTraveler = (*Driver)(nil)
	_ d1.SQLOpener    = (*Driver)(nil)
)

// FileName is the file that holds database id inside a state directory: the SHA-256 of the
// id in hex, plus ".sqlite", so that any id (spaces, slashes) is a safe name (D1-049). The
// id is also recorded inside the file, in the reserved _cf_KV table.
func FileName(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:]) + ".sqlite"
}

// OpenDir opens database id in dir, creating both when missing, at
// filepath.Join(dir, FileName(id)). Its history, when kept, is beside it in a directory
// named after the file with ".history" added.
func OpenDir(dir, id string, opts Options) (*Driver, error) {
	if id == "" {
		return nil, errors.New("d1sqlite: empty database id")
	}
	d, err := open(filepath.Join(dir, FileName(id)), id, opts)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// OpenDatabase opens database id in dir as a ready binding: what the runner puts in a
// worker's Env for a d1_databases entry and what local tooling ("d1 execute --local",
// migrations, export) opens to reach the same data. Close the Database to close the file.
func OpenDatabase(dir, id string, opts Options) (*d1.Database, error) {
	d, err := OpenDir(dir, id, opts)
	if err != nil {
		return nil, err
	}
	return d1.New(d), nil
}

// Open opens (creating it when missing) the database file at path.
func Open(path string, opts Options) (*Driver, error) {
	if path == "" {
		return nil, errors.New("d1sqlite: empty path (use OpenMemory)")
	}
	return open(path, "", opts)
}

var memories atomic.Int64

// OpenMemory opens a private in-memory database, gone when closed. It keeps no history.
func OpenMemory(opts Options) (*Driver, error) {
	name := fmt.Sprintf("/d1-memory-%d-%s", memories.Add(1), randomHex(8))
	dsn := "file:" + name + "?vfs=memdb&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)"
	d := &Driver{dsn: dsn, key: []byte(name), timeout: timeout(opts), done: make(chan struct{})}
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	d.pools = []*sql.DB{w, r}
	if err := d.start(w, r, readers(opts), nil); err != nil {
		d.closePools()
		return nil, err
	}
	if err := d.identify(""); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func open(path, id string, opts Options) (*Driver, error) {
	db, err := sqlitedb.Open(path, sqlitedb.Options{Full: opts.Full, Readers: readers(opts)})
	if err != nil {
		return nil, fmt.Errorf("d1sqlite: %w", err)
	}
	d := &Driver{path: path, timeout: timeout(opts), pools: []*sql.DB{db.Write, db.Read}, done: make(chan struct{})}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(ON)", "temp_store(MEMORY)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	keep := opts.Retention >= 0
	if keep {
		q.Add("_pragma", "wal_autocheckpoint(0)")
	}
	d.dsn = "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	d.file = joinFile(path)
	if !opts.NoResultCache {
		d.cache = newResultCache(d.file)
	}
	var wpragmas []string
	if keep {
		wpragmas = append(wpragmas, "PRAGMA wal_autocheckpoint=0")
	}
	if err := d.start(db.Write, db.Read, readers(opts), wpragmas); err != nil {
		d.closePools()
		d.file.leave()
		return nil, err
	}
	if err := d.identify(id); err != nil {
		d.Close()
		return nil, err
	}
	if keep {
		retention := opts.Retention
		if retention == 0 {
			retention = defaultRetention
		}
		if err := d.startHistory(retention, opts.CaptureInterval); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

func readers(opts Options) int {
	if opts.Readers > 0 {
		return opts.Readers
	}
	return max(runtime.GOMAXPROCS(0), 2)
}

func timeout(opts Options) time.Duration {
	switch {
	case opts.QueryTimeout < 0:
		return 0
	case opts.QueryTimeout == 0:
		return defaultTimeout
	}
	return opts.QueryTimeout
}

// start takes the connections out of the pools and starts the writer.
func (d *Driver) start(wpool, rpool *sql.DB, n int, wpragmas []string) error {
	ctx := context.Background()
	wc, err := hold(ctx, wpool, wpragmas...)
	if err != nil {
		return fmt.Errorf("d1sqlite: open: %w", err)
	}
	d.all = append(d.all, wc)
	d.readers = make(chan *conn, n)
	for range n {
		// A statement the authorizer did not report as a write fails on a reader and goes
		// to the writer (Query).
		c, err := hold(ctx, rpool, "PRAGMA query_only = 1")
		if err != nil {
			return fmt.Errorf("d1sqlite: open: %w", err)
		}
		d.all = append(d.all, c)
		d.readers <- c
	}
	err = wc.raw(func(dc driver.Conn) error {
		if err := wc.ints(ctx, dc, "PRAGMA page_size", &d.pageSize); err != nil {
			return err
		}
		_, err := d.refreshSize(dc)
		return err
	})
	if err != nil {
		return fmt.Errorf("d1sqlite: open: %w", err)
	}
	d.w = newWriter(d, wc)
	go d.watchdog()
	return nil
}

// identify records the database id in the reserved _cf_KV table (where the platform keeps
// its own data) and refuses a file that belongs to another id. The key for bookmarks is
// kept there too.
func (d *Driver) identify(id string) error {
	return d.system(context.Background(), func(c *conn, dc driver.Conn) error {
		if err := c.exec(bg, dc, `CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID`); err != nil {
			return err
		}
		get := func(key string) (string, error) {
			s, err := c.sysStmt(bg, dc, `SELECT value FROM _cf_KV WHERE key = ?`)
			if err != nil {
				return "", err
			}
			rs, err := s.(driver.StmtQueryContext).QueryContext(bg, []driver.NamedValue{{Ordinal: 1, Value: key}})
			if err != nil {
				return "", err
			}
			defer rs.Close()
			row := make([]driver.Value, 1)
			if rs.Next(row) != nil {
				return "", nil
			}
			switch v := row[0].(type) {
			case string:
				return v, nil
			case []byte:
				return string(v), nil
			}
			return "", nil
		}
		put := func(key, value string) error {
			s, err := c.sysStmt(bg, dc, `INSERT OR REPLACE INTO _cf_KV (key, value) VALUES (?, ?)`)
			if err != nil {
				return err
			}
			_, err = s.(driver.StmtExecContext).ExecContext(bg, []driver.NamedValue{{Ordinal: 1, Value: key}, {Ordinal: 2, Value: value}})
			return err
		}
		stored, err := get("flarego.database_id")
		if err != nil {
			return err
		}
		switch {
		case stored == "" && id != "":
			if err := put("flarego.database_id", id); err != nil {
				return err
			}
		case stored != "" && id != "" && stored != id:
			return fmt.Errorf("d1sqlite: %s holds database %q, not %q", d.path, stored, id)
		}
		key, err := get("flarego.bookmark_key")
		if err != nil {
			return err
		}
		if key == "" {
			key = randomHex(16)
			if err := put("flarego.bookmark_key", key); err != nil {
				return err
			}
		}
		d.key = []byte(key)
		return nil
	})
}

// system runs fn in a transaction of its own on the write connection, with the driver's
// privileges.
func (d *Driver) system(ctx context.Context, fn func(c *conn, dc driver.Conn) error) error {
	return d.w.submit(&writeOp{ctx: ctx, mode: opTx, fn: func(t *wtx) error { return fn(t.w.c, t.dc) }})
}

// refreshSize reads the database size after a commit.
func (d *Driver) refreshSize(dc driver.Conn) (int64, error) {
	var pages int64
	if err := d.w0().ints(bg, dc, "PRAGMA page_count", &pages); err != nil {
		return 0, err
	}
	size := pages * d.pageSize
	d.size.Store(size)
	return size, nil
}

// w0 is the write connection (also before the writer starts).
func (d *Driver) w0() *conn { return d.all[0] }

// noteCommit moves the bookmark on after a commit: into the history when one is kept. It
// returns the database size in pages when the log told it (0 otherwise).
func (d *Driver) noteCommit(dc driver.Conn) (int64, error) {
	if d.hist != nil {
		return d.hist.track(dc)
	}
	d.seq.Add(1)
	return 0, nil
}

// Bookmark returns the bookmark of the newest committed state (D1-036, D1-038).
func (d *Driver) Bookmark(ctx context.Context) (string, error) {
	if d.hist != nil {
		return bookmark.Format(d.key, d.hist.latest()), nil
	}
	return bookmark.Format(d.key, d.seq.Load()), nil
}

// noteExternalCommit records the time of a commit made through SQL().
func (d *Driver) noteExternalCommit() int32 {
	d.commitMu.Lock()
	if len(d.commitTimes) < 4096 {
		d.commitTimes = append(d.commitTimes, time.Now().UnixNano())
	}
	d.commitMu.Unlock()
	return 0
}

func (d *Driver) popCommitTime() (int64, bool) {
	d.commitMu.Lock()
	defer d.commitMu.Unlock()
	if len(d.commitTimes) == 0 {
		return 0, false
	}
	t := d.commitTimes[0]
	d.commitTimes = d.commitTimes[1:]
	return t, true
}

// dropCommitTimes forgets times no commit in the log claimed (a commit that failed after its
// hook ran).
func (d *Driver) dropCommitTimes() {
	d.commitMu.Lock()
	d.commitTimes = d.commitTimes[:0]
	d.commitMu.Unlock()
}

// Path returns the database file, or "" in memory.
func (d *Driver) Path() string { return d.path }

// Close waits for the writes in progress, records the last of them in the history, and
// closes the database.
func (d *Driver) Close() error {
	d.closeOnce.Do(func() {
		d.closed.Store(true)
		close(d.done)
		if d.w != nil {
			d.w.close()
		}
		if d.hist != nil {
			if err := d.w0().raw(d.hist.close); err != nil {
				d.closeErr = err
			}
		}
		if d.sqlDB != nil {
			d.sqlDB.Close()
		}
		if err := d.closePools(); err != nil && d.closeErr == nil {
			d.closeErr = err
		}
		d.cache.disable()
		d.file.leave()
	})
	return d.closeErr
}

func (d *Driver) closePools() error {
	// Wait for the reads in progress: every reader back in the channel.
	for range len(d.all) - 1 {
		<-d.readers
	}
	for _, c := range d.all {
		c.close()
	}
	var err error
	for i := len(d.pools) - 1; i >= 0; i-- {
		if e := d.pools[i].Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
