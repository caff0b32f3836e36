package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/flarego/flarego/internal/sqlitedb"
	"github.com/flarego/flarego/vectorize"
)

// CatalogFile is the catalog database inside a catalog directory.
const CatalogFile = "catalog.sqlite"

// Catalog is the set of indexes under one directory, what the runner keeps under
// `<persist-to>/vectorize`:
//
//	catalog.sqlite        names, configurations, and the names of deleted indexes
//	<name>/index.sqlite   the vectors of index <name>
//	<name>/graph.snap     its search graph snapshot
//
// An index opened through the catalog is shared: every binding and CLI call for the same
// name in this process uses one driver. The zero value is not usable; call
// OpenCatalog.
type Catalog struct {
	dir  string
	db   *sqlitedb.DB
	opts Options

	mu      sync.Mutex
	drivers map[string]*Driver
	closed  bool
}

// OpenCatalog opens (creating when missing) the catalog in dir; "" keeps every index in
// memory, for runs without persistence.
func OpenCatalog(dir string, opts Options) (*Catalog, error) {
	var db *sqlitedb.DB
	var err error
	if dir == "" {
		db, err = sqlitedb.OpenMemory()
	} else {
		db, err = sqlitedb.Open(filepath.Join(dir, CatalogFile), sqlitedb.Options{})
	}
	if err != nil {
		return nil, err
	}
	if _, err := db.Write.Exec(`CREATE TABLE IF NOT EXISTS indexes (
		name        TEXT PRIMARY KEY,
		dimensions  INTEGER NOT NULL,
		metric      TEXT NOT NULL,
		description TEXT NOT NULL,
		created_on  INTEGER NOT NULL,
		modified_on INTEGER NOT NULL,
		deleted_on  INTEGER
	)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("vectorize/sqlite: catalog schema: %w", err)
	}
	return &Catalog{dir: dir, db: db, opts: opts, drivers: map[string]*Driver{}}, nil
}

// Dir is the catalog's directory ("" in memory).
func (c *Catalog) Dir() string { return c.dir }

func notFound(name string) error {
	return &vectorize.Error{Code: 3000, Message: fmt.Sprintf("vectorize index %q not found", name), Err: vectorize.ErrIndexNotFound}
}

func (c *Catalog) indexDir(name string) string {
	if c.dir == "" {
		return ""
	}
	return filepath.Join(c.dir, name)
}

// Create makes an index (VZ-001): name, dimensions (1..1536) and metric are fixed from now
// on. A name in use, or once used by a deleted index, fails with vectorize.ErrIndexExists.
func (c *Catalog) Create(ctx context.Context, cfg vectorize.Config) (vectorize.Config, error) {
	if cfg.Name == "" {
		return vectorize.Config{}, &vectorize.Error{Message: "an index needs a name", Err: vectorize.ErrInvalidConfig}
	}
	if err := cfg.Validate(); err != nil {
		return vectorize.Config{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return vectorize.Config{}, vectorize.ErrClosed
	}
	var deleted sql.NullInt64
	err := c.db.Write.QueryRowContext(ctx, "SELECT deleted_on FROM indexes WHERE name = ?", cfg.Name).Scan(&deleted)
	switch {
	case err == nil && deleted.Valid:
		return vectorize.Config{}, &vectorize.Error{Code: 3002, Message: fmt.Sprintf("vectorize index %q was deleted; its name cannot be reused", cfg.Name), Err: vectorize.ErrIndexExists}
	case err == nil:
		return vectorize.Config{}, &vectorize.Error{Code: 3002, Message: fmt.Sprintf("vectorize index %q already exists", cfg.Name), Err: vectorize.ErrIndexExists}
	case !errors.Is(err, sql.ErrNoRows):
		return vectorize.Config{}, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	cfg.CreatedOn, cfg.ModifiedOn = now, now
	dir := c.indexDir(cfg.Name)
	if dir != "" {
		// Leftovers of a crash between creating files and recording the index.
		os.RemoveAll(dir)
	}
	d, err := Create(ctx, dir, cfg, c.opts)
	if err != nil {
		return vectorize.Config{}, err
	}
	if _, err := c.db.Write.ExecContext(ctx, "INSERT INTO indexes (name, dimensions, metric, description, created_on, modified_on) VALUES (?, ?, ?, ?, ?, ?)",
		cfg.Name, cfg.Dimensions, string(cfg.Metric), cfg.Description, now.UnixMilli(), now.UnixMilli()); err != nil {
		d.Close()
		return vectorize.Config{}, err
	}
	c.drivers[cfg.Name] = d
	return cfg, nil
}

// List returns the indexes, sorted by name.
func (c *Catalog) List(ctx context.Context) ([]vectorize.Config, error) {
	rows, err := c.db.Read.QueryContext(ctx, "SELECT name, dimensions, metric, description, created_on, modified_on FROM indexes WHERE deleted_on IS NULL ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []vectorize.Config{}
	for rows.Next() {
		var cfg vectorize.Config
		var created, modified int64
		if err := rows.Scan(&cfg.Name, &cfg.Dimensions, &cfg.Metric, &cfg.Description, &created, &modified); err != nil {
			return nil, err
		}
		cfg.CreatedOn, cfg.ModifiedOn = time.UnixMilli(created).UTC(), time.UnixMilli(modified).UTC()
		out = append(out, cfg)
	}
	return out, rows.Err()
}

// Get returns one index's configuration, or an error wrapping vectorize.ErrIndexNotFound.
func (c *Catalog) Get(ctx context.Context, name string) (vectorize.Config, error) {
	var cfg vectorize.Config
	var created, modified int64
	err := c.db.Read.QueryRowContext(ctx, "SELECT name, dimensions, metric, description, created_on, modified_on FROM indexes WHERE name = ? AND deleted_on IS NULL", name).
		Scan(&cfg.Name, &cfg.Dimensions, &cfg.Metric, &cfg.Description, &created, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		return vectorize.Config{}, notFound(name)
	}
	if err != nil {
		return vectorize.Config{}, err
	}
	cfg.CreatedOn, cfg.ModifiedOn = time.UnixMilli(created).UTC(), time.UnixMilli(modified).UTC()
	return cfg, nil
}

// Delete removes an index and its files. Its name stays reserved (VZ-001). Bindings to it
// fail with vectorize.ErrIndexNotFound from then on.
func (c *Catalog) Delete(ctx context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return vectorize.ErrClosed
	}
	res, err := c.db.Write.ExecContext(ctx, "UPDATE indexes SET deleted_on = ? WHERE name = ? AND deleted_on IS NULL", time.Now().UnixMilli(), name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(name)
	}
	if d, ok := c.drivers[name]; ok {
		delete(c.drivers, name)
		d.Close()
	}
	if dir := c.indexDir(name); dir != "" {
		return os.RemoveAll(dir)
	}
	return nil
}

// driver returns the shared driver of name, opening it on first use.
func (c *Catalog) driver(ctx context.Context, name string) (*Driver, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, vectorize.ErrClosed
	}
	if d, ok := c.drivers[name]; ok {
		return d, nil
	}
	if _, err := c.Get(ctx, name); err != nil {
		return nil, err
	}
	d, err := Open(ctx, c.indexDir(name), c.opts)
	if err != nil {
		return nil, err
	}
	c.drivers[name] = d
	return d, nil
}

// Index opens index name now (an error wraps vectorize.ErrIndexNotFound when it does not
// exist). Closing the returned Index leaves the shared driver open; Catalog.Close closes it.
func (c *Catalog) Index(ctx context.Context, name string) (*vectorize.Index, error) {
	d, err := c.driver(ctx, name)
	if err != nil {
		return nil, err
	}
	return vectorize.New(&handle{c: c, name: name, cfg: d.Config()}), nil
}

// Binding returns the Index for a config binding's index_name without opening it: the index
// opens on first use, so the runner can start before `vectorize create` has run. Until the
// index exists, every call fails with vectorize.ErrIndexNotFound.
func (c *Catalog) Binding(name string) *vectorize.Index {
	return vectorize.NewLazy(func(ctx context.Context) (vectorize.Driver, error) {
		d, err := c.driver(ctx, name)
		if err != nil {
			return nil, err
		}
		return &handle{c: c, name: name, cfg: d.Config()}, nil
	})
}

// Close closes every open index (writing their graph snapshots) and the catalog.
func (c *Catalog) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	var err error
	for name, d := range c.drivers {
		if e := d.Close(); e != nil && err == nil {
			err = e
		}
		delete(c.drivers, name)
	}
	if e := c.db.Close(); e != nil && err == nil {
		err = e
	}
	return err
}
