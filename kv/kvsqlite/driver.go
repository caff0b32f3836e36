package kvsqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/flarego/flarego/internal/groupcommit"
	"github.com/flarego/flarego/internal/sqlitedb"
	"github.com/flarego/flarego/kv"
)

// Driver stores one KV namespace in one SQLite file. It implements kv.Driver, kv.Purger,
// kv.BatchGetter, kv.BatchWriter and kv.Sizer. Writes go through a group committer, so
// concurrent puts share commits; each returns after the commit that covers it. Other
// processes (the CLI) may read and write the same file meanwhile.
//
// The zero value is not usable; call Open.
type Driver struct {
	db    *sqlitedb.DB
	gc    *groupcommit.Committer
	cache *readCache // nil for an in-memory database

	get, getIn, list, listBounded, nextExp *sql.Stmt // on db.Read
	put, putBlob, del, purge               *sql.Stmt // on db.Write
}

// Options tune Open. The zero value is the project's default durability: a write that
// returned survives the process being killed.
type Options struct {
	// Full makes every commit fsync, so that writes also survive the machine losing power.
	Full bool
}

// Open opens, creating it and its directory when missing, the namespace file at path.
func Open(path string, opts Options) (*Driver, error) {
	db, err := sqlitedb.Open(path, sqlitedb.Options{Full: opts.Full})
	if err != nil {
		return nil, err
	}
	d, err := newDriver(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("kvsqlite: open %s: %w", path, err)
	}
	return d, nil
}

// OpenMemory opens a driver over a private in-memory SQLite database, gone when closed.
func OpenMemory() (*Driver, error) {
	db, err := sqlitedb.OpenMemory()
	if err != nil {
		return nil, err
	}
	d, err := newDriver(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("kvsqlite: open memory: %w", err)
	}
	return d, nil
}

func newDriver(db *sqlitedb.DB) (*Driver, error) {
	if _, err := db.Write.Exec(schema); err != nil {
		return nil, fmt.Errorf("create schema: %w", err)
	}
	d := &Driver{db: db}
	for _, p := range []struct {
		db   *sql.DB
		stmt **sql.Stmt
		sql  string
	}{
		{db.Read, &d.get, sqlGet},
		{db.Read, &d.getIn, sqlGetIn},
		{db.Read, &d.list, sqlList},
		{db.Read, &d.listBounded, sqlListBounded},
		{db.Read, &d.nextExp, sqlNextExp},
		{db.Write, &d.put, sqlPut},
		{db.Write, &d.putBlob, sqlPutBlob},
		{db.Write, &d.del, sqlDelete},
		{db.Write, &d.purge, sqlPurge},
	} {
		s, err := p.db.Prepare(p.sql)
		if err != nil {
			d.closeStmts()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*p.stmt = s
	}
	d.gc = groupcommit.New(db.Write)
	if db.Path != "" {
		d.cache = newReadCache(db.Path)
	}
	return d, nil
}

// Get implements kv.Driver.
func (d *Driver) Get(ctx context.Context, key string, now time.Time) (kv.Record, error) {
	var gen uint64
	if d.cache != nil {
		r, ok, g := d.cache.lookup(key)
		if ok {
			if r.Expired(now) {
				return kv.Record{}, kv.ErrNotFound
			}
			return r, nil
		}
		gen = g
	}
	r := kv.Record{Key: key}
	var exp sql.NullInt64
	err := d.get.QueryRowContext(ctx, key).Scan(&r.Value, &exp, &r.Metadata)
	if errors.Is(err, sql.ErrNoRows) {
		return kv.Record{}, kv.ErrNotFound
	}
	if err != nil {
		return kv.Record{}, err
	}
	r.Expiration = exp.Int64
	if d.cache != nil {
		d.cache.store(r, gen)
	}
	if r.Expired(now) {
		return kv.Record{}, kv.ErrNotFound
	}
	return r, nil
}

// GetMany implements kv.BatchGetter: one query, so one consistent snapshot.
func (d *Driver) GetMany(ctx context.Context, keys []string, now time.Time) (map[string]kv.Record, error) {
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	rows, err := d.getIn.QueryContext(ctx, string(list), now.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]kv.Record, len(keys))
	for rows.Next() {
		var r kv.Record
		var exp sql.NullInt64
		if err := rows.Scan(&r.Key, &r.Value, &exp, &r.Metadata); err != nil {
			return nil, err
		}
		r.Expiration = exp.Int64
		out[r.Key] = r
	}
	return out, rows.Err()
}

// Put implements kv.Driver.
func (d *Driver) Put(ctx context.Context, r kv.Record) error {
	err := d.gc.Do(ctx, func(tx *sql.Tx) error { return d.putTx(tx, r) })
	d.forget(r.Key)
	return err
}

// forget drops keys from the read cache after a write (all keys when none are given).
func (d *Driver) forget(keys ...string) {
	if d.cache != nil {
		d.cache.forget(keys...)
	}
}

func (d *Driver) putTx(tx *sql.Tx, r kv.Record) error {
	var exp, meta any
	if r.Expiration != 0 {
		exp = r.Expiration
	}
	if r.Metadata != nil {
		meta = string(r.Metadata)
	}
	var inline, blob any
	if len(r.Value) <= inlineMax {
		inline = r.Value
		if r.Value == nil {
			inline = []byte{}
		}
	} else {
		res, err := tx.Stmt(d.putBlob).Exec(r.Value)
		if err != nil {
			return err
		}
		if blob, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	_, err := tx.Stmt(d.put).Exec(r.Key, exp, meta, inline, blob)
	return err
}

// PutMany implements kv.BatchWriter: one savepoint of one commit.
func (d *Driver) PutMany(ctx context.Context, records []kv.Record) error {
	defer d.forget()
	return d.gc.Do(ctx, func(tx *sql.Tx) error {
		for _, r := range records {
			if err := d.putTx(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete implements kv.Driver.
func (d *Driver) Delete(ctx context.Context, key string) error {
	defer d.forget(key)
	return d.gc.Do(ctx, func(tx *sql.Tx) error {
		_, err := tx.Stmt(d.del).Exec(key)
		return err
	})
}

// DeleteMany implements kv.BatchWriter.
func (d *Driver) DeleteMany(ctx context.Context, keys []string) error {
	defer d.forget(keys...)
	return d.gc.Do(ctx, func(tx *sql.Tx) error {
		del := tx.Stmt(d.del)
		for _, k := range keys {
			if _, err := del.Exec(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// List implements kv.Driver.
func (d *Driver) List(ctx context.Context, q kv.ListQuery) ([]kv.Record, bool, error) {
	lower := q.Prefix
	if q.After >= lower {
		lower = q.After + "\x00" // the smallest key after q.After
	}
	stmt, upper := d.list, any(nil)
	if end, ok := prefixEnd(q.Prefix); ok {
		stmt, upper = d.listBounded, end
	}
	rows, err := stmt.QueryContext(ctx, lower, upper, q.Now.Unix(), q.Limit+1)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := make([]kv.Record, 0, min(q.Limit, 64))
	more := false
	for rows.Next() {
		if len(out) == q.Limit {
			more = true
			break
		}
		var r kv.Record
		var exp sql.NullInt64
		if err := rows.Scan(&r.Key, &exp, &r.Metadata); err != nil {
			return nil, false, err
		}
		r.Expiration = exp.Int64
		out = append(out, r)
	}
	return out, more, rows.Err()
}

// prefixEnd is the smallest string greater than every string starting with prefix, if any.
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// PurgeExpired implements kv.Purger.
func (d *Driver) PurgeExpired(ctx context.Context, now time.Time) (time.Time, error) {
	defer d.forget()
	for {
		var n int64
		err := d.gc.Do(ctx, func(tx *sql.Tx) error {
			res, err := tx.Stmt(d.purge).Exec(now.Unix())
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return time.Time{}, err
		}
		if n < purgeChunk {
			break
		}
	}
	var next sql.NullInt64
	if err := d.nextExp.QueryRowContext(ctx).Scan(&next); err != nil {
		return time.Time{}, err
	}
	if !next.Valid {
		return time.Time{}, nil
	}
	return time.Unix(next.Int64, 0), nil
}

// Size implements kv.Sizer: the bytes of the pages in use, not counting free pages kept for
// reuse.
func (d *Driver) Size(ctx context.Context) (int64, error) {
	var pages, pageSize int64
	err := d.db.Read.QueryRowContext(ctx, sqlLiveSize).Scan(&pages, &pageSize)
	return pages * pageSize, err
}

// Path is the database file, "" for an in-memory driver.
func (d *Driver) Path() string { return d.db.Path }

// Close implements kv.Driver: waits for pending writes and closes the file.
func (d *Driver) Close() error {
	d.gc.Close()
	d.closeStmts()
	return d.db.Close()
}

func (d *Driver) closeStmts() {
	for _, s := range []*sql.Stmt{d.get, d.getIn, d.list, d.listBounded, d.nextExp, d.put, d.putBlob, d.del, d.purge} {
		if s != nil {
			s.Close()
		}
	}
}
