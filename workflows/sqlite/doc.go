// Package sqlite is the embedded Workflows storage driver: one SQLite database per
// workflow, opened through internal/sqlitedb (WAL, synchronous=NORMAL: a write that returned
// survives the process being killed) with writes batched by internal/groupcommit.
//
// Tables: instances (one row per instance, with a partial index on the wake-up time that
// the scheduler reads), steps (one row per step with its attempts as JSON), events (events
// sent and not yet received) and meta. Times are stored as Unix nanoseconds.
package sqlite
