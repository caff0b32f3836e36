package d1

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flarego/flarego/d1/internal/sqltext"
)

// Defaults of the config's migrations_dir and migrations_table.
const (
	DefaultMigrationsDir   = "migrations"
	DefaultMigrationsTable = "d1_migrations"
)

// Migrations are a database's migration files and tracking table, as the platform's CLI
// keeps them (D1-041…D1-045). The zero value is the defaults: .sql files in "migrations",
// tracked in "d1_migrations".
type Migrations struct {
	// Dir is migrations_dir; DefaultMigrationsDir when empty.
	Dir string
	// Table is migrations_table; DefaultMigrationsTable when empty.
	Table string
	// Pattern is migrations_pattern, a glob that must start with Dir + "/" (for example
	// "migrations/*/migration.sql", as drizzle writes them); when empty, the .sql files
	// directly in Dir. A migration's name is its path relative to Dir.
	Pattern string
}

// AppliedMigration is a row of the tracking table.
type AppliedMigration struct {
	ID        int64  `json:"id" db:"id"`
	Name      string `json:"name" db:"name"`
	AppliedAt string `json:"applied_at" db:"applied_at"`
}

func (m Migrations) dir() string {
	if m.Dir == "" {
		return DefaultMigrationsDir
	}
	return m.Dir
}

func (m Migrations) table() string {
	if m.Table == "" {
		return DefaultMigrationsTable
	}
	return m.Table
}

// CreateMigration is Migrations{Dir: dir}.Create(message).
func CreateMigration(dir, message string) (string, error) {
	return Migrations{Dir: dir}.Create(message)
}

// ListMigrations is Migrations{Dir: dir}.List().
func ListMigrations(dir string) ([]string, error) { return Migrations{Dir: dir}.List() }

// UnappliedMigrations is Migrations{Dir: dir, Table: table}.Unapplied(ctx, db).
func UnappliedMigrations(ctx context.Context, db *Database, dir, table string) ([]string, error) {
	return Migrations{Dir: dir, Table: table}.Unapplied(ctx, db)
}

// ApplyMigrations is Migrations{Dir: dir, Table: table}.Apply(ctx, db).
func ApplyMigrations(ctx context.Context, db *Database, dir, table string) ([]string, error) {
	return Migrations{Dir: dir, Table: table}.Apply(ctx, db)
}

// Create writes a new, empty migration "NNNN_<message>.sql" in Dir (created when missing),
// numbered one past the highest number there, with spaces in message turned into
// underscores (D1-041). It returns the file's path. A message with / or \ is refused.
func (m Migrations) Create(message string) (string, error) {
	if strings.ContainsAny(message, `/\`) {
		return "", fmt.Errorf("d1: migration message %q must not contain / or \\", message)
	}
	if strings.TrimSpace(message) == "" {
		return "", errors.New("d1: empty migration message")
	}
	dir := m.dir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	next := 0
	for _, e := range entries {
		if n, ok := leadingNumber(e.Name()); ok && strings.HasSuffix(e.Name(), ".sql") && n >= next {
			next = n + 1
		}
	}
	name := fmt.Sprintf("%04d_%s.sql", next, strings.ReplaceAll(message, " ", "_"))
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return "", err
	}
	_, err = fmt.Fprintf(f, "-- Migration number: %04d \t %s\n", next, time.Now().UTC().Format("2006-01-02T15:04:05.000Z"))
	if e := f.Close(); err == nil {
		err = e
	}
	return p, err
}

// List returns the migrations' names (paths relative to Dir, with forward slashes), in the
// order they apply: by leading number, numerically, then by name; names without a leading
// number come last (D1-043).
func (m Migrations) List() ([]string, error) {
	dir := m.dir()
	var names []string
	if m.Pattern == "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("d1: no migrations present at %s: %w", dir, err)
		}
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
				names = append(names, e.Name())
			}
		}
	} else {
		prefix := path.Clean(filepath.ToSlash(dir)) + "/"
		if m.Dir == "" {
			return nil, fmt.Errorf("d1: migrations_pattern %q needs migrations_dir to be set", m.Pattern)
		}
		if !strings.HasPrefix(filepath.ToSlash(m.Pattern), prefix) {
			return nil, fmt.Errorf("d1: migrations_pattern %q must start with migrations_dir %q", m.Pattern, prefix)
		}
		matches, err := fs.Glob(os.DirFS(dir), strings.TrimPrefix(filepath.ToSlash(m.Pattern), prefix))
		if err != nil {
			return nil, fmt.Errorf("d1: migrations_pattern %q: %w", m.Pattern, err)
		}
		names = matches
	}
	sort.SliceStable(names, func(i, j int) bool { return migrationLess(names[i], names[j]) })
	return names, nil
}

func migrationLess(a, b string) bool {
	na, oka := leadingNumber(a)
	nb, okb := leadingNumber(b)
	switch {
	case oka && okb && na != nb:
		return na < nb
	case oka != okb:
		return oka
	}
	return a < b
}

// leadingNumber reads the digits a name starts with.
func leadingNumber(name string) (int, bool) {
	i := 0
	for i < len(name) && name[i] >= '0' && name[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(name[:i])
	return n, err == nil
}

// Applied returns the rows of the tracking table, oldest first; none when it does not exist.
func (m Migrations) Applied(ctx context.Context, db *Database) ([]AppliedMigration, error) {
	exists, err := db.Prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).Bind(m.table()).First(ctx)
	if err != nil || exists == nil {
		return nil, err
	}
	return All[AppliedMigration](ctx, db.Prepare(`SELECT * FROM `+quoteID(m.table())+` ORDER BY id`))
}

// Unapplied returns the migrations not yet in the tracking table, in order (D1-043).
func (m Migrations) Unapplied(ctx context.Context, db *Database) ([]string, error) {
	names, err := m.List()
	if err != nil {
		return nil, err
	}
	applied, err := m.Applied(ctx, db)
	if err != nil {
		return nil, err
	}
	done := make(map[string]bool, len(applied))
	for _, a := range applied {
		done[a.Name] = true
	}
	var out []string
	for _, n := range names {
		if !done[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

// Apply creates the tracking table when missing (D1-042) and runs each unapplied migration
// as one transaction: its statements, then the insert of its name (D1-044). It stops at the
// first failure, with that migration's error; the names applied before it are returned.
func (m Migrations) Apply(ctx context.Context, db *Database) ([]string, error) {
	table := quoteID(m.table())
	_, err := db.Prepare(`CREATE TABLE IF NOT EXISTS ` + table + `(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`).Run(ctx)
	if err != nil {
		return nil, err
	}
	todo, err := m.Unapplied(ctx, db)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range todo {
		text, err := os.ReadFile(filepath.Join(m.dir(), filepath.FromSlash(name)))
		if err != nil {
			return applied, err
		}
		var stmts []*Statement
		for _, s := range sqltext.Split(string(text)) {
			stmts = append(stmts, db.Prepare(s.Text))
		}
		stmts = append(stmts, db.Prepare(`INSERT INTO `+table+` (name) values (`+quoteString(name)+`)`))
		if _, err := db.Batch(ctx, stmts...); err != nil {
			return applied, fmt.Errorf("d1: migration %s failed: %w", name, err)
		}
		applied = append(applied, name)
	}
	return applied, nil
}

func quoteID(s string) string     { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
