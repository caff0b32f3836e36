// Package d1 is the D1 binding: a *Database that behaves like the platform's D1Database, over
// a small Driver that runs the SQL. Package d1sqlite is the embedded driver (one SQLite file
// per database, or memory) and d1test the conformance suite every driver passes.
//
// A worker declares it in its Env and the runner fills it from the config's d1_databases:
//
//	type Env struct {
//		DB *d1.Database `binding:"DB"`
//	}
//
//	row, err := env.DB.Prepare("SELECT * FROM users WHERE id = ?").Bind(id).First(ctx)
//	users, err := d1.All[User](ctx, env.DB.Prepare("SELECT * FROM users"))
//
// Unit tests use d1test.Open(t, "migrations"): an in-memory database with the migrations
// applied.
//
// # The platform's API in Go
//
//	db.prepare(sql)                   Prepare → *Statement; nothing runs yet (D1-001)
//	stmt.bind(...values)              Bind → a new *Statement (D1-002)
//	stmt.first()                      First → map[string]any, nil when no rows (D1-006, 008)
//	stmt.first("col")                 FirstColumn (D1-007)
//	stmt.all(), stmt.run()            All, Run → *Result{Success, Results, Meta} (D1-009, 010)
//	stmt.raw({columnNames})           Raw(ctx, RawOptions{ColumnNames: true}) (D1-012, 013)
//	db.batch([stmts])                 Batch(ctx, stmts...) → []*Result, one transaction (D1-021, 022)
//	db.exec(sql)                      Exec → *ExecResult{Count, Duration} (D1-023, 024)
//	db.withSession(c)                 WithSession → *Session: Prepare, Batch, Bookmark (D1-033…038)
//	(typed rows, Go only)             All[T], First[T]: structs by `db` or `json` tags, scalars, maps
//	(database/sql, Go only)           SQL() → *sql.DB over the same data, for sqlc and sqlx
//
// Results keep Go's types: INTEGER is int64 (exact beyond 2^53, where JavaScript rounds),
// REAL float64, TEXT string (also in columns declared DATE or TIMESTAMP), BLOB []byte
// (JavaScript gets an array of numbers; WriteJSON writes one), NULL nil (D1-026). In the row
// maps a later column overwrites an earlier one of the same name; Raw and Result.Columns keep
// them all (D1-011). Bind takes what the platform's bind takes (D1-003): numbers, strings,
// bools (stored as 1 and 0), nil, []byte and arrays of integers 0–255 (BLOBs); it also
// follows pointers and asks driver.Valuer values (sql.NullString…) for theirs. Anything else
// makes the statement fail with D1_TYPE_ERROR (D1-004), including time.Time: store
// t.Format(time.RFC3339) or t.Unix(), as JavaScript stores Dates. Parameters are ? and ?NNN;
// :name, @name and $name are refused (D1-005). A text of several statements runs them all
// and returns the last one's result; only the last may have parameters (D1-019).
//
// # Errors
//
// Every error is a *Error whose text is the platform's, "<code>: <message>":
//
//	D1_ERROR: no such table: users: SQLITE_ERROR           (D1-020; errors.As finds *SQLiteError)
//	D1_ERROR: Wrong number of parameter bindings for SQL query.
//	D1_ERROR: No SQL statements detected.                  (D1-025)
//	D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'
//	D1_COLUMN_NOTFOUND: Column not found (email)
//	D1_EXEC_ERROR: Error in line 2: <line>: <message>
//	D1_SESSION_ERROR: invalid bookmark or constraint: <arg>
//
// errors.Is matches the code sentinels (ErrD1, ErrType, ErrColumnNotFound, ErrExec,
// ErrSession) and the causes (ErrWrongParamCount, ErrNoStatements, context.Canceled…).
// A D1_ERROR from the engine wraps a *SQLiteError (code and bare message), which wraps the
// driver's own error. Every call first counts one subrequest against the running invocation
// (worker.Subrequest); when the budget is spent that error is returned as it is.
//
// # Limits
//
// The platform's SQL limits (D1-027) are SQLite's own limits on every connection the binding
// uses, so they fail with SQLite's messages: 100 bound parameters ("too many SQL
// variables"), statements of 100,000 bytes ("statement too long", D1-029), strings, BLOBs
// and rows of 2,000,000 bytes ("string or blob too big"), 100 columns, 32 function
// arguments, LIKE and GLOB patterns of 50 bytes, 30 s per query (the error is then
// context.DeadlineExceeded's). They hold for each statement of a batch. Tables named _cf_*
// cannot be created, read or inspected ("not authorized", "access to _cf_KV.key is
// prohibited", D1-031). PRAGMAs outside D1's list are refused, and so are ATTACH and
// VACUUM (which attaches a database of its own). Transactions are the binding's: BEGIN fails
// inside the batch's own transaction (D1-030). Foreign keys are enforced; PRAGMA
// defer_foreign_keys defers them to the end of a batch (D1-032).
//
// # Sessions and bookmarks
//
// A local database is its own only copy: every query reads the newest data, so sessions
// hold trivially. (With d1sqlite on disk, a write by another process, such as the CLI while
// the runner serves, reaches reads within 100 ms: d1sqlite's result cache.) What a session adds is its bookmark, "00000000-00000000-0000002a-…", the
// position of the newest commit it saw; bookmarks sort oldest to newest and only move
// forward (D1-035, D1-036). Queries through the Database itself are the platform's
// always-primary session and expose none (D1-037). With d1sqlite on disk, bookmarks number
// the commits in the database's history and stay valid across restarts; in memory they count
// from zero for each database.
//
// # Time Travel
//
// On the platform Time Travel is a CLI and REST feature (D1-040). Here it is real and local:
// CurrentBookmark, BookmarkAt (the bookmark of a time: the same one for the same time, every
// time), Restore and RestoreAt bring a database back to exactly an earlier state, within the
// driver's retention (d1sqlite: 30 days by default), return the bookmark to undo the
// restore, and leave every other bookmark valid (D1-039). A driver offers it by implementing
// TimeTraveler; see d1sqlite for how it is kept and what it costs.
//
// # Local tooling
//
// What the platform's CLI does with a local database, as functions the runner's subcommands
// call: Migrations (create, list, apply, with the d1_migrations table, D1-041…045), Execute
// and ExecuteFile ("d1 execute --command|--file", one transaction, D1-048) with WriteTable
// and WriteJSON to print the results, Export ("d1 export", D1-046) and Import, whose round
// trip reproduces a database (D1-047), and the Time Travel methods above with
// ParseTimestamp for --timestamp.
//
// # Conformance
//
// d1test proves D1-001 to D1-027, D1-029 to D1-039 and D1-046 and D1-047 for every driver,
// with the ID in each test's name (the Time Travel tests run for drivers that keep a
// history). This package's tests prove D1-041 to D1-045 (migrations), D1-048 (execute)
// and D1-051; d1sqlite's prove D1-027 (query timeout), D1-039 (restores across
// checkpoints, restarts, crashes and retention), D1-048 and D1-049. Where the local answer
// differs from production's, or an item does not apply:
//
//   - D1-015: rows_read counts rows returned plus rows changed, rows_written rows changed.
//     That matches the platform's documented cases; a scan that reads more rows than it
//     returns reads more on the platform (SQLite there counts rows the engine touched).
//   - D1-017: last_row_id after a statement that inserts nothing is the last rowid the
//     database inserted (pinned by a test; not to be relied on).
//   - D1-014, D1-018: served_by is "miniflare.db", as in the local simulator, and
//     served_by_primary is true; served_by_region and served_by_colo name replicas and data
//     centres, which a local database has none of, and are left out.
//   - D1-024: exec runs its lines in one transaction, as the local simulator does, and names
//     the line that failed (the simulator always says line 1).
//   - D1-028: account and database limits (10 GB and 500 MB databases, 1,000 queries and 6
//     connections per invocation) are not enforced; every call counts against the
//     invocation's subrequest budget instead, which the runner's strict mode sets to the
//     platform's figure.
//   - D1-033, D1-038: there are no replicas; constraints are accepted and change nothing.
//   - D1-039: the platform's rate of 10 restores per 10 minutes is not enforced, and a
//     restore waits for the writes in progress rather than cancelling them; reads in
//     progress finish on the state they started with.
//   - D1-040: Time Travel is available locally (above), as an extension.
//   - D1-050: db.dump() is deprecated and only ever worked for alpha databases; the binding
//     has no Dump. Export writes a database as SQL.
//   - D1-051: overload and lost-connection errors do not happen to a local database; any
//     driver error reaches the caller as D1_ERROR with its text (tested with a failing
//     driver).
package d1
