package d1test

import (
	"encoding/json"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/stretchr/testify/require"
)

func init() {
	add("D1-014/MetaFields", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		r, err := db.Prepare("SELECT * FROM colours").All(ctx)
		require.NoError(t, err)
		b, err := json.Marshal(r)
		require.NoError(t, err)
		var shape struct {
			Success bool           `json:"success"`
			Results []any          `json:"results"`
			Meta    map[string]any `json:"meta"`
		}
		require.NoError(t, json.Unmarshal(b, &shape))
		for _, k := range []string{"duration", "changes", "last_row_id", "changed_db", "size_after", "rows_read", "rows_written", "served_by", "served_by_primary", "timings", "total_attempts"} {
			require.Contains(t, shape.Meta, k)
		}
		require.GreaterOrEqual(t, r.Meta.Duration, 0.0)
		require.Positive(t, r.Meta.SizeAfter)
		require.Equal(t, r.Meta.Duration, r.Meta.Timings.SQLDurationMs)
	})

	add("D1-015/MetaCounters", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		r, err := db.Prepare("SELECT * FROM colours").Run(ctx)
		require.NoError(t, err)
		m := r.Meta
		require.Equal(t, int64(3), m.RowsRead)
		require.Equal(t, int64(0), m.RowsWritten)
		require.Equal(t, int64(0), m.Changes)
		require.False(t, m.ChangedDB)

		r, err = db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?) RETURNING *").Bind(4, "yellow", 0xffff00).Run(ctx)
		require.NoError(t, err)
		m = r.Meta
		require.Equal(t, int64(1), m.Changes)
		require.Equal(t, int64(4), m.LastRowID)
		require.Equal(t, int64(2), m.RowsRead)
		require.Equal(t, int64(1), m.RowsWritten)
		require.True(t, m.ChangedDB)

		r, err = db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?)").Bind(5, "orange", 0xff8000).Run(ctx)
		require.NoError(t, err)
		m = r.Meta
		require.Equal(t, int64(1), m.Changes)
		require.Equal(t, int64(5), m.LastRowID)
		require.Equal(t, int64(1), m.RowsRead)
		require.Equal(t, int64(1), m.RowsWritten)
		require.True(t, m.ChangedDB)
		require.Positive(t, m.SizeAfter)

		r, err = db.Prepare("UPDATE colours SET rgb = 0 WHERE id > 3").Run(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(2), r.Meta.Changes)
		require.Equal(t, int64(2), r.Meta.RowsWritten)
	})

	add("D1-016/TemporaryTablesWriteNothing", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		r, err := db.Prepare("SELECT * FROM colours WHERE id IN (1, 2, 3, 4, 5, 6, 7) ORDER BY id").All(ctx)
		require.NoError(t, err)
		require.Len(t, r.Results, 3)
		require.Equal(t, int64(0), r.Meta.RowsWritten)
		r, err = db.Prepare("SELECT DISTINCT name FROM colours WHERE name IN (SELECT name FROM colours) ORDER BY name").All(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(0), r.Meta.RowsWritten)
		require.False(t, r.Meta.ChangedDB)
	})

	// D1-017: last_row_id after a statement that inserts nothing is not defined; locally it
	// is the rowid of the last row the database inserted, which this pins.
	add("D1-017/LastRowIDCarriesOver", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		_, err := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (7, 'x', 0)").Run(ctx)
		require.NoError(t, err)
		r, err := db.Prepare("SELECT * FROM colours").All(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(7), r.Meta.LastRowID)
	})

	add("D1-018/ServedByLocal", func(t *testing.T, db *d1.Database) {
		r, err := db.Prepare("SELECT 1").All(ctx)
		require.NoError(t, err)
		require.Equal(t, "miniflare.db", r.Meta.ServedBy)
		require.True(t, r.Meta.ServedByPrimary)
		require.Equal(t, 1, r.Meta.TotalAttempts)
	})
}
