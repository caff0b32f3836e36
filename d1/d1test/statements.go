package d1test

import (
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/stretchr/testify/require"
)

func init() {
	add("D1-001/PrepareRunsNothing", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		ins := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (9, 'x', 0)")
		bad := db.Prepare("THIS IS NOT SQL")
		require.Equal(t, "THIS IS NOT SQL", bad.SQL())
		n, err := db.Prepare("SELECT count(*) FROM colours").FirstColumn(ctx, "count(*)")
		require.NoError(t, err)
		require.Equal(t, int64(3), n)
		_, err = ins.Run(ctx)
		require.NoError(t, err)
		n, err = db.Prepare("SELECT count(*) AS n FROM colours").FirstColumn(ctx, "n")
		require.NoError(t, err)
		require.Equal(t, int64(4), n)
	})

	add("D1-002/BindReturnsNewStatement", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		sel := db.Prepare("SELECT name FROM colours WHERE id = ?")
		a, b := sel.Bind(1), sel.Bind(2)
		require.NotSame(t, sel, a)
		va, err := a.FirstColumn(ctx, "name")
		require.NoError(t, err)
		vb, err := b.FirstColumn(ctx, "name")
		require.NoError(t, err)
		require.Equal(t, "red", va)
		require.Equal(t, "green", vb)
		// The unbound original still has no parameters.
		_, err = sel.First(ctx)
		errText(t, err, "D1_ERROR: Wrong number of parameter bindings for SQL query.")
		// One statement re-bound inside a batch.
		ins := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?)")
		_, err = db.Batch(ctx, ins.Bind(4, "yellow", 0xffff00), ins.Bind(5, "purple", 0xff00ff))
		require.NoError(t, err)
		rows, err := db.Prepare("SELECT name FROM colours WHERE id > 3 ORDER BY id").Raw(ctx)
		require.NoError(t, err)
		require.Equal(t, [][]any{{"yellow"}, {"purple"}}, rows)
	})

	add("D1-006/FirstRowOrNil", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		row, err := db.Prepare("SELECT * FROM colours ORDER BY id").First(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]any{"id": int64(1), "name": "red", "rgb": int64(0xff0000)}, row)
		row, err = db.Prepare("SELECT * FROM colours WHERE id = 99").First(ctx)
		require.NoError(t, err)
		require.Nil(t, row)
		// The SQL runs as written: a LIMIT of its own is not doubled up.
		row, err = db.Prepare("SELECT id FROM colours ORDER BY id DESC LIMIT 2").First(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]any{"id": int64(3)}, row)
		res, err := db.Prepare("SELECT * FROM colours").All(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(3), res.Meta.RowsRead)
	})

	add("D1-007/FirstColumn", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		v, err := db.Prepare("SELECT * FROM colours ORDER BY id").FirstColumn(ctx, "id")
		require.NoError(t, err)
		require.Equal(t, int64(1), v)
		_, err = db.Prepare("SELECT * FROM colours").FirstColumn(ctx, "nope")
		errText(t, err, "D1_COLUMN_NOTFOUND: Column not found (nope)")
		require.ErrorIs(t, err, d1.ErrColumnNotFound)
		v, err = db.Prepare("SELECT * FROM colours WHERE id = 99").FirstColumn(ctx, "nope")
		require.NoError(t, err)
		require.Nil(t, v)
		v, err = db.Prepare("SELECT NULL AS n").FirstColumn(ctx, "n")
		require.NoError(t, err)
		require.Nil(t, v)
	})

	add("D1-008/FirstOnWriteRunsIt", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		row, err := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?)").Bind(4, "yellow", 0xffff00).First(ctx)
		require.NoError(t, err)
		require.Nil(t, row)
		id, err := db.Prepare("SELECT id FROM colours WHERE name = ?").Bind("yellow").FirstColumn(ctx, "id")
		require.NoError(t, err)
		require.Equal(t, int64(4), id)
	})

	add("D1-009/AllAndRun", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		all, err := db.Prepare("SELECT * FROM colours ORDER BY id").All(ctx)
		require.NoError(t, err)
		run, err := db.Prepare("SELECT * FROM colours ORDER BY id").Run(ctx)
		require.NoError(t, err)
		require.True(t, all.Success)
		require.True(t, run.Success)
		require.Equal(t, all.Results, run.Results)
		require.Equal(t, []map[string]any{
			{"id": int64(1), "name": "red", "rgb": int64(16711680)},
			{"id": int64(2), "name": "green", "rgb": int64(65280)},
			{"id": int64(3), "name": "blue", "rgb": int64(255)},
		}, all.Results)
		w, err := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (4, 'yellow', 0)").Run(ctx)
		require.NoError(t, err)
		require.Equal(t, []map[string]any{}, w.Results)
		require.Equal(t, int64(4), w.Meta.LastRowID)
		require.Equal(t, int64(1), w.Meta.Changes)
	})

	add("D1-010/ReturningRows", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		r, err := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?) RETURNING *").Bind(4, "yellow", 0xffff00).Run(ctx)
		require.NoError(t, err)
		require.Equal(t, []map[string]any{{"id": int64(4), "name": "yellow", "rgb": int64(16776960)}}, r.Results)
		r, err = db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?) RETURNING id").Bind(5, "orange", 0xff8000).All(ctx)
		require.NoError(t, err)
		require.Equal(t, []map[string]any{{"id": int64(5)}}, r.Results)
		require.Equal(t, int64(5), r.Meta.LastRowID)
		require.Equal(t, int64(1), r.Meta.Changes)
	})

	add("D1-011/DuplicateColumnsLossyInObjects", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		q := "SELECT colours.name, palettes.name FROM colours JOIN palettes ON colours.id = palettes.colour_id"
		r, err := db.Prepare(q).All(ctx)
		require.NoError(t, err)
		require.Equal(t, []map[string]any{{"name": "Night"}}, r.Results)
		require.Equal(t, []string{"name", "name"}, r.Columns())
		raw, err := db.Prepare(q).Raw(ctx)
		require.NoError(t, err)
		require.Equal(t, [][]any{{"blue", "Night"}}, raw)
		row, err := db.Prepare(q).First(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]any{"name": "Night"}, row)
	})

	add("D1-012/RawWithColumnNames", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		sel := db.Prepare("SELECT id, name FROM colours ORDER BY id")
		raw, err := sel.Raw(ctx)
		require.NoError(t, err)
		require.Equal(t, [][]any{{int64(1), "red"}, {int64(2), "green"}, {int64(3), "blue"}}, raw)
		withCols, err := sel.Raw(ctx, d1.RawOptions{ColumnNames: true})
		require.NoError(t, err)
		require.Equal(t, [][]any{{"id", "name"}, {int64(1), "red"}, {int64(2), "green"}, {int64(3), "blue"}}, withCols)
		same, err := sel.Raw(ctx, d1.RawOptions{ColumnNames: false})
		require.NoError(t, err)
		require.Equal(t, raw, same)
		dup, err := db.Prepare("SELECT 1 AS a, 2 AS a").Raw(ctx, d1.RawOptions{ColumnNames: true})
		require.NoError(t, err)
		require.Equal(t, [][]any{{"a", "a"}, {int64(1), int64(2)}}, dup)
		empty, err := db.Prepare("SELECT id FROM colours WHERE id = 99").Raw(ctx, d1.RawOptions{ColumnNames: true})
		require.NoError(t, err)
		require.Equal(t, [][]any{{"id"}}, empty)
	})

	add("D1-013/RawOnWriteRunsIt", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		raw, err := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?, ?, ?)").Bind(4, "yellow", 0xffff00).Raw(ctx)
		require.NoError(t, err)
		require.Equal(t, [][]any{}, raw)
		id, err := db.Prepare("SELECT id FROM colours WHERE name = 'yellow'").FirstColumn(ctx, "id")
		require.NoError(t, err)
		require.Equal(t, int64(4), id)
	})
}
