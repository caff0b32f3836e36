package durableobject

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flarego/flarego/internal/sqlitedb"
)

// Driver keeps the stored state of Durable Objects: one SQLite database per object and one
// index database per namespace (object names and alarms). The Engine does everything else
// (instances, turns, gates, alarms, WebSockets) the same way over any Driver. Drivers:
// MemoryDriver (tests, --no-persist) and DirDriver (files on disk, the default). Every driver
// passes dotest.Run.
type Driver interface {
	// OpenObject opens the database of object id in namespace ns. With create false it
	// returns an error wrapping fs.ErrNotExist when the object has no stored state; created
	// reports that a new database was made.
	OpenObject(ctx context.Context, ns string, id ID, create bool) (h *Handle, created bool, err error)
	// RemoveObject erases the object's stored state. Its handle has been released.
	RemoveObject(ctx context.Context, ns string, id ID) error
	// OpenIndex opens the namespace's index database, creating it when missing.
	OpenIndex(ctx context.Context, ns string) (*Handle, error)
	// Namespaces lists the namespaces that have stored state, sorted.
	Namespaces(ctx context.Context) ([]string, error)
	// Close releases everything the driver holds.
	Close() error
}

// Handle is an open database given out by a Driver. Write holds exactly one connection;
// Read runs queries beside it and may be Write itself.
type Handle struct {
	Write   *sql.DB
	Read    *sql.DB
	release func() error
}

// NewHandle makes a Handle; release runs once, on Release.
func NewHandle(write, read *sql.DB, release func() error) *Handle {
	return &Handle{Write: write, Read: read, release: release}
}

// Release tells the driver the engine is done with the database for now. A persistent driver
// closes it; the memory driver keeps it, since closing would lose the data.
func (h *Handle) Release() error {
	if h.release == nil {
		return nil
	}
	r := h.release
	h.release = nil
	return r()
}

// MemoryDriver returns a driver that keeps every database in memory: state lives as long as
// the driver, and two drivers never share state.
func MemoryDriver() Driver { return &memDriver{dbs: map[string]*sqlitedb.DB{}} }

type memDriver struct {
	mu  sync.Mutex
	dbs map[string]*sqlitedb.DB // "ns/id" or "ns/" for the index
}

func (d *memDriver) open(key string, create bool) (*Handle, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dbs == nil {
		return nil, false, errors.New("durableobject: driver closed")
	}
	db, ok := d.dbs[key]
	if !ok {
		if !create {
			return nil, false, fmt.Errorf("durableobject: %s: %w", key, fs.ErrNotExist)
		}
		var err error
		if db, err = sqlitedb.OpenMemory(); err != nil {
			return nil, false, err
		}
		d.dbs[key] = db
	}
	return NewHandle(db.Write, db.Read, nil), !ok, nil
}

func (d *memDriver) OpenObject(_ context.Context, ns string, id ID, create bool) (*Handle, bool, error) {
	return d.open(ns+"/"+id.String(), create)
}

func (d *memDriver) OpenIndex(_ context.Context, ns string) (*Handle, error) {
	h, _, err := d.open(ns+"/", true)
	return h, err
}

func (d *memDriver) RemoveObject(_ context.Context, ns string, id ID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := ns + "/" + id.String()
	if db, ok := d.dbs[key]; ok {
		delete(d.dbs, key)
		return db.Close()
	}
	return nil
}

func (d *memDriver) Namespaces(context.Context) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for k := range d.dbs {
		if ns, ok := strings.CutSuffix(k, "/"); ok {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (d *memDriver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for _, db := range d.dbs {
		errs = append(errs, db.Close())
	}
	d.dbs = nil
	return errors.Join(errs...)
}

// DirDriver returns a driver that stores state under dir, one folder per namespace:
//
//	dir/<namespace>/index.sqlite    object names and alarms
//	dir/<namespace>/<id>.sqlite     one object's KV and SQL data (64 hex digits)
//
// The namespace folder is NamespaceDir of its unique key. Databases are in WAL mode with synchronous=NORMAL: a write
// acknowledged to the caller survives the process being killed.
func DirDriver(dir string) Driver { return &dirDriver{dir: dir} }

type dirDriver struct {
	dir string

	tplOnce sync.Once
	tpl     []byte // an empty database already in WAL mode
	tplErr  error
	dirs    sync.Map // namespace folders known to exist
}

// template returns the bytes of an empty database in WAL mode. A new object's file starts as
// a copy: switching a fresh file to WAL costs a rollback journal and several fsyncs, which
// would otherwise be paid by every object's first write.
func (d *dirDriver) template() ([]byte, error) {
	d.tplOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "durableobject-template-")
		if err != nil {
			d.tplErr = err
			return
		}
		defer os.RemoveAll(tmp)
		p := filepath.Join(tmp, "empty.sqlite")
		db, err := sqlitedb.Open(p, sqlitedb.Options{Readers: 1})
		if err != nil {
			d.tplErr = err
			return
		}
		if err := db.Close(); err != nil {
			d.tplErr = err
			return
		}
		d.tpl, d.tplErr = os.ReadFile(p)
	})
	return d.tpl, d.tplErr
}

// create writes a new object database from the template; an existing file is left alone.
func (d *dirDriver) create(p string) error {
	tpl, err := d.template()
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if _, ok := d.dirs.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		d.dirs.Store(dir, true)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = f.Write(tpl)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// NamespaceDir is the folder name a namespace's unique key gets under a DirDriver: the key
// itself, with bytes other than letters, digits, '-' and '_' written as %XX so that the name is
// safe on every file system and can be read back (a leading '.' is escaped too).
func NamespaceDir(uniqueKey string) string {
	var b strings.Builder
	for i := 0; i < len(uniqueKey); i++ {
		c := uniqueKey[i]
		if c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' && i > 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// namespaceFromDir reverses NamespaceDir.
func namespaceFromDir(name string) (string, bool) {
	s, err := url.PathUnescape(name)
	return s, err == nil && NamespaceDir(s) == name
}

func (d *dirDriver) objectPath(ns string, id ID) string {
	return filepath.Join(d.dir, NamespaceDir(ns), id.String()+".sqlite")
}

func (d *dirDriver) OpenObject(_ context.Context, ns string, id ID, create bool) (*Handle, bool, error) {
	p := d.objectPath(ns, id)
	created := false
	if _, err := os.Stat(p); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, err
		}
		if !create {
			return nil, false, fmt.Errorf("durableobject: %s: %w", p, fs.ErrNotExist)
		}
		if err := d.create(p); err != nil {
			return nil, false, err
		}
		created = true
	}
	db, err := openExclusive(p, id)
	if err != nil {
		return nil, false, err
	}
	return NewHandle(db.Write, db.Read, db.Close), created, nil
}

// objectLockWait bounds how long opening an object's database waits for another connection
// to let it go. In one engine that is a database the pool is closing, which takes
// milliseconds; past that it is another process.
const objectLockWait = 2 * time.Second

// openExclusive opens an object's database with one connection holding the file's lock: an
// object is single-threaded, and lives in one process at a time. Holding the lock spares
// every commit the WAL's shared-memory locking.
func openExclusive(p string, id ID) (*sqlitedb.DB, error) {
	db, err := sqlitedb.Open(p, sqlitedb.Options{Exclusive: true, LockWait: objectLockWait})
	if errors.Is(err, sqlitedb.ErrLocked) {
		return nil, fmt.Errorf("%w: %s", ErrInUse, id)
	}
	return db, err
}

func (d *dirDriver) RemoveObject(_ context.Context, ns string, id ID) error {
	p := d.objectPath(ns, id)
	if _, err := os.Stat(p); err == nil {
		// Refuse while another process has the object live (its files would vanish under it).
		db, err := openExclusive(p, id)
		if err != nil {
			return err
		}
		if err := db.Close(); err != nil {
			return err
		}
	}
	var errs []error
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(p + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (d *dirDriver) OpenIndex(_ context.Context, ns string) (*Handle, error) {
	db, err := sqlitedb.Open(filepath.Join(d.dir, NamespaceDir(ns), "index.sqlite"), sqlitedb.Options{})
	if err != nil {
		return nil, err
	}
	return NewHandle(db.Write, db.Read, db.Close), nil
}

func (d *dirDriver) Namespaces(context.Context) ([]string, error) {
	ents, err := os.ReadDir(d.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		ns, ok := namespaceFromDir(e.Name())
		if !ok {
			continue
		}
		if _, err := os.Stat(filepath.Join(d.dir, e.Name(), "index.sqlite")); err == nil {
			out = append(out, ns)
		}
	}
	return out, nil
}

func (d *dirDriver) Close() error { return nil }
