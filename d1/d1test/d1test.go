// Package d1test is the D1 conformance suite every d1.Driver passes, and the function that
// gives unit tests a ready database.
//
//	func TestConformance(t *testing.T) {
//		d1test.Run(t, func(t testing.TB) d1.Driver { ... })
//	}
//
//	func TestSignup(t *testing.T) {
//		db := d1test.Open(t, "../migrations") // in memory, migrations applied
//		...
//	}
//
// Each test's name starts with the CONFORMANCE ID it proves (D1-001…). Tests of Time Travel
// run when the driver is a d1.TimeTraveler and are skipped otherwise.
package d1test

import (
	"context"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	"github.com/stretchr/testify/require"
)

// NewDriver returns a new, empty database's driver. The suite closes it.
type NewDriver func(t testing.TB) d1.Driver

// Open returns an empty in-memory database with the migrations in migrationsDir applied
// (none when it is ""), closed when the test ends.
func Open(t testing.TB, migrationsDir string) *d1.Database {
	t.Helper()
	drv, err := d1sqlite.OpenMemory(d1sqlite.Options{})
	if err != nil {
		t.Fatalf("d1test: open: %v", err)
	}
	db := d1.New(drv)
	t.Cleanup(func() { db.Close() })
	if migrationsDir != "" {
		if _, err := d1.ApplyMigrations(context.Background(), db, migrationsDir, ""); err != nil {
			t.Fatalf("d1test: migrations: %v", err)
		}
	}
	return db
}

// Run runs the conformance suite against the drivers newDriver returns.
func Run(t *testing.T, newDriver NewDriver) {
	run(t, func(t testing.TB) *d1.Database { return d1.New(newDriver(t)) })
}

// RunDeferred runs the suite against databases made by d1.NewDeferred over the drivers
// newDriver returns: every query must wait for the open running in the background.
func RunDeferred(t *testing.T, newDriver NewDriver) {
	run(t, func(t testing.TB) *d1.Database {
		drv := newDriver(t)
		return d1.NewDeferred(func() (d1.Driver, error) { return drv, nil })
	})
}

func run(t *testing.T, open func(t testing.TB) *d1.Database) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := open(t)
			t.Cleanup(func() { db.Close() })
			c.fn(t, db)
		})
	}
}

type testCase struct {
	name string
	fn   func(t *testing.T, db *d1.Database)
}

// cases are filled in by the files of this package, one group of IDs each.
var cases []testCase

func add(name string, fn func(t *testing.T, db *d1.Database)) {
	cases = append(cases, testCase{name, fn})
}

// schema is the fixture most tests start from (the local simulator's own suite's).
const schema = `CREATE TABLE colours (id INTEGER PRIMARY KEY, name TEXT NOT NULL, rgb INTEGER NOT NULL);
CREATE TABLE kitchen_sink (id INTEGER PRIMARY KEY, int INTEGER, real REAL, text TEXT, blob BLOB);
CREATE TABLE palettes (id INTEGER PRIMARY KEY, name TEXT NOT NULL, colour_id INTEGER NOT NULL, FOREIGN KEY (colour_id) REFERENCES colours(id));
INSERT INTO colours (id, name, rgb) VALUES (1, 'red', 0xff0000);
INSERT INTO colours (id, name, rgb) VALUES (2, 'green', 0x00ff00);
INSERT INTO colours (id, name, rgb) VALUES (3, 'blue', 0x0000ff);
INSERT INTO palettes (id, name, colour_id) VALUES (1, 'Night', 3);`

func seed(t *testing.T, db *d1.Database) {
	t.Helper()
	if _, err := db.Exec(context.Background(), schema); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// errText checks err's full text.
func errText(t *testing.T, err error, want string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want, err.Error())
}

var ctx = context.Background()
