package disk

import (
	"context"
	"database/sql"

	"github.com/flarego/flarego/r2"
)

// writeStmts are prepared once on the single write connection; transactions reuse them.
type writeStmts struct {
	selOld, upsert, delObj, insData, delData, insBlob, delBlob *sql.Stmt
}

func prepareWrites(db *sql.DB) (*writeStmts, error) {
	var s writeStmts
	for _, p := range []struct {
		dst *(*sql.Stmt)
		sql string
	}{
		{&s.selOld, "SELECT " + recordColumns + ", inline FROM objects WHERE key = ?"},
		{&s.upsert, "INSERT OR REPLACE INTO objects (" + recordColumns + ", inline) VALUES (?,?,?,?,?,?,?,?,?,?,?)"},
		{&s.delObj, "DELETE FROM objects WHERE key = ?"},
		{&s.insData, "INSERT INTO inline_data (data) VALUES (?)"},
		{&s.delData, "DELETE FROM inline_data WHERE id = ?"},
		{&s.insBlob, "INSERT OR IGNORE INTO blobs (id) VALUES (?)"},
		{&s.delBlob, "DELETE FROM blobs WHERE id = ?"},
	} {
		st, err := db.Prepare(p.sql)
		if err != nil {
			s.close()
			return nil, err
		}
		*p.dst = st
	}
	return &s, nil
}

func (s *writeStmts) close() {
	for _, st := range []*sql.Stmt{s.selOld, s.upsert, s.delObj, s.insData, s.delData, s.insBlob, s.delBlob} {
		if st != nil {
			st.Close()
		}
	}
}

// wtx is a write transaction with the prepared statements bound to it.
type wtx struct {
	tx *sql.Tx
	s  *writeStmts
}

// old reads key's record and its inline row id (0 for none); nil when missing.
func (w wtx) old(key string) (*r2.Record, int64, error) {
	var inline sql.NullInt64
	rec, err := scanRecord(w.tx.Stmt(w.s.selOld).QueryRow([]byte(key)), &inline)
	if err == sql.ErrNoRows {
		return nil, 0, nil
	}
	return rec, inline.Int64, err
}

// store writes rec's row; data, when not nil, are its bytes kept inline.
func (w wtx) store(rec *r2.Record, data []byte) error {
	args, err := recordArgs(rec)
	if err != nil {
		return err
	}
	var inline any
	if data != nil {
		res, err := w.tx.Stmt(w.s.insData).Exec(data)
		if err != nil {
			return err
		}
		if inline, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	if _, err := w.tx.Stmt(w.s.upsert).Exec(append(args, inline)...); err != nil {
		return err
	}
	for _, p := range rec.Parts {
		if _, err := w.tx.Stmt(w.s.insBlob).Exec(p.Blob); err != nil {
			return err
		}
	}
	return nil
}

// drop unlists what a replaced or deleted record held: its inline row and blob ids.
func (w wtx) drop(rec *r2.Record, inline int64) error {
	if inline != 0 {
		if _, err := w.tx.Stmt(w.s.delData).Exec(inline); err != nil {
			return err
		}
	}
	return w.unlist(partIDs(rec.Parts))
}

func (w wtx) unlist(ids []string) error {
	for _, id := range ids {
		if _, err := w.tx.Stmt(w.s.delBlob).Exec(id); err != nil {
			return err
		}
	}
	return nil
}

// write runs fn in a group-committed transaction with the prepared statements.
func (d *Driver) write(ctx context.Context, fn func(w wtx) error) error {
	return d.commit(ctx, func(tx *sql.Tx) error { return fn(wtx{tx, d.ws}) })
}

// Put commits rec in a group-committed transaction: rec's blob files are already in
// blobs/ (complete), the index row makes them reachable. A crash before the commit
// leaves only unreferenced files, which the sweep removes.
func (d *Driver) Put(ctx context.Context, rec *r2.Record, check func(old *r2.Record) error) error {
	if err := d.live(); err != nil {
		d.discard(partIDs(rec.Parts)...)
		return err
	}
	// A small object's bytes go into the index.
	store := rec
	var data []byte
	if len(rec.Parts) == 1 {
		if buf, ok := d.takeInline(rec.Parts[0].Blob); ok {
			defer putInlineBuf(buf)
			data = *buf
			c := *rec
			c.Parts = nil
			store = &c
		}
	}
	var old *r2.Record
	err := d.write(ctx, func(w wtx) error {
		o, inline, err := w.old(rec.Key)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(o); err != nil {
				return err
			}
		}
		if err := w.store(store, data); err != nil {
			return err
		}
		if o != nil {
			if err := w.drop(o, inline); err != nil {
				return err
			}
		}
		old = o
		return nil
	})
	if err != nil {
		d.discard(partIDs(store.Parts)...)
		return err
	}
	if old != nil {
		d.free(partIDs(old.Parts))
	}
	return nil
}

// Delete removes the records of keys that exist in one transaction and frees their
// blobs after the commit.
func (d *Driver) Delete(ctx context.Context, keys []string) ([]*r2.Record, error) {
	if err := d.live(); err != nil {
		return nil, err
	}
	var removed []*r2.Record
	err := d.write(ctx, func(w wtx) error {
		removed = removed[:0]
		for _, k := range keys {
			rec, inline, err := w.old(k)
			if err != nil {
				return err
			}
			if rec == nil {
				continue
			}
			if _, err := w.tx.Stmt(w.s.delObj).Exec([]byte(k)); err != nil {
				return err
			}
			if err := w.drop(rec, inline); err != nil {
				return err
			}
			removed = append(removed, rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, rec := range removed {
		ids = append(ids, partIDs(rec.Parts)...)
	}
	d.free(ids)
	return removed, nil
}
