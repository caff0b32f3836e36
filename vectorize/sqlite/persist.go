package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/flarego/flarego/vectorize/internal/bridge"
	"github.com/flarego/flarego/vectorize/internal/engine"
)

// load builds the engine: from the snapshot when there is a usable one, then replaying the
// writes the snapshot does not cover.
func (d *Driver) load(ctx context.Context) error {
	start := time.Now()
	eng, seq := d.readSnapshot()
	if eng == nil {
		eng = engine.New(d.cfg.Dimensions, d.metric, d.opts.Engine)
	}
	d.eng = eng
	d.synced = seq
	n, err := d.catchUp(ctx)
	if err != nil {
		return err
	}
	d.changed.Store(int64(n))
	d.log.Debug("vectorize index loaded", "dir", d.dir, "vectors", eng.Len(), "replayed", n, "took", time.Since(start))
	return nil
}

// readSnapshot returns the snapshot's engine and the sequence number it covers, or nil when
// there is none or it cannot be used (then the index is rebuilt from the database). The
// snapshot file stays mapped while the engine uses it; Close unmaps it.
func (d *Driver) readSnapshot() (*engine.Engine, uint64) {
	if d.dir == "" {
		return nil, 0
	}
	path := filepath.Join(d.dir, SnapshotFile)
	data, release, err := mapFile(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			d.log.Warn("vectorize snapshot unreadable; rebuilding", "dir", d.dir, "err", err)
		}
		return nil, 0
	}
	eng, seq, err := engine.LoadBytes(data, d.cfg.Dimensions, d.metric, d.opts.Engine)
	if err != nil {
		release()
		d.log.Warn("vectorize snapshot unusable; rebuilding", "dir", d.dir, "err", err)
		return nil, 0
	}
	// A graph made mostly of deleted nodes searches slowly: rebuild it from the live rows.
	if nodes, dead := eng.Stats(); dead > nodes-dead && dead > 1000 {
		release()
		d.log.Info("vectorize graph mostly deleted; rebuilding", "dir", d.dir, "nodes", nodes, "dead", dead)
		return nil, 0
	}
	d.release = release
	return eng, seq
}

// maybeCatchUp looks, at most once a second, for writes made by another process (the CLI
// while the runner serves, say) and applies them.
func (d *Driver) maybeCatchUp(ctx context.Context) {
	if d.dir == "" {
		return
	}
	now := time.Now().UnixNano()
	last := d.checked.Load()
	if now-last < int64(time.Second) || !d.checked.CompareAndSwap(last, now) {
		return
	}
	var max sql.NullInt64
	if err := d.db.Read.QueryRowContext(ctx, "SELECT max(seq) FROM mutations").Scan(&max); err != nil || uint64(max.Int64) <= d.syncedSeq() {
		return
	}
	if _, err := d.catchUp(ctx); err != nil {
		d.log.Warn("vectorize catch-up failed", "dir", d.dir, "err", err)
	}
}

func (d *Driver) syncedSeq() uint64 {
	d.pmu.Lock()
	defer d.pmu.Unlock()
	return d.synced
}

// catchUp applies every row written after d.synced, by this process or another, and the
// metadata index list; it returns how many vectors it applied. Replaying a write the engine
// already holds changes nothing, so overlap is harmless.
func (d *Driver) catchUp(ctx context.Context) (int, error) {
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	d.metaMu.Lock()
	defer d.metaMu.Unlock()
	from := d.syncedSeq()
	tx, err := d.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var max sql.NullInt64
	if err := tx.QueryRow("SELECT max(seq) FROM mutations").Scan(&max); err != nil {
		return 0, err
	}
	idx, created, err := metadataIndexes(tx)
	if err != nil {
		return 0, err
	}
	if err := d.eng.SetColumns(bridge.Columns(idx, created)); err != nil {
		return 0, err
	}
	rows, err := tx.Query("SELECT id, seq FROM deleted WHERE seq > ?", int64(from))
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			rows.Close()
			return 0, err
		}
		d.eng.Apply(uint64(seq), nil, []string{id})
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	rows, err = tx.Query("SELECT id, namespace, vals, indexed, seq FROM vectors WHERE seq > ? ORDER BY seq", int64(from))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	batch := make([]engine.Record, 0, 1024)
	for rows.Next() {
		var r engine.Record
		var vals []byte
		var iv *string
		var seq int64
		if err := rows.Scan(&r.ID, &r.Namespace, &vals, &iv, &seq); err != nil {
			return 0, err
		}
		r.Values = decodeValues(vals)
		if len(r.Values) != d.cfg.Dimensions {
			return 0, fmt.Errorf("vectorize/sqlite: vector %q has %d values, index has %d dimensions", r.ID, len(r.Values), d.cfg.Dimensions)
		}
		if r.Indexed, err = decodeJSON(iv); err != nil {
			return 0, err
		}
		r.Seq = uint64(seq)
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			d.eng.Apply(0, batch, nil)
			n += len(batch)
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	d.eng.Apply(0, batch, nil)
	n += len(batch)
	d.pmu.Lock()
	if uint64(max.Int64) > d.synced {
		d.synced = uint64(max.Int64)
	}
	for s := range d.applied {
		if s <= d.synced {
			delete(d.applied, s)
		}
	}
	for d.applied[d.synced+1] {
		delete(d.applied, d.synced+1)
		d.synced++
	}
	d.pmu.Unlock()
	return n, nil
}

// wrote counts written vectors and starts a background snapshot when enough have changed.
func (d *Driver) wrote(n int) {
	if d.dir == "" {
		return
	}
	changed := d.changed.Add(int64(n))
	every := int64(d.opts.SnapshotEvery)
	if every <= 0 {
		every = int64(max(5000, d.eng.Len()/2))
	}
	if changed < every || !d.snapping.CompareAndSwap(false, true) {
		return
	}
	d.snapWG.Add(1)
	go func() {
		defer d.snapWG.Done()
		defer d.snapping.Store(false)
		if err := d.snapshot(context.Background()); err != nil {
			d.log.Warn("vectorize snapshot failed", "dir", d.dir, "err", err)
		}
	}()
}

// Snapshot writes the search graph to disk now, so that the next open loads it instead of
// replaying writes. Close does this too when anything changed.
func (d *Driver) Snapshot(ctx context.Context) error {
	leave, err := d.enter()
	if err != nil {
		return err
	}
	defer leave()
	return d.snapshot(ctx)
}

// snapshot writes the graph to a temporary file, syncs it and renames it into place, so that
// a crash leaves either the old snapshot or the new one.
func (d *Driver) snapshot(ctx context.Context) error {
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	if _, err := d.catchUp(ctx); err != nil {
		return err
	}
	before := d.changed.Load()
	path := filepath.Join(d.dir, SnapshotFile)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	var covered uint64
	err = d.eng.Save(f, func() uint64 { covered = d.watermark(); return covered })
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vectorize/sqlite: snapshot: %w", err)
	}
	if dir, err := os.Open(d.dir); err == nil {
		dir.Sync()
		dir.Close()
	}
	d.eng.PruneTombstones(covered)
	d.changed.Add(-before)
	return nil
}
