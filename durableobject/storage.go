package durableobject

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Limits of the KV API (DO-027…DO-031).
const (
	maxKeySize   = 2048
	maxValueSize = 128 * 1024
	// The platform accepts values a little over the advertised size, for its encoding's
	// overhead; so do we.
	maxValueSlack = 34
	maxPairs      = 128
)

// Storage is an object's durable storage: the KV API here, alarms (GetAlarm, SetAlarm,
// DeleteAlarm) and, for SQLite-backed classes, the SQL API (SQL). Values are stored as JSON:
// anything encoding/json can encode, decoded back into the type you ask for. Every method is
// safe for concurrent use; all of an object's storage calls share one transaction per turn
// (see the package documentation for when writes become durable).
//
// Storage calls made by the object's own goroutines outside any event (WaitUntil work) commit
// on their own.
type Storage struct {
	o  *object
	st *store
}

// Entry is one key-value pair of GetMany and List.
type Entry[V any] struct {
	Key   string
	Value V
}

// WriteOption changes how a write behaves.
type WriteOption func(*writeOpts)

type writeOpts struct{ allowUnconfirmed bool }

// AllowUnconfirmed lets the event's result leave the object without waiting for this write to
// be durable (the platform's allowUnconfirmed, DO-020). The write still commits with the turn.
func AllowUnconfirmed() WriteOption { return func(o *writeOpts) { o.allowUnconfirmed = true } }

func writeOptions(opts []WriteOption) writeOpts {
	var o writeOpts
	for _, f := range opts {
		f(&o)
	}
	return o
}

// ListOptions select the entries of List (DO-033, DO-034). Zero fields are unset.
type ListOptions struct {
	// Start is the first key (inclusive).
	Start string
	// StartAfter is the key before the first (exclusive); it cannot be combined with Start.
	StartAfter string
	// End is the key after the last (exclusive).
	End string
	// Prefix keeps only keys that start with it.
	Prefix string
	// Reverse returns keys in descending order; Start and End keep their meaning.
	Reverse bool
	// Limit caps the number of entries; 0 means no limit and a negative value is refused with
	// ErrListLimit (the platform refuses any limit <= 0; Go's zero value means unset).
	Limit int
}

// check refuses calls whose context is already done.
func (s *Storage) check(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}

func checkKey(key string) error {
	if len(key) > maxKeySize {
		return keyTooLarge(len(key))
	}
	return nil
}

func (s *Storage) encode(v any) ([]byte, error) {
	if v == nil {
		return nil, ErrUndefinedValue
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("durableobject: encode value: %w", err)
	}
	if s.o.ns.legacyKV && len(b) > maxValueSize+maxValueSlack {
		return nil, valueTooLarge(len(b))
	}
	return b, nil
}

// Get reads key into v (as json.Unmarshal would) and reports whether it exists (DO-026).
func (s *Storage) Get(ctx context.Context, key string, v any) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	if err := s.check(ctx); err != nil {
		return false, err
	}
	var raw []byte
	var ok bool
	err := s.st.do(func() (err error) {
		raw, ok, err = s.st.get(key)
		return err
	})
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("durableobject: decode %q: %w", key, err)
	}
	return true, nil
}

// GetMany returns the entries of keys that exist, ordered by key (DO-027). At most 128 keys.
func (s *Storage) GetMany(ctx context.Context, keys []string) ([]Entry[json.RawMessage], error) {
	if len(keys) > maxPairs {
		return nil, tooManyPairs(len(keys))
	}
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return nil, err
		}
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var out []Entry[json.RawMessage]
	err := s.st.do(func() error {
		seen := map[string]bool{}
		for _, k := range keys {
			if seen[k] {
				continue
			}
			seen[k] = true
			v, ok, err := s.st.get(k)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, Entry[json.RawMessage]{Key: k, Value: json.RawMessage(v)})
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// Put stores v under key (DO-028). A nil v is refused with ErrUndefinedValue; a key over
// 2048 bytes with a *RangeError (DO-029). Values of key-value backed classes are limited to
// 128 KiB (DO-030); in SQLite-backed ones key and value together may take 2 MB (DO-031).
func (s *Storage) Put(ctx context.Context, key string, v any, opts ...WriteOption) error {
	if err := checkKey(key); err != nil {
		return err
	}
	b, err := s.encode(v)
	if err != nil {
		return err
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	o := writeOptions(opts)
	return s.st.do(func() error { return s.st.put(key, b, o.allowUnconfirmed) })
}

// PutMany stores several entries atomically; at most 128 (DO-028). Entries with a nil value
// are skipped, as the platform skips undefined ones.
func (s *Storage) PutMany(ctx context.Context, entries map[string]any, opts ...WriteOption) error {
	if len(entries) > maxPairs {
		return tooManyPairs(len(entries))
	}
	keys := make([]string, 0, len(entries))
	vals := make(map[string][]byte, len(entries))
	for k, v := range entries {
		if err := checkKey(k); err != nil {
			return err
		}
		if v == nil {
			continue
		}
		b, err := s.encode(v)
		if err != nil {
			return err
		}
		keys = append(keys, k)
		vals[k] = b
	}
	sort.Strings(keys)
	if err := s.check(ctx); err != nil {
		return err
	}
	o := writeOptions(opts)
	return s.st.do(func() error {
		for _, k := range keys {
			if err := s.st.put(k, vals[k], o.allowUnconfirmed); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete removes key and reports whether it existed (DO-032).
func (s *Storage) Delete(ctx context.Context, key string, opts ...WriteOption) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	if err := s.check(ctx); err != nil {
		return false, err
	}
	o := writeOptions(opts)
	var existed bool
	err := s.st.do(func() (err error) {
		existed, err = s.st.del(key, o.allowUnconfirmed)
		return err
	})
	return existed, err
}

// DeleteMany removes keys (at most 128) and returns how many existed (DO-032).
func (s *Storage) DeleteMany(ctx context.Context, keys []string, opts ...WriteOption) (int, error) {
	if len(keys) > maxPairs {
		return 0, tooManyPairs(len(keys))
	}
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return 0, err
		}
	}
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	o := writeOptions(opts)
	n := 0
	err := s.st.do(func() error {
		for _, k := range keys {
			existed, err := s.st.del(k, o.allowUnconfirmed)
			if err != nil {
				return err
			}
			if existed {
				n++
			}
		}
		return nil
	})
	return n, err
}

// List returns entries in ascending key order (descending with Reverse), selected by opts
// (DO-033…DO-035).
func (s *Storage) List(ctx context.Context, opts ListOptions) ([]Entry[json.RawMessage], error) {
	if opts.Limit < 0 {
		return nil, ErrListLimit
	}
	if opts.Start != "" && opts.StartAfter != "" {
		return nil, ErrListStartAfter
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var out []Entry[json.RawMessage]
	err := s.st.do(func() (err error) {
		out, err = s.st.list(opts)
		return err
	})
	return out, err
}

// DeleteAll erases all of the object's stored data at once: KV entries, SQL tables and the
// alarm (DO-036).
func (s *Storage) DeleteAll(ctx context.Context, opts ...WriteOption) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	o := writeOptions(opts)
	return s.st.do(func() error { return s.st.deleteAll(o.allowUnconfirmed) })
}

// Sync makes everything written so far durable now, and lets held outputs go (DO-020). Inside
// an event, the writes before Sync can no longer be rolled back by a later panic. Call it
// before telling the outside world about a write through a channel the engine cannot hold
// back, such as an outbound worker.Fetch.
func (s *Storage) Sync(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.st.sync()
}

// --- the store's KV operations (st.mu held) ------------------------------------------------

func (st *store) get(key string) ([]byte, bool, error) {
	if v, ok := st.cache[key]; ok {
		return v.v, v.ok, nil
	}
	if st.complete {
		return nil, false, nil
	}
	open, err := st.open(false)
	if err != nil || !open {
		return nil, false, err
	}
	if ok, err := st.hasKV(); err != nil || !ok {
		return nil, false, err
	}
	q, err := st.stmt("SELECT value FROM _cf_KV WHERE key = ?")
	if err != nil {
		return nil, false, err
	}
	var v []byte
	err = q.QueryRowContext(st.ctx(), key).Scan(&v)
	found := err == nil
	if err != nil && !isNoRows(err) {
		return nil, false, err
	}
	st.cacheSet(key, cval{v: v, ok: found}, false)
	return v, found, nil
}

func (st *store) put(key string, v []byte, unconfirmed bool) error {
	if err := st.materialize(); err != nil {
		return err
	}
	if err := st.ensureKV(); err != nil {
		return err
	}
	q, err := st.stmt("INSERT INTO _cf_KV (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(st.ctx(), key, v); err != nil {
		return platformSQLError(err, -1)
	}
	st.cacheSet(key, cval{v: v, ok: true}, true)
	st.markWrite(unconfirmed)
	return nil
}

func (st *store) del(key string, unconfirmed bool) (bool, error) {
	_, existed, err := st.get(key)
	if err != nil || !existed {
		return false, err
	}
	if err := st.materialize(); err != nil {
		return false, err
	}
	q, err := st.stmt("DELETE FROM _cf_KV WHERE key = ?")
	if err != nil {
		return false, err
	}
	if _, err := q.ExecContext(st.ctx(), key); err != nil {
		return false, err
	}
	st.cacheSet(key, cval{}, true)
	st.markWrite(unconfirmed)
	return true, nil
}

// cacheSet records a value in the read cache; undoable records what a savepoint rollback
// must restore.
func (st *store) cacheSet(key string, v cval, undoable bool) {
	if st.cache == nil {
		st.cache = map[string]cval{}
	}
	prev, had := st.cache[key]
	if undoable && len(st.sps) > 0 {
		st.undo = append(st.undo, undoRec{kind: undoKey, key: key, prev: prev, had: had})
	}
	if had {
		st.cacheBytes -= len(key) + len(prev.v)
	}
	st.cache[key] = v
	st.cacheBytes += len(key) + len(v.v)
}

func (st *store) list(opts ListOptions) ([]Entry[json.RawMessage], error) {
	start, startInclusive := opts.Start, true
	if opts.StartAfter != "" {
		start, startInclusive = opts.StartAfter, false
	}
	end, hasEnd := opts.End, opts.End != ""
	if p := opts.Prefix; p != "" {
		switch {
		case start < p:
			start, startInclusive = p, true
		case strings.HasPrefix(start, p):
		default:
			return nil, nil
		}
		if after, ok := keyAfterPrefix(p); ok {
			switch {
			case hasEnd && end <= p:
				return nil, nil
			case hasEnd && strings.HasPrefix(end, p):
			default:
				end, hasEnd = after, true
			}
		}
	}
	if hasEnd && end <= start {
		return nil, nil
	}
	open, err := st.open(false)
	if err != nil || !open {
		return nil, err
	}
	if ok, err := st.hasKV(); err != nil || !ok {
		return nil, err
	}
	q := "SELECT key, value FROM _cf_KV WHERE key >= ?"
	if !startInclusive {
		q = "SELECT key, value FROM _cf_KV WHERE key > ?"
	}
	args := []any{start}
	if hasEnd {
		q += " AND key < ?"
		args = append(args, end)
	}
	if opts.Reverse {
		q += " ORDER BY key DESC"
	} else {
		q += " ORDER BY key"
	}
	if opts.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, opts.Limit)
	}
	rows, err := st.conn.QueryContext(st.ctx(), q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry[json.RawMessage]
	for rows.Next() {
		var e Entry[json.RawMessage]
		var v []byte
		if err := rows.Scan(&e.Key, &v); err != nil {
			return nil, err
		}
		e.Value = v
		out = append(out, e)
	}
	return out, rows.Err()
}

// keyAfterPrefix is the smallest key greater than every key with prefix p, or false when
// there is none (p is all 0xff bytes).
func keyAfterPrefix(p string) (string, bool) {
	b := []byte(p)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return "", false
	}
	b[len(b)-1]++
	return string(b), true
}

// deleteAll drops every table, view and trigger and the alarm, inside the turn's savepoint.
func (st *store) deleteAll(unconfirmed bool) error {
	st.setAlarmChange(&alarmChange{set: false, explicit: true})
	st.markWrite(unconfirmed)
	open, err := st.open(false)
	if err != nil {
		return err
	}
	if open {
		if err := st.materialize(); err != nil {
			return err
		}
		if err := st.dropAll(); err != nil {
			return err
		}
		st.undo = append(st.undo, undoRec{kind: undoKV, kv: st.kv})
		st.kv = -1
	}
	if len(st.sps) > 0 {
		st.undo = append(st.undo, undoRec{kind: undoClear, cache: st.cache, complete: st.complete, bytes: st.cacheBytes})
	}
	st.cache, st.complete, st.cacheBytes = map[string]cval{}, true, 0
	return nil
}

func (st *store) dropAll() error {
	ctx := st.ctx()
	if _, err := st.conn.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
		return err
	}
	rows, err := st.conn.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master
		WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		ORDER BY type = 'table', sql LIKE 'CREATE VIRTUAL%' DESC`)
	if err != nil {
		return err
	}
	type obj struct{ typ, name string }
	var objs []obj
	for rows.Next() {
		var o obj
		var sqlText *string
		if err := rows.Scan(&o.typ, &o.name, &sqlText); err != nil {
			rows.Close()
			return err
		}
		objs = append(objs, o)
	}
	rows.Close()
	for _, o := range objs {
		stmt := "DROP VIEW IF EXISTS "
		if o.typ == "table" {
			stmt = "DROP TABLE IF EXISTS "
		}
		if _, err := st.conn.ExecContext(ctx, stmt+quoteIdent(o.name)); err != nil {
			return err
		}
	}
	for _, t := range []string{"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"} {
		var n int
		if err := st.conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = ?", t).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			if _, err := st.conn.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return err
			}
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
