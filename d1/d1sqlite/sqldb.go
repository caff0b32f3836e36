package d1sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	msqlite "modernc.org/sqlite"
)

// SQL returns a *sql.DB over the same database for database/sql code (sqlc, sqlx). It is
// opened on first use and closed with the driver. Its connections keep the reserved _cf_
// tables out of reach and may not change the storage settings the driver relies on
// (journal mode, checkpoints), but otherwise have SQLite's defaults: D1's limits and
// transaction rules apply to the binding only. Commits made through it reach the Time
// Travel history within Options.CaptureInterval. Opening it turns the result cache off for
// good, for every handle on the file in this process: its commits could not be noticed
// before they are visible.
func (d *Driver) SQL() (*sql.DB, error) {
	d.sqlOnce.Do(func() {
		// Off before any connection exists, so no write through it can meet a cached read.
		if d.file != nil {
			d.file.sqlDB.Store(true)
		}
		d.cache.disable()
		c, err := msqlite.NewConnector(d.dsn)
		if err != nil {
			d.sqlErr = fmt.Errorf("d1sqlite: %w", err)
			return
		}
		d.sqlDB = sql.OpenDB(&connector{inner: c, onCommit: d.noteExternalCommit})
		if d.path == "" {
			// Each connection to a memory database is a reader and writer of the same pages
			// without WAL; one at a time keeps them from waiting on each other.
			d.sqlDB.SetMaxOpenConns(1)
		}
	})
	return d.sqlDB, d.sqlErr
}

// connector opens modernc connections with the SQL() policy installed.
type connector struct {
	inner    driver.Connector
	onCommit func() int32
}

// Connect opens a connection and installs the SQL() authorizer and the commit hook.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ar, ok := dc.(msqlite.AuthorizerRegisterer)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("d1sqlite: connection %T has no authorizer", dc)
	}
	a := &authState{sqlPolicy: true}
	if err := ar.RegisterAuthorizer(a.authorize); err != nil {
		dc.Close()
		return nil, err
	}
	// The history learns when its commits happened.
	if hr, ok := dc.(msqlite.HookRegisterer); ok {
		hr.RegisterCommitHook(c.onCommit)
	}
	return dc, nil
}

// Driver returns the modernc driver.
func (c *connector) Driver() driver.Driver { return c.inner.Driver() }
