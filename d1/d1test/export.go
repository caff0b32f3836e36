package d1test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	"github.com/stretchr/testify/require"
)

// awkward is a schema with everything a dump must get right.
const awkward = `CREATE TABLE "my table" ("select" TEXT, "odd ""col""" INTEGER, plain);
CREATE TABLE typed (id INTEGER PRIMARY KEY AUTOINCREMENT, i INTEGER, r REAL, t TEXT, b BLOB, any);
CREATE INDEX typed_t ON typed (t);
CREATE VIEW typed_view AS SELECT id, t FROM typed;
CREATE TRIGGER typed_touch AFTER UPDATE ON typed BEGIN UPDATE typed SET i = i WHERE id = NEW.id; END;
INSERT INTO "my table" VALUES ('it''s', 1, NULL);
INSERT INTO "my table" VALUES (NULL, NULL, x'00ff10');
INSERT INTO "my table" VALUES ('line
break', 2, 'cr' || char(13) || 'here');
INSERT INTO typed (i, r, t, b, any) VALUES ('not a number', 2.0, 42, x'', 2.0);
INSERT INTO typed (i, r, t, b, any) VALUES (9007199254740993, -0.5, 'é', x'deadbeef', 1e300);
INSERT INTO typed (i, r, t, b, any) VALUES (NULL, 1.5, '', 'text in blob', 'x');
DELETE FROM typed WHERE id = 2;
INSERT INTO typed (i) VALUES (3);`

// contents reads every table (but the reserved ones) with the type of each value.
func contents(t *testing.T, db *d1.Database) map[string][][]any {
	t.Helper()
	tables, err := db.Prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\_cf\_%' ESCAPE '\' ORDER BY name`).Raw(ctx)
	require.NoError(t, err)
	out := map[string][][]any{}
	for _, row := range tables {
		name := row[0].(string)
		rows, err := db.Prepare(`SELECT * FROM "`+strings.ReplaceAll(name, `"`, `""`)+`"`).Raw(ctx, d1.RawOptions{ColumnNames: true})
		require.NoError(t, err)
		out[name] = rows
		types, err := db.Prepare(`SELECT sql FROM sqlite_schema WHERE tbl_name = ? ORDER BY name`).Bind(name).Raw(ctx)
		require.NoError(t, err)
		out[name+" schema"] = types
	}
	return out
}

func init() {
	add("D1-046/ExportOptions", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		var all bytes.Buffer
		require.NoError(t, d1.Export(ctx, db, &all, d1.ExportOptions{}))
		lines := strings.Split(strings.TrimSpace(all.String()), "\n")
		require.Equal(t, "PRAGMA defer_foreign_keys=TRUE;", lines[0])
		require.Contains(t, lines, "CREATE TABLE colours (id INTEGER PRIMARY KEY, name TEXT NOT NULL, rgb INTEGER NOT NULL);")
		require.Contains(t, lines, `INSERT INTO "colours" ("id","name","rgb") VALUES(1,'red',16711680);`)
		require.NotContains(t, all.String(), "_cf_")

		var schemaOnly bytes.Buffer
		require.NoError(t, d1.Export(ctx, db, &schemaOnly, d1.ExportOptions{NoData: true}))
		require.NotContains(t, schemaOnly.String(), "INSERT")
		require.Contains(t, schemaOnly.String(), "CREATE TABLE palettes")

		var dataOnly bytes.Buffer
		require.NoError(t, d1.Export(ctx, db, &dataOnly, d1.ExportOptions{NoSchema: true, Tables: []string{"palettes"}}))
		require.Equal(t, "PRAGMA defer_foreign_keys=TRUE;\nINSERT INTO \"palettes\" (\"id\",\"name\",\"colour_id\") VALUES(1,'Night',3);\n", dataOnly.String())

		_, err := db.Exec(ctx, "CREATE VIRTUAL TABLE docs USING fts5(body)")
		require.NoError(t, err)
		err = d1.Export(ctx, db, &bytes.Buffer{}, d1.ExportOptions{})
		require.ErrorIs(t, err, d1.ErrVirtualTable)
	})

	add("D1-047/ExportReimports", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		_, err := d1.Execute(ctx, db, awkward)
		require.NoError(t, err)
		var dump bytes.Buffer
		require.NoError(t, d1.Export(ctx, db, &dump, d1.ExportOptions{}))
		for _, l := range strings.Split(strings.TrimSpace(dump.String()), "\n") {
			require.True(t, strings.HasSuffix(l, ";"), "one statement per line: %q", l)
		}
		fresh, err := d1sqlite.OpenMemory(d1sqlite.Options{})
		require.NoError(t, err)
		other := d1.New(fresh)
		defer other.Close()
		require.NoError(t, d1.Import(ctx, other, &dump))
		require.Equal(t, contents(t, db), contents(t, other))
		// The AUTOINCREMENT counter came along: the next id is the same in both.
		a, err := db.Prepare("INSERT INTO typed (i) VALUES (0) RETURNING id").FirstColumn(ctx, "id")
		require.NoError(t, err)
		b, err := other.Prepare("INSERT INTO typed (i) VALUES (0) RETURNING id").FirstColumn(ctx, "id")
		require.NoError(t, err)
		require.Equal(t, a, b)
	})
}
