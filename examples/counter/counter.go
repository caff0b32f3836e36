package main

import (
	"context"

	"github.com/flarego/flarego/durableobject"
)

// Counter is a Durable Object: one instance per counter name, the only one in the world,
// running one call at a time. Its value lives in its own SQLite database.
type Counter struct {
	sql *durableobject.SQL
	// schemaErr is the error of creating the table, if any, reported by every call.
	schemaErr error
}

// NewCounter runs when the object is first used and again whenever it was evicted from
// memory; creating the table is idempotent, so it can run every time.
func NewCounter(state *durableobject.State, env Env) *Counter {
	c := &Counter{sql: state.Storage().SQL()}
	_, c.schemaErr = c.sql.Exec(`CREATE TABLE IF NOT EXISTS counter (
		id    INTEGER PRIMARY KEY CHECK (id = 1), -- one row
		value INTEGER NOT NULL
	)`)
	return c
}

// Add adds by (which may be negative) and returns the new value. Calls run one at a time,
// so concurrent adds never lose an update; the write is on disk before the result leaves.
func (c *Counter) Add(ctx context.Context, by int64) (int64, error) {
	if c.schemaErr != nil {
		return 0, c.schemaErr
	}
	cur, err := c.sql.Exec(`INSERT INTO counter (id, value) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET value = value + excluded.value
		RETURNING value`, by)
	if err != nil {
		return 0, err
	}
	row, err := cur.One()
	if err != nil {
		return 0, err
	}
	return row["value"].(int64), nil
}

// Value returns the current value, 0 for a counter never added to.
func (c *Counter) Value(ctx context.Context, _ struct{}) (int64, error) {
	if c.schemaErr != nil {
		return 0, c.schemaErr
	}
	cur, err := c.sql.Exec(`SELECT value FROM counter WHERE id = 1`)
	if err != nil {
		return 0, err
	}
	if row, ok := cur.Next(); ok {
		return row["value"].(int64), nil
	}
	return 0, nil
}

// The RPC methods, as typed descriptors: the worker calls Add.Call(ctx, stub, 5) and the
// compiler checks the argument and result types. Calls go by name, so the same code works
// when the object lives in another process.
var (
	Add   = durableobject.Method("Add", (*Counter).Add)
	Value = durableobject.Method("Value", (*Counter).Value)
)
