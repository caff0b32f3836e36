package durableobject

import (
	"context"
	"database/sql"
	"time"

	"github.com/flarego/flarego/internal/groupcommit"
)

// index is a namespace's own database: every object that has stored state or an alarm, with
// its name (so that ID.Name survives eviction and restarts, DO-011) and its alarm (so that
// alarms survive restarts, DO-061). Writes from many objects share commits.
type index struct {
	h  *Handle
	gc *groupcommit.Committer
}

const indexSchema = `
CREATE TABLE IF NOT EXISTS objects (
	id       TEXT PRIMARY KEY,
	name     TEXT NOT NULL DEFAULT '',
	alarm_ms INTEGER,
	retry    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS objects_alarm ON objects (alarm_ms) WHERE alarm_ms IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`

func openIndex(ctx context.Context, d Driver, ns string, meta map[string]string) (*index, error) {
	h, err := d.OpenIndex(ctx, ns)
	if err != nil {
		return nil, err
	}
	if _, err := h.Write.ExecContext(ctx, indexSchema); err != nil {
		h.Release()
		return nil, err
	}
	for k, v := range meta {
		if _, err := h.Write.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", k, v); err != nil {
			h.Release()
			return nil, err
		}
	}
	return &index{h: h, gc: groupcommit.New(h.Write)}, nil
}

func (ix *index) close() error {
	ix.gc.Close()
	return ix.h.Release()
}

func (ix *index) addObject(ctx context.Context, id ID) error {
	return ix.gc.Do(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO objects (id, name) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE excluded.name != ''`, id.String(), id.name)
		return err
	})
}

func (ix *index) setAlarm(ctx context.Context, id ID, at time.Time, retry int) error {
	return ix.gc.Do(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO objects (id, name, alarm_ms, retry) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET alarm_ms = excluded.alarm_ms, retry = excluded.retry,
				name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END`,
			id.String(), id.name, at.UnixMilli(), retry)
		return err
	})
}

func (ix *index) clearAlarm(ctx context.Context, id ID) error {
	return ix.gc.Do(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE objects SET alarm_ms = NULL, retry = 0 WHERE id = ?`, id.String())
		return err
	})
}

func (ix *index) removeObject(ctx context.Context, id ID) error {
	return ix.gc.Do(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM objects WHERE id = ?`, id.String())
		return err
	})
}

// name returns the name object id was created under, or "".
func (ix *index) name(ctx context.Context, id ID) string {
	var name string
	ix.h.Read.QueryRowContext(ctx, "SELECT name FROM objects WHERE id = ?", id.String()).Scan(&name)
	return name
}

// indexRow is one row of the objects table.
type indexRow struct {
	id    string
	name  string
	alarm *time.Time
	retry int
}

func (ix *index) rows(ctx context.Context, where string, args ...any) ([]indexRow, error) {
	rows, err := ix.h.Read.QueryContext(ctx, "SELECT id, name, alarm_ms, retry FROM objects "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indexRow
	for rows.Next() {
		var r indexRow
		var ms sql.NullInt64
		if err := rows.Scan(&r.id, &r.name, &ms, &r.retry); err != nil {
			return nil, err
		}
		if ms.Valid {
			t := time.UnixMilli(ms.Int64)
			r.alarm = &t
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
