package d1test

import (
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/stretchr/testify/require"
)

func init() {
	add("D1-031/PragmaFunctions", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		_, err := db.Exec(ctx, "CREATE INDEX colours_name ON colours (name)")
		require.NoError(t, err)
		// Table-valued pragmas are refused as their PRAGMA statements are, with the same error.
		for _, q := range []string{
			"SELECT * FROM pragma_database_list",
			"SELECT * FROM Pragma_Compile_Options",
			"SELECT count(*) FROM pragma_function_list",
			"SELECT * FROM pragma_journal_mode",
			"SELECT * FROM main.pragma_journal_mode",
			"SELECT * FROM colours, pragma_database_list",
			"SELECT (SELECT group_concat(name) FROM pragma_module_list)",
			"SELECT * FROM pragma_table_info('_cf_KV')",
			"SELECT * FROM PRAGMA_TABLE_INFO('_CF_kv')",
			"SELECT * FROM pragma_integrity_check('colours')",
			"SELECT * FROM sqlite_master AS m, pragma_index_list(m.name)",
		} {
			_, err := db.Prepare(q).All(ctx)
			require.Error(t, err, q)
			errText(t, err, "D1_ERROR: not authorized: SQLITE_AUTH")
		}
		_, err = db.Prepare("SELECT * FROM pragma_table_info(?)").Bind("_cf_KV").All(ctx)
		errText(t, err, "D1_ERROR: not authorized: SQLITE_AUTH")
		_, err = db.Batch(ctx, db.Prepare("INSERT INTO colours VALUES (9, 'x', 0)"), db.Prepare("SELECT * FROM pragma_database_list"))
		errText(t, err, "D1_ERROR: not authorized: SQLITE_AUTH")
		require.Equal(t, []any{"red", "green", "blue"}, names(t, db))
		// Allowed ones work, in any case.
		cols, err := db.Prepare("SELECT name FROM pragma_table_info('colours') ORDER BY cid").Raw(ctx)
		require.NoError(t, err)
		require.Equal(t, [][]any{{"id"}, {"name"}, {"rgb"}}, cols)
		fks, err := db.Prepare("SELECT \"table\", \"from\" FROM PRAGMA_Foreign_Key_List('palettes')").Raw(ctx)
		require.NoError(t, err)
		require.Equal(t, [][]any{{"colours", "colour_id"}}, fks)
		for _, q := range []string{
			"SELECT * FROM pragma_foreign_keys",
			"SELECT * FROM pragma_user_version",
			"SELECT * FROM Pragma_Page_Count",
			"SELECT * FROM pragma_table_list WHERE name = 'colours'",
			"SELECT m.name, l.name FROM sqlite_master AS m, pragma_index_list(m.name) AS l WHERE m.type = 'table' AND substr(m.name, 1, 4) <> '_cf_'",
		} {
			r, err := db.Prepare(q).All(ctx)
			require.NoError(t, err, q)
			require.NotEmpty(t, r.Results, q)
		}
	})
}
