package d1test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/stretchr/testify/require"
)

func init() {
	add("D1-027/Limits", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		// 100 bound parameters are fine, 101 are not.
		q := "SELECT " + strings.TrimSuffix(strings.Repeat("?,", 100), ",")
		_, err := db.Prepare(q).Bind(make([]any, 100)...).All(ctx)
		require.NoError(t, err)
		_, err = db.Prepare(q + ",?").Bind(make([]any, 101)...).All(ctx)
		errText(t, err, "D1_ERROR: too many SQL variables: SQLITE_ERROR")
		// Statements of at most 100,000 bytes.
		long := "SELECT '" + strings.Repeat("x", 100_000-len("SELECT ''")) + "'"
		_, err = db.Prepare(long).All(ctx)
		require.NoError(t, err)
		_, err = db.Prepare(long + "||''").All(ctx)
		errText(t, err, "D1_ERROR: statement too long: SQLITE_TOOBIG")
		// Strings and BLOBs of at most 2,000,000 bytes.
		_, err = db.Prepare("SELECT length(?)").Bind(make([]byte, 2_000_000)).All(ctx)
		require.NoError(t, err)
		_, err = db.Prepare("SELECT length(?)").Bind(make([]byte, 2_000_001)).All(ctx)
		require.ErrorContains(t, err, "SQLITE_TOOBIG")
		_, err = db.Prepare("SELECT zeroblob(2000001)").All(ctx)
		require.ErrorContains(t, err, "SQLITE_TOOBIG")
		// At most 100 columns per table.
		cols := make([]string, 101)
		for i := range cols {
			cols[i] = fmt.Sprintf("c%d", i)
		}
		_, err = db.Prepare("CREATE TABLE wide (" + strings.Join(cols[:100], ", ") + ")").Run(ctx)
		require.NoError(t, err)
		_, err = db.Prepare("CREATE TABLE wider (" + strings.Join(cols, ", ") + ")").Run(ctx)
		errText(t, err, "D1_ERROR: too many columns on wider: SQLITE_ERROR")
		// At most 32 arguments per function.
		args := strings.TrimSuffix(strings.Repeat("1,", 33), ",")
		_, err = db.Prepare("SELECT max(" + args + ")").All(ctx)
		errText(t, err, "D1_ERROR: too many arguments on function max: SQLITE_ERROR")
		// LIKE and GLOB patterns of at most 50 bytes.
		_, err = db.Prepare("SELECT 'a' LIKE ?").Bind(strings.Repeat("a", 50)).All(ctx)
		require.NoError(t, err)
		_, err = db.Prepare("SELECT 'a' LIKE ?").Bind(strings.Repeat("a", 51)).All(ctx)
		errText(t, err, "D1_ERROR: LIKE or GLOB pattern too complex: SQLITE_ERROR")
		// Each limit applies to every statement in a batch.
		_, err = db.Batch(ctx, db.Prepare("INSERT INTO colours VALUES (9, 'x', 0)"), db.Prepare(long+"||''"))
		errText(t, err, "D1_ERROR: statement too long: SQLITE_TOOBIG")
		require.Equal(t, []any{"red", "green", "blue"}, names(t, db))
	})

	add("D1-029/ImportStatementTooLong", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		values := strings.TrimSuffix(strings.Repeat("(NULL, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 0),", 2500), ",")
		err := d1.Import(ctx, db, strings.NewReader("INSERT INTO colours VALUES "+values+";"))
		errText(t, err, "D1_ERROR: statement too long: SQLITE_TOOBIG")
	})

	add("D1-030/ImportWithTransaction", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		err := d1.Import(ctx, db, strings.NewReader("BEGIN TRANSACTION;\nINSERT INTO colours VALUES (9, 'x', 0);\nCOMMIT;"))
		errText(t, err, "D1_ERROR: cannot start a transaction within a transaction: SQLITE_ERROR")
		require.Equal(t, []any{"red", "green", "blue"}, names(t, db))
		_, err = db.Prepare("COMMIT").Run(ctx)
		require.ErrorIs(t, err, d1.ErrD1)
	})

	add("D1-031/ReservedTables", func(t *testing.T, db *d1.Database) {
		_, err := db.Prepare("CREATE TABLE _cf_invalid (name TEXT)").Run(ctx)
		errText(t, err, "D1_ERROR: not authorized: SQLITE_AUTH")
		_, err = db.Prepare("CREATE TABLE _CF_Upper (name TEXT)").Run(ctx)
		require.ErrorContains(t, err, "not authorized")
		_, err = db.Prepare("SELECT * FROM _cf_KV").All(ctx)
		errText(t, err, "D1_ERROR: access to _cf_KV.key is prohibited: SQLITE_AUTH")
		_, err = db.Prepare("PRAGMA table_info(_cf_KV)").All(ctx)
		require.ErrorContains(t, err, "not authorized")
		_, err = db.Prepare("DROP TABLE _cf_KV").Run(ctx)
		require.ErrorContains(t, err, "SQLITE_AUTH")
		_, err = db.Prepare("INSERT INTO _cf_KV VALUES ('a', 'b')").Run(ctx)
		require.ErrorContains(t, err, "SQLITE_AUTH")
		// Pragmas outside D1's list, and settings of read-only ones, are refused.
		_, err = db.Prepare("PRAGMA journal_mode = DELETE").Run(ctx)
		errText(t, err, "D1_ERROR: not authorized: SQLITE_AUTH")
		_, err = db.Prepare("PRAGMA data_version = 5").Run(ctx)
		require.ErrorContains(t, err, "not authorized: SQLITE_AUTH")
		_, err = db.Prepare("ATTACH DATABASE ':memory:' AS other").Run(ctx)
		require.ErrorContains(t, err, "SQLITE_AUTH")
		_, err = db.Prepare("VACUUM").Run(ctx)
		require.ErrorContains(t, err, "SQLITE_AUTH")
		// Documented pragmas work, and the listing shows the reserved table as D1's does.
		tables, err := db.Prepare("PRAGMA table_list").All(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, tables.Results)
		_, err = db.Prepare("PRAGMA foreign_keys").All(ctx)
		require.NoError(t, err)
	})

	add("D1-032/ForeignKeys", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		fk, err := db.Prepare("PRAGMA foreign_keys").FirstColumn(ctx, "foreign_keys")
		require.NoError(t, err)
		require.Equal(t, int64(1), fk)
		_, err = db.Prepare("INSERT INTO palettes (id, name, colour_id) VALUES (2, 'Day', 99)").Run(ctx)
		errText(t, err, "D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT")
		// Deferred, a violation may exist until the end of the transaction.
		_, err = db.Batch(ctx,
			db.Prepare("PRAGMA defer_foreign_keys = true"),
			db.Prepare("INSERT INTO palettes (id, name, colour_id) VALUES (2, 'Day', 4)"),
			db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (4, 'white', 0xffffff)"),
		)
		require.NoError(t, err)
		_, err = db.Batch(ctx,
			db.Prepare("PRAGMA defer_foreign_keys = true"),
			db.Prepare("INSERT INTO palettes (id, name, colour_id) VALUES (3, 'Dusk', 5)"),
		)
		require.ErrorContains(t, err, "FOREIGN KEY constraint failed")
	})
}
