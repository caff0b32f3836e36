// Package sqlitedb opens the SQLite databases every embedded driver stores its data in, with
// one set of pragmas, so that durability and concurrency behave the same for every binding.
//
// A database is a pair of pools over one file: Write holds exactly one connection, so writes
// are serialised in the process and never meet SQLITE_BUSY from a sibling; Read holds several,
// which WAL lets run beside the writer. An in-memory database has one connection shared by
// both, because each SQLite memory connection is a database of its own.
//
// Durability: WAL with synchronous=NORMAL. A commit is in the operating system's page cache
// when Exec returns, so it survives the process being killed at any point (the contract every
// binding gives its callers: "acknowledged means on disk"); Options.Full asks for an fsync on
// every commit, which also survives the machine losing power, at the cost of one fsync per
// commit (group commit amortises it).
package sqlitedb
