package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/internal/groupcommit"
	"github.com/flarego/flarego/internal/sqlitedb"
	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/internal/bridge"
	"github.com/flarego/flarego/vectorize/internal/engine"
)

// File names inside an index directory.
const (
	DBFile       = "index.sqlite"
	SnapshotFile = "graph.snap"
)

// EngineOptions tune the search graph (links per node, candidate list sizes, the exact-scan
// threshold). The zero value is the default.
type EngineOptions = engine.Options

// Options tune a driver. The zero value is the default.
type Options struct {
	Engine EngineOptions
	// SnapshotEvery is how many written vectors trigger a background snapshot of the graph;
	// 0 means max(5000, half the index).
	SnapshotEvery int
	// Logger receives snapshot and recovery messages; nil discards them.
	Logger *slog.Logger
}

// Driver is a vectorize.Driver and vectorize.MetadataIndexer stored in one directory: a
// SQLite database holding the vectors (the source of truth, written durably before a call
// returns) and a snapshot of the in-memory search graph, so that opening a large index reads
// one file instead of rebuilding the graph. Writes made after the last snapshot are replayed
// from the database on open. The zero value is not usable; call Create or Open.
type Driver struct {
	cfg    vectorize.Config
	dir    string
	db     *sqlitedb.DB
	gc     *groupcommit.Committer
	eng    *engine.Engine
	metric engine.Metric
	opts   Options
	log    *slog.Logger
	// release unmaps the snapshot the engine was loaded from (nil when none).
	release func() error

	// closeMu is held shared by every operation and exclusively by Close.
	closeMu sync.RWMutex
	closed  bool
	// metaMu orders metadata index changes against writes: a write computes its indexed
	// values and applies them while no index change can slip in between.
	metaMu sync.RWMutex

	pmu     sync.Mutex
	pending map[uint64]int  // committed (or committing) writes not yet in the engine
	synced  uint64          // every write up to here, from any process, is in the engine
	applied map[uint64]bool // our writes in the engine beyond synced, waiting for the gap to close
	syncMu  sync.Mutex      // one catch-up at a time
	checked atomic.Int64    // unix nanos of the last look for other processes' writes

	changed  atomic.Int64 // vectors written since the last snapshot
	snapping atomic.Bool
	snapMu   sync.Mutex
	snapWG   sync.WaitGroup
}

// Create makes a new index in dir (created if missing; "" keeps it in memory). It fails with
// vectorize.ErrIndexExists when dir already holds one.
func Create(ctx context.Context, dir string, cfg vectorize.Config, opts Options) (*Driver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	if cfg.CreatedOn.IsZero() {
		cfg.CreatedOn = now
	}
	if cfg.ModifiedOn.IsZero() {
		cfg.ModifiedOn = cfg.CreatedOn
	}
	db, err := openDB(dir)
	if err != nil {
		return nil, err
	}
	if _, err := db.Write.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("vectorize/sqlite: create schema: %w", err)
	}
	if _, ok, err := readConfig(ctx, db.Write); err != nil || ok {
		db.Close()
		if err == nil {
			err = &vectorize.Error{Code: 3002, Message: fmt.Sprintf("an index already exists in %s", dir), Err: vectorize.ErrIndexExists}
		}
		return nil, err
	}
	if err := writeConfig(ctx, db.Write, cfg); err != nil {
		db.Close()
		return nil, err
	}
	return start(ctx, dir, db, cfg, opts)
}

// Open opens the index in dir. It fails with vectorize.ErrIndexNotFound when there is none.
func Open(ctx context.Context, dir string, opts Options) (*Driver, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, DBFile)); err != nil {
			return nil, &vectorize.Error{Code: 3000, Message: fmt.Sprintf("no index in %s", dir), Err: vectorize.ErrIndexNotFound}
		}
	}
	db, err := openDB(dir)
	if err != nil {
		return nil, err
	}
	if _, err := db.Write.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("vectorize/sqlite: schema: %w", err)
	}
	cfg, ok, err := readConfig(ctx, db.Read)
	if err == nil && !ok {
		err = &vectorize.Error{Code: 3000, Message: fmt.Sprintf("no index in %s", dir), Err: vectorize.ErrIndexNotFound}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return start(ctx, dir, db, cfg, opts)
}

func openDB(dir string) (*sqlitedb.DB, error) {
	if dir == "" {
		return sqlitedb.OpenMemory()
	}
	return sqlitedb.Open(filepath.Join(dir, DBFile), sqlitedb.Options{})
}

func start(ctx context.Context, dir string, db *sqlitedb.DB, cfg vectorize.Config, opts Options) (*Driver, error) {
	d := &Driver{cfg: cfg, dir: dir, db: db, metric: bridge.Metric(cfg.Metric), opts: opts, pending: map[uint64]int{}, applied: map[uint64]bool{}}
	d.log = opts.Logger
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if err := d.load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	d.gc = groupcommit.New(db.Write)
	d.wrote(0) // a large replay on open is worth a snapshot straight away
	return d, nil
}

func readConfig(ctx context.Context, db *sql.DB) (vectorize.Config, bool, error) {
	rows, err := db.QueryContext(ctx, "SELECT k, v FROM config")
	if err != nil {
		return vectorize.Config{}, false, fmt.Errorf("vectorize/sqlite: read config: %w", err)
	}
	defer rows.Close()
	kv := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return vectorize.Config{}, false, err
		}
		kv[k] = v
	}
	if err := rows.Err(); err != nil || len(kv) == 0 {
		return vectorize.Config{}, false, err
	}
	dims, _ := strconv.Atoi(kv["dimensions"])
	cfg := vectorize.Config{Name: kv["name"], Dimensions: dims, Metric: vectorize.Metric(kv["metric"]), Description: kv["description"]}
	cfg.CreatedOn, _ = time.Parse(time.RFC3339Nano, kv["created_on"])
	cfg.ModifiedOn, _ = time.Parse(time.RFC3339Nano, kv["modified_on"])
	if err := cfg.Validate(); err != nil {
		return vectorize.Config{}, false, fmt.Errorf("vectorize/sqlite: stored config: %w", err)
	}
	return cfg, true, nil
}

func writeConfig(ctx context.Context, db *sql.DB, cfg vectorize.Config) error {
	for k, v := range map[string]string{
		"name":        cfg.Name,
		"dimensions":  strconv.Itoa(cfg.Dimensions),
		"metric":      string(cfg.Metric),
		"description": cfg.Description,
		"created_on":  cfg.CreatedOn.Format(time.RFC3339Nano),
		"modified_on": cfg.ModifiedOn.Format(time.RFC3339Nano),
	} {
		if _, err := db.ExecContext(ctx, "INSERT INTO config (k, v) VALUES (?, ?)", k, v); err != nil {
			return fmt.Errorf("vectorize/sqlite: write config: %w", err)
		}
	}
	return nil
}

// Config implements vectorize.Driver.
func (d *Driver) Config() vectorize.Config { return d.cfg }

// Dir is the index's directory ("" in memory).
func (d *Driver) Dir() string { return d.dir }

// enter starts an operation; the returned func ends it.
func (d *Driver) enter() (func(), error) {
	d.closeMu.RLock()
	if d.closed {
		d.closeMu.RUnlock()
		return nil, vectorize.ErrClosed
	}
	return d.closeMu.RUnlock, nil
}

func (d *Driver) addPending(seq uint64) {
	d.pmu.Lock()
	d.pending[seq]++
	d.pmu.Unlock()
}

// donePending ends a write: ok when it reached the engine. synced then advances over our
// own consecutive writes, so a snapshot need not replay them; a write of another process
// leaves a gap that only a catch-up closes.
func (d *Driver) donePending(seq uint64, ok bool) {
	d.pmu.Lock()
	defer d.pmu.Unlock()
	if d.pending[seq]--; d.pending[seq] <= 0 {
		delete(d.pending, seq)
	}
	if !ok || seq <= d.synced {
		return
	}
	d.applied[seq] = true
	for d.applied[d.synced+1] {
		delete(d.applied, d.synced+1)
		d.synced++
	}
}

// watermark is the sequence number a snapshot taken now covers: everything up to the last
// catch-up, less any write of ours still between its commit and the engine.
func (d *Driver) watermark() uint64 {
	d.pmu.Lock()
	defer d.pmu.Unlock()
	w := d.synced
	for s := range d.pending {
		if s-1 < w {
			w = s - 1
		}
	}
	return w
}

// mutation inserts the mutation row and returns its sequence number, registered as pending.
func (d *Driver) mutation(tx *sql.Tx, id string, at time.Time) (uint64, error) {
	res, err := tx.Exec("INSERT INTO mutations (id, at) VALUES (?, ?)", id, at.UnixMilli())
	if err != nil {
		return 0, err
	}
	n, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	seq := uint64(n)
	d.addPending(seq)
	if _, err := tx.Exec("DELETE FROM mutations WHERE seq < ?", n); err != nil {
		d.donePending(seq, false)
		return 0, err
	}
	return seq, nil
}

// Write implements vectorize.Driver.
func (d *Driver) Write(ctx context.Context, vs []vectorize.Vector, replace bool) (vectorize.Mutation, error) {
	leave, err := d.enter()
	if err != nil {
		return vectorize.Mutation{}, err
	}
	defer leave()
	vs = vectorize.DedupeBatch(vs, replace)
	if err := d.checkCapacity(vs); err != nil {
		return vectorize.Mutation{}, err
	}
	m := vectorize.Mutation{ID: vectorize.NewMutationID()}
	at := time.Now()
	q := "INSERT INTO vectors (id, namespace, vals, metadata, indexed, seq) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
	if replace {
		q += "UPDATE SET namespace = excluded.namespace, vals = excluded.vals, metadata = excluded.metadata, indexed = excluded.indexed, seq = excluded.seq"
	} else {
		q += "NOTHING"
	}
	d.metaMu.RLock()
	defer d.metaMu.RUnlock()
	var recs []engine.Record
	var seq uint64
	err = d.gc.Do(ctx, func(tx *sql.Tx) error {
		recs = recs[:0]
		s, err := d.mutation(tx, m.ID, at)
		if err != nil {
			return err
		}
		seq = s
		idx, _, err := metadataIndexes(tx)
		if err != nil {
			return err
		}
		ins, err := tx.Prepare(q)
		if err != nil {
			return err
		}
		defer ins.Close()
		undel, err := tx.Prepare("DELETE FROM deleted WHERE id = ?")
		if err != nil {
			return err
		}
		defer undel.Close()
		for _, v := range vs {
			md, err := encodeJSON(v.Metadata)
			if err != nil {
				return err
			}
			iv := vectorize.IndexedValues(v.Metadata, idx)
			ivj, err := encodeJSON(iv)
			if err != nil {
				return err
			}
			res, err := ins.Exec(v.ID, v.Namespace, encodeValues(v.Values), md, ivj, int64(seq))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // insert of an existing id
			}
			if _, err := undel.Exec(v.ID); err != nil {
				return err
			}
			recs = append(recs, bridge.Record(v, iv))
		}
		return nil
	})
	if err != nil {
		if seq != 0 {
			d.donePending(seq, false)
		}
		return vectorize.Mutation{}, err
	}
	d.eng.Apply(seq, recs, nil)
	d.donePending(seq, true)
	d.wrote(len(recs))
	return m, nil
}

func (d *Driver) checkCapacity(vs []vectorize.Vector) error {
	added, newNS := 0, map[string]bool{}
	for _, v := range vs {
		if !d.eng.Has(v.ID) {
			added++
		}
		if v.Namespace != "" && !d.eng.HasNamespace(v.Namespace) {
			newNS[v.Namespace] = true
		}
	}
	if d.eng.Len()+added > vectorize.MaxVectorsPerIndex {
		return &vectorize.Error{Message: fmt.Sprintf("index full: at most %d vectors per index", vectorize.MaxVectorsPerIndex), Err: vectorize.ErrIndexFull}
	}
	if d.eng.Namespaces()+len(newNS) > vectorize.MaxNamespaces {
		return &vectorize.Error{Message: fmt.Sprintf("too many namespaces: at most %d per index", vectorize.MaxNamespaces), Err: vectorize.ErrIndexFull}
	}
	return nil
}

// Delete implements vectorize.Driver.
func (d *Driver) Delete(ctx context.Context, ids []string) (vectorize.Mutation, error) {
	leave, err := d.enter()
	if err != nil {
		return vectorize.Mutation{}, err
	}
	defer leave()
	m := vectorize.Mutation{ID: vectorize.NewMutationID()}
	at := time.Now()
	var seq uint64
	var gone []string
	err = d.gc.Do(ctx, func(tx *sql.Tx) error {
		gone = gone[:0]
		s, err := d.mutation(tx, m.ID, at)
		if err != nil {
			return err
		}
		seq = s
		for _, id := range ids {
			res, err := tx.Exec("DELETE FROM vectors WHERE id = ?", id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if _, err := tx.Exec("INSERT INTO deleted (id, seq) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq", id, int64(seq)); err != nil {
				return err
			}
			gone = append(gone, id)
		}
		return nil
	})
	if err != nil {
		if seq != 0 {
			d.donePending(seq, false)
		}
		return vectorize.Mutation{}, err
	}
	d.eng.Apply(seq, nil, gone)
	d.donePending(seq, true)
	d.wrote(len(gone))
	return m, nil
}

// Get implements vectorize.Driver.
func (d *Driver) Get(ctx context.Context, ids []string) ([]vectorize.Vector, error) {
	leave, err := d.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	found, err := d.rows(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []vectorize.Vector{}
	for _, id := range ids {
		if v, ok := found[id]; ok {
			out = append(out, v)
			delete(found, id)
		}
	}
	return out, nil
}

// rows reads stored vectors by id.
func (d *Driver) rows(ctx context.Context, ids []string) (map[string]vectorize.Vector, error) {
	out := make(map[string]vectorize.Vector, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := "SELECT id, namespace, vals, metadata FROM vectors WHERE id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
	rows, err := d.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v vectorize.Vector
		var vals []byte
		var md *string
		if err := rows.Scan(&v.ID, &v.Namespace, &vals, &md); err != nil {
			return nil, err
		}
		v.Values = decodeValues(vals)
		if v.Metadata, err = decodeJSON(md); err != nil {
			return nil, err
		}
		out[v.ID] = v
	}
	return out, rows.Err()
}

// Search implements vectorize.Driver.
func (d *Driver) Search(ctx context.Context, req vectorize.SearchRequest) ([]vectorize.Match, error) {
	leave, err := d.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	d.maybeCatchUp(ctx)
	vec := req.Vector
	if req.ByID != "" {
		// The engine's copy serves: for cosine it is normalised, which does not change the query.
		v, _, ok := d.eng.Vector(req.ByID)
		if !ok {
			return nil, nil
		}
		vec = v
	}
	hits := d.eng.Search(bridge.Query(req, vec))
	var stored map[string]vectorize.Vector
	if len(hits) > 0 && (req.ReturnValues || req.ReturnMetadata == vectorize.MetadataAll) {
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		if stored, err = d.rows(ctx, ids); err != nil {
			return nil, err
		}
	}
	out := make([]vectorize.Match, 0, len(hits))
	for _, h := range hits {
		m := vectorize.Match{ID: h.ID, Score: d.metric.Score(h.Dist), Namespace: h.Namespace}
		if req.ReturnValues {
			m.Values = stored[h.ID].Values
		}
		switch req.ReturnMetadata {
		case vectorize.MetadataAll:
			m.Metadata = stored[h.ID].Metadata
		case vectorize.MetadataIndexed:
			m.Metadata = vectorize.NestIndexed(d.eng.Indexed(h.ID))
		}
		out = append(out, m)
	}
	return out, nil
}

// Stats implements vectorize.Driver.
func (d *Driver) Stats(ctx context.Context) (vectorize.Info, error) {
	leave, err := d.enter()
	if err != nil {
		return vectorize.Info{}, err
	}
	defer leave()
	d.maybeCatchUp(ctx)
	info := vectorize.Info{VectorCount: d.eng.Len(), Dimensions: d.cfg.Dimensions}
	var at int64
	err = d.db.Read.QueryRowContext(ctx, "SELECT id, at FROM mutations ORDER BY seq DESC LIMIT 1").Scan(&info.ProcessedUpToMutation, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return vectorize.Info{}, err
	default:
		info.ProcessedUpToDatetime = time.UnixMilli(at).UTC()
	}
	return info, nil
}

func metadataIndexes(q interface {
	Query(string, ...any) (*sql.Rows, error)
}) ([]vectorize.MetadataIndex, map[string]uint64, error) {
	rows, err := q.Query("SELECT property, type, created FROM metadata_indexes ORDER BY property")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := []vectorize.MetadataIndex{}
	created := map[string]uint64{}
	for rows.Next() {
		var mi vectorize.MetadataIndex
		var c int64
		if err := rows.Scan(&mi.PropertyName, &mi.IndexType, &c); err != nil {
			return nil, nil, err
		}
		out = append(out, mi)
		created[mi.PropertyName] = uint64(c)
	}
	return out, created, rows.Err()
}

// CreateMetadataIndex implements vectorize.MetadataIndexer.
func (d *Driver) CreateMetadataIndex(ctx context.Context, mi vectorize.MetadataIndex) (vectorize.Mutation, error) {
	return d.changeMetadataIndex(ctx, func(tx *sql.Tx, seq uint64) error {
		var typ string
		err := tx.QueryRow("SELECT type FROM metadata_indexes WHERE property = ?", mi.PropertyName).Scan(&typ)
		if err == nil {
			return nil // exists: keep the first type, as the platform does
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM metadata_indexes").Scan(&n); err != nil {
			return err
		}
		if n >= vectorize.MaxMetadataIndexes {
			return &vectorize.Error{Message: fmt.Sprintf("too many metadata indexes: at most %d per index", vectorize.MaxMetadataIndexes), Err: vectorize.ErrInvalidMetadataIndex}
		}
		_, err = tx.Exec("INSERT INTO metadata_indexes (property, type, created) VALUES (?, ?, ?)", mi.PropertyName, string(mi.IndexType), int64(seq))
		return err
	})
}

// DeleteMetadataIndex implements vectorize.MetadataIndexer.
func (d *Driver) DeleteMetadataIndex(ctx context.Context, property string) (vectorize.Mutation, error) {
	return d.changeMetadataIndex(ctx, func(tx *sql.Tx, seq uint64) error {
		res, err := tx.Exec("DELETE FROM metadata_indexes WHERE property = ?", property)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &vectorize.Error{Code: 40005, Message: fmt.Sprintf("metadata index for property %q not found", property), Err: vectorize.ErrMetadataIndexNotFound}
		}
		return nil
	})
}

func (d *Driver) changeMetadataIndex(ctx context.Context, fn func(*sql.Tx, uint64) error) (vectorize.Mutation, error) {
	leave, err := d.enter()
	if err != nil {
		return vectorize.Mutation{}, err
	}
	defer leave()
	d.metaMu.Lock()
	defer d.metaMu.Unlock()
	m := vectorize.Mutation{ID: vectorize.NewMutationID()}
	at := time.Now()
	var seq uint64
	err = d.gc.Do(ctx, func(tx *sql.Tx) error {
		s, err := d.mutation(tx, m.ID, at)
		if err != nil {
			return err
		}
		seq = s
		return fn(tx, seq)
	})
	if err != nil {
		if seq != 0 {
			d.donePending(seq, false)
		}
		return vectorize.Mutation{}, err
	}
	err = d.syncColumns(ctx)
	d.donePending(seq, err == nil)
	return m, err
}

// syncColumns makes the engine's columns those of the metadata_indexes table. Callers hold
// metaMu exclusively.
func (d *Driver) syncColumns(ctx context.Context) error {
	idx, created, err := metadataIndexes(d.db.Read)
	if err != nil {
		return err
	}
	return d.eng.SetColumns(bridge.Columns(idx, created))
}

// MetadataIndexes implements vectorize.MetadataIndexer.
func (d *Driver) MetadataIndexes(ctx context.Context) ([]vectorize.MetadataIndex, error) {
	leave, err := d.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	idx, _, err := metadataIndexes(d.db.Read)
	return idx, err
}

// Close writes a final snapshot when the graph changed since the last one, then closes the
// database. Later calls fail with vectorize.ErrClosed.
func (d *Driver) Close() error {
	d.closeMu.Lock()
	if d.closed {
		d.closeMu.Unlock()
		return nil
	}
	d.closed = true
	d.closeMu.Unlock()
	d.snapWG.Wait()
	var err error
	if d.dir != "" && d.changed.Load() > 0 {
		err = d.snapshot(context.Background())
	}
	d.gc.Close()
	if e := d.db.Close(); err == nil {
		err = e
	}
	if d.release != nil {
		d.eng = nil // the engine's vectors live in the mapping
		if e := d.release(); err == nil {
			err = e
		}
	}
	return err
}
