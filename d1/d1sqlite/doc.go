// Package d1sqlite is the embedded D1 driver: each database is one SQLite file (WAL, opened
// through internal/sqlitedb), or a private in-memory database for tests.
//
// The runner opens a d1_databases entry with OpenDatabase(dir, id, opts): the file is
// dir/FileName(id), the SHA-256 of the id in hex plus ".sqlite", so any id works as a file
// name (D1-049), and the id is recorded inside the file (the reserved _cf_KV table, as on the
// platform). Local tooling opens the same file to reach the same data while the runner
// runs (D1-048): SQLite's locks keep the two apart, and both keep one history.
//
// # Connections
//
// Reads run on a pool of connections beside the single writer (WAL readers do not wait for
// it). A statement is first compiled on a reader; if SQLite's authorizer reports that it
// writes, the query goes to the writer, and the query text is remembered as a write.
// Compiled statements are cached per connection. The writer groups single-statement writes
// that arrive while it is busy into one transaction, each in a savepoint so that a failing
// one is undone alone, and answers each caller only after the commit that covers its write
// (the scheme of internal/groupcommit, run over the held connection because the binding
// needs the connection itself: its authorizer and raw column values). A write alone is a
// transaction of its own; batches, Exec and texts of several statements always are. Commits
// are durable as internal/sqlitedb makes them (synchronous=NORMAL: a crash of the process
// loses nothing acknowledged; Options.Full fsyncs each commit).
//
// Every connection has the platform's limits set with sqlite3_limit and an authorizer that
// keeps the reserved _cf_ tables out of reach and admits D1's PRAGMAs only. Statements are
// stopped at the query timeout, or when their context ends, by a watchdog that interrupts
// them (sqlite3_interrupt) within a quarter of a second. Two unexported fields of the modernc
// driver are read, each found by name and type and covered by a test: the declared column
// types, cleared so that TEXT in DATETIME columns stays text, and the sqlite3 handle, for
// the interrupts.
//
// SQL() hands out a *sql.DB over the same file (a separate pool of connections with the
// _cf_ rule and the storage settings protected, SQLite's default limits otherwise).
//
// # Result cache
//
// A database on disk keeps the results of recent single-statement reads in memory, by
// statement text and arguments (typed: 1, "1" and 1.0 are three keys), so that a repeated
// read, such as a point select of a hot row, costs no SQLite read transaction (whose WAL
// locks are system calls). Only pure reads are kept: statements that SQLite's authorizer,
// as they compile, sees only select, read ordinary tables and views of the main database
// (not virtual tables such as json_each, pragma_table_info or fts5, nor temporary tables),
// and call deterministic built-in functions (not random, changes, last_insert_rowid, the
// date and time functions, sqlite_version or user functions); and results of at most 64
// rows and 64 KiB. A database keeps at most 16,384 results and 16 MiB, the process 64 MiB;
// past that a cache starts over. Callers own what they are handed: results are copied out
// of the cache.
//
// The cache is exact for every write made in this process, through any handle on the file:
// each write counts itself in before it may commit and ends the cache's generation once its
// commit is visible, before it answers; a read serves or stores a result only while no
// write is in progress, and serves it only while the generation is the one its read began
// in. Writes by another process on the file (the CLI while the runner serves) are noticed
// by the database and log files changing size, time or inode, looked at at most every
// 100 ms before a read, so they are seen within 100 ms. Commits through SQL()'s connections
// cannot be noticed before they are visible, so opening SQL() turns the cache off for good,
// for every handle on the file in this process. Options.NoResultCache turns it off; memory
// databases have none.
//
// # Time Travel
//
// A database on disk keeps its history unless Options.Retention is negative: every page
// SQLite commits, in commit order, plus snapshots to start from, so that any commit's state
// can be rebuilt exactly (D1-039). It lives beside the database in <file>.history/:
// history.sqlite holds the commits (number, time, size), their page images in segments, and
// the snapshots' list; base-<n>.sqlite are page-exact copies of the database after commit n.
//
// Capture. SQLite's automatic checkpoints are turned off; committed pages stay in the
// write-ahead log until the driver has copied them. After each commit the writer reads the
// new log frames to number the commit and note its time; at most a second later, before a
// checkpoint, or before any Time Travel call, it copies their page images into the history
// in one transaction, then checkpoints once the log passes 1,000 frames (holding the write
// lock, so that no process commits in between). Commits made through SQL() or by another
// process are found the same way; their times come from SQLite's commit hook (SQL()) or the
// log's modification time. If a program outside this driver checkpoints and restarts the
// log, the commits it folded away are lost to the history, which notices and restarts from a
// new snapshot; earlier states stay restorable. After a crash the log still holds what was
// not yet copied, and the next open copies it.
//
// Restore. The state of commit n is the newest snapshot at or before n with the page images
// of the commits after it laid over in order, cut to commit n's size, written to a temporary
// file; SQLite's backup API then copies it over the live database in one transaction, which
// the history records as a new commit. Readers see the old state until that commit and the
// new one after it. Bookmarks are commit numbers in the platform's format, with a keyed hash
// that ties them to the database.
//
// Costs. Disk: one snapshot the size of the database when the history starts, plus every
// page image committed within the retention (a page written by 1,000 commits is kept 1,000
// times), plus, per restore, the whole database once more (the restore is a commit of every
// page). Time: each page a commit writes is read once more from the log and copied once into
// the history, roughly doubling the writer's work for small writes (see the benchmarks); a
// restore costs a read of the snapshot and the page images since it, and a write of the
// database. Once an hour the history older than the retention (30 days by default) is
// folded into a new snapshot, which costs one rebuild of the database. In-memory databases
// keep no history: their Time Travel calls return d1.ErrTimeTravelUnsupported.
package d1sqlite
