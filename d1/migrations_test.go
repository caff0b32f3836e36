package d1_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1test"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

func TestCreateMigration_D1041(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "migrations")
	p, err := d1.CreateMigration(dir, "create users table")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "0000_create_users_table.sql"), p)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "-- Migration number: 0000 \t "), string(b))

	write(t, filepath.Join(dir, "0009_nine.sql"), "")
	write(t, filepath.Join(dir, "notes.txt"), "")
	p, err = d1.CreateMigration(dir, "next")
	require.NoError(t, err)
	require.Equal(t, "0010_next.sql", filepath.Base(p))

	for _, bad := range []string{"a/b", `a\b`} {
		_, err = d1.CreateMigration(dir, bad)
		require.ErrorContains(t, err, "must not contain")
	}
}

func TestMigrationsTable_D1042(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "0000_init.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);")
	db := d1test.Open(t, "")
	applied, err := d1.ApplyMigrations(ctx, db, dir, "")
	require.NoError(t, err)
	require.Equal(t, []string{"0000_init.sql"}, applied)
	cols, err := db.Prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info('d1_migrations')").Raw(ctx)
	require.NoError(t, err)
	require.Equal(t, [][]any{
		{"id", "INTEGER", int64(0), int64(1)},
		{"name", "TEXT", int64(0), int64(0)},
		{"applied_at", "TIMESTAMP", int64(1), int64(0)},
	}, cols)
	rows, err := d1.Migrations{Dir: dir}.Applied(ctx, db)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "0000_init.sql", rows[0].Name)
	require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, rows[0].AppliedAt)

	// A table of another name.
	other := d1test.Open(t, "")
	applied, err = d1.ApplyMigrations(ctx, other, dir, "my_migrations")
	require.NoError(t, err)
	require.Equal(t, []string{"0000_init.sql"}, applied)
	n, err := other.Prepare("SELECT count(*) AS n FROM my_migrations").FirstColumn(ctx, "n")
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

func TestMigrationOrder_D1043(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"10_b.sql", "9_a.sql", "1_x.sql", "abc.sql", "2_z.sql", "2_a.sql", "readme.md", "0003_c.sql"} {
		write(t, filepath.Join(dir, n), "SELECT 1;")
	}
	names, err := d1.ListMigrations(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"1_x.sql", "2_a.sql", "2_z.sql", "0003_c.sql", "9_a.sql", "10_b.sql", "abc.sql"}, names)

	db := d1test.Open(t, "")
	_, err = db.Exec(ctx, "CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);\nINSERT INTO d1_migrations (name) VALUES ('2_a.sql'), ('9_a.sql');")
	require.NoError(t, err)
	todo, err := d1.UnappliedMigrations(ctx, db, dir, "d1_migrations")
	require.NoError(t, err)
	require.Equal(t, []string{"1_x.sql", "2_z.sql", "0003_c.sql", "10_b.sql", "abc.sql"}, todo)
	_, err = d1.ListMigrations(filepath.Join(dir, "missing"))
	require.ErrorContains(t, err, "no migrations present")
}

func TestApplyStopsAtFailure_D1044(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "0001_a.sql"), "-- first\nCREATE TABLE a (x);\nINSERT INTO a VALUES (1);\n")
	write(t, filepath.Join(dir, "0002_b.sql"), "CREATE TABLE b (x);\nINSERT INTO nope VALUES (1);\n")
	write(t, filepath.Join(dir, "0003_c.sql"), "CREATE TABLE c (x);")
	db := d1test.Open(t, "")
	applied, err := d1.ApplyMigrations(ctx, db, dir, "")
	require.Equal(t, []string{"0001_a.sql"}, applied)
	require.ErrorContains(t, err, "migration 0002_b.sql failed: D1_ERROR: no such table: nope: SQLITE_ERROR")
	// 0002 left nothing behind (one transaction), 0003 did not run.
	tables, err := db.Prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('a', 'b', 'c') ORDER BY name").Raw(ctx)
	require.NoError(t, err)
	require.Equal(t, [][]any{{"a"}}, tables)

	// Fixed, the rest applies; applied ones are skipped.
	write(t, filepath.Join(dir, "0002_b.sql"), "CREATE TABLE b (x);")
	applied, err = d1.ApplyMigrations(ctx, db, dir, "")
	require.NoError(t, err)
	require.Equal(t, []string{"0002_b.sql", "0003_c.sql"}, applied)
	applied, err = d1.ApplyMigrations(ctx, db, dir, "")
	require.NoError(t, err)
	require.Empty(t, applied)
	n, err := db.Prepare("SELECT count(*) AS n FROM a").FirstColumn(ctx, "n")
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

func TestMigrationsPattern_D1045(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "migrations")
	write(t, filepath.Join(dir, "0001_init", "migration.sql"), "CREATE TABLE a (x);")
	write(t, filepath.Join(dir, "0002_more", "migration.sql"), "CREATE TABLE b (x);")
	write(t, filepath.Join(dir, "0002_more", "snapshot.json"), "{}")
	m := d1.Migrations{Dir: dir, Pattern: dir + "/*/migration.sql"}
	names, err := m.List()
	require.NoError(t, err)
	require.Equal(t, []string{"0001_init/migration.sql", "0002_more/migration.sql"}, names)
	db := d1test.Open(t, "")
	applied, err := m.Apply(ctx, db)
	require.NoError(t, err)
	require.Equal(t, names, applied)

	_, err = d1.Migrations{Dir: dir, Pattern: "elsewhere/*/migration.sql"}.List()
	require.ErrorContains(t, err, "must start with migrations_dir")
	_, err = d1.Migrations{Pattern: "migrations/*/migration.sql"}.List()
	require.ErrorContains(t, err, "needs migrations_dir")
}

func TestOpenAppliesMigrations(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "0000_users.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL);")
	db := d1test.Open(t, dir)
	_, err := db.Prepare("INSERT INTO users (email) VALUES (?)").Bind("a@example.com").Run(ctx)
	require.NoError(t, err)
}
