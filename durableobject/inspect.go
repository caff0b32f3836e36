package durableobject

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"time"

	"github.com/flarego/flarego/worker"
)

// The inspection API (DO-077) is what the runner's local tooling uses to look at and maintain
// Durable Object state: list namespaces and objects, dump an object's KV entries, SQL tables
// and alarm, delete an object's state, evict an object from memory. The functions taking a
// Driver work on stored state while no engine runs (CLI subcommands); the NamespaceHandle
// methods work on a running engine and wait for the object's queued events first, so that
// they see committed state.

// NamespaceInfo describes a namespace with stored state.
type NamespaceInfo struct {
	// UniqueKey identifies the namespace (NamespaceConfig.UniqueKey).
	UniqueKey string
	// Class is the class it last ran.
	Class string
	// Objects counts the objects the index knows (stored state or an alarm).
	Objects int
}

// ObjectInfo describes one object with stored state or an alarm.
type ObjectInfo struct {
	ID    string
	Name  string
	Alarm *time.Time
}

// ObjectDump is an object's stored state.
type ObjectDump struct {
	ID   string
	Name string
	// KV holds the KV API's entries in key order; values are their JSON.
	KV []Entry[json.RawMessage]
	// Tables holds the SQL API's tables.
	Tables []TableDump
	// Alarm is the alarm, if set.
	Alarm *time.Time
	// SizeBytes is the database size (DO-050); 0 when the object has no database.
	SizeBytes int64
}

// TableDump is one SQL table of an ObjectDump.
type TableDump struct {
	Name    string
	SQL     string
	Columns []string
	Rows    [][]any
}

var hexID = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// ResolveID turns what a user typed into an ID of the namespace uniqueKey: 64 hex digits are
// parsed (and checked against the namespace, DO-005), anything else is a name (DO-001).
func ResolveID(uniqueKey, nameOrID string) (ID, error) {
	k := newNSKey(uniqueKey)
	if hexID.MatchString(nameOrID) {
		return k.parse(nameOrID)
	}
	return k.fromName(nameOrID), nil
}

// ListNamespaces lists the namespaces stored by d.
func ListNamespaces(ctx context.Context, d Driver) ([]NamespaceInfo, error) {
	keys, err := d.Namespaces(ctx)
	if err != nil {
		return nil, err
	}
	var out []NamespaceInfo
	for _, k := range keys {
		err := withIndex(ctx, d, k, func(h *Handle) error {
			info := NamespaceInfo{UniqueKey: k}
			h.Read.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'class'").Scan(&info.Class)
			if err := h.Read.QueryRowContext(ctx, "SELECT count(*) FROM objects").Scan(&info.Objects); err != nil {
				return err
			}
			out = append(out, info)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func withIndex(ctx context.Context, d Driver, ns string, fn func(*Handle) error) error {
	h, err := d.OpenIndex(ctx, ns)
	if err != nil {
		return err
	}
	defer h.Release()
	if _, err := h.Write.ExecContext(ctx, indexSchema); err != nil {
		return err
	}
	return fn(h)
}

// ListObjects lists the objects of namespace ns stored by d.
func ListObjects(ctx context.Context, d Driver, ns string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	err := withIndex(ctx, d, ns, func(h *Handle) error {
		rows, err := (&index{h: h}).rows(ctx, "ORDER BY id")
		for _, r := range rows {
			out = append(out, ObjectInfo{ID: r.id, Name: r.name, Alarm: r.alarm})
		}
		return err
	})
	return out, err
}

// ReadObject dumps the stored state of object id of namespace ns. An object with no state
// gives an empty dump.
func ReadObject(ctx context.Context, d Driver, ns string, id ID) (*ObjectDump, error) {
	dump := &ObjectDump{ID: id.String(), Name: id.name}
	err := withIndex(ctx, d, ns, func(h *Handle) error {
		rows, err := (&index{h: h}).rows(ctx, "WHERE id = ?", id.String())
		if err == nil && len(rows) == 1 {
			dump.Alarm = rows[0].alarm
			if dump.Name == "" {
				dump.Name = rows[0].name
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	h, _, err := d.OpenObject(ctx, ns, id, false)
	if errors.Is(err, fs.ErrNotExist) {
		return dump, nil
	}
	if err != nil {
		return nil, err
	}
	defer h.Release()
	conn, err := h.Write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return dump, dumpDatabase(ctx, conn, dump)
}

// DeleteObject erases the stored state of object id of namespace ns: its database and alarm.
func DeleteObject(ctx context.Context, d Driver, ns string, id ID) error {
	if err := d.RemoveObject(ctx, ns, id); err != nil {
		return err
	}
	return withIndex(ctx, d, ns, func(h *Handle) error {
		_, err := h.Write.ExecContext(ctx, "DELETE FROM objects WHERE id = ?", id.String())
		return err
	})
}

func dumpDatabase(ctx context.Context, conn *sql.Conn, dump *ObjectDump) error {
	var pages, free, pageSize int64
	if err := conn.QueryRowContext(ctx, "SELECT (SELECT page_count FROM pragma_page_count), (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)").Scan(&pages, &free, &pageSize); err != nil {
		return err
	}
	dump.SizeBytes = max(pages-free, 1) * pageSize
	rows, err := conn.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return err
	}
	var tables []TableDump
	for rows.Next() {
		var t TableDump
		var text sql.NullString
		if err := rows.Scan(&t.Name, &text); err != nil {
			rows.Close()
			return err
		}
		t.SQL = text.String
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		if t.Name == "_cf_KV" {
			kv, err := conn.QueryContext(ctx, "SELECT key, value FROM _cf_KV ORDER BY key")
			if err != nil {
				return err
			}
			for kv.Next() {
				var e Entry[json.RawMessage]
				var v []byte
				if err := kv.Scan(&e.Key, &v); err != nil {
					kv.Close()
					return err
				}
				e.Value = v
				dump.KV = append(dump.KV, e)
			}
			kv.Close()
			continue
		}
		if hiddenTable(t.Name) {
			continue
		}
		r, err := conn.QueryContext(ctx, "SELECT * FROM "+quoteIdent(t.Name))
		if err != nil {
			return fmt.Errorf("durableobject: dump table %s: %w", t.Name, err)
		}
		c, err := readCursor(r, true)
		if err != nil {
			return err
		}
		t.Columns, t.Rows = c.columns, c.rows
		dump.Tables = append(dump.Tables, t)
	}
	return nil
}

// inspect runs fn on the object's committed storage, after its queued events. fn locks the
// store itself.
func (ns *NamespaceHandle) inspect(ctx context.Context, id ID, fn func(st *store) (any, error)) (any, error) {
	if err := ns.opened(ctx); err != nil {
		return nil, err
	}
	o := ns.object(id)
	ev := &event{kind: evInspect, ctx: ctx, done: make(chan outcome, 1), run: func(any, *worker.Context) (any, error) {
		return fn(o.st)
	}}
	return ns.deliver(ctx, id, ev, false)
}

// ResolveID is ResolveID for this namespace.
func (ns *NamespaceHandle) ResolveID(nameOrID string) (ID, error) { return ResolveID(ns.key, nameOrID) }

// Objects lists the namespace's objects that have stored state or an alarm.
func (ns *NamespaceHandle) Objects(ctx context.Context) ([]ObjectInfo, error) {
	if err := ns.opened(ctx); err != nil {
		return nil, err
	}
	rows, err := ns.index.rows(ctx, "ORDER BY id")
	out := make([]ObjectInfo, 0, len(rows))
	for _, r := range rows {
		out = append(out, ObjectInfo{ID: r.id, Name: r.name, Alarm: r.alarm})
	}
	return out, err
}

// Read dumps the committed state of object id (DO-077).
func (ns *NamespaceHandle) Read(ctx context.Context, id ID) (*ObjectDump, error) {
	v, err := ns.inspect(ctx, id, func(st *store) (any, error) {
		st.mu.Lock()
		defer st.mu.Unlock()
		dump := &ObjectDump{ID: id.String(), Name: st.o.fullID().name}
		if at, ok := st.alarmLocked(); ok {
			dump.Alarm = &at
		}
		if dump.Name == "" {
			if rows, err := ns.index.rows(ctx, "WHERE id = ?", id.String()); err == nil && len(rows) == 1 {
				dump.Name = rows[0].name
			}
		}
		open, err := st.open(false)
		if err != nil || !open {
			return dump, err
		}
		return dump, dumpDatabase(ctx, st.conn, dump)
	})
	if err != nil {
		return nil, err
	}
	return v.(*ObjectDump), nil
}

// Delete erases the stored state of object id, KV, SQL and alarm, and drops its instance; its
// hibernatable WebSockets stay open.
func (ns *NamespaceHandle) Delete(ctx context.Context, id ID) error {
	_, err := ns.inspect(ctx, id, func(st *store) (any, error) {
		st.o.reset()
		st.mu.Lock()
		defer st.mu.Unlock()
		st.closeDBLocked()
		st.cache, st.complete, st.cacheBytes, st.exists, st.alarm = nil, false, 0, 0, nil
		if err := ns.engine.driver.RemoveObject(ctx, ns.key, id); err != nil {
			return nil, err
		}
		if err := ns.index.removeObject(ctx, id); err != nil {
			return nil, err
		}
		ns.alarms.apply(id, &alarmChange{set: false})
		return nil, nil
	})
	return err
}

// Evict drops object id's instance from memory and closes its database, keeping its storage
// (DO-077). Its next event runs the constructor again.
func (ns *NamespaceHandle) Evict(ctx context.Context, id ID) error { return ns.evictNow(ctx, id) }
