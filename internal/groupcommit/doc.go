// Package groupcommit batches concurrent writers into one SQLite transaction.
//
// One autocommit write costs a WAL append and a commit each; under concurrency most of that
// is per commit, not per row. A Committer runs every write submitted while the previous
// commit was in progress inside one transaction, each in its own savepoint so that a failing
// write is undone alone, and returns to each caller only after the commit that covers its
// write: callers keep the "acknowledged means durable" contract and share its cost.
package groupcommit
