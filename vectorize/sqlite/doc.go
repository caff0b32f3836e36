// Package sqlite is the on-disk vectorize driver, the runner's default, and the catalog of
// named indexes the runner and its CLI use.
//
// One index is one directory: index.sqlite holds the vectors, metadata and metadata index
// definitions (the source of truth: a write is committed there, through group commit, before
// it returns), and graph.snap holds a snapshot of the in-memory search graph. Opening an
// index loads the snapshot in about the time it takes to read it, then replays from the
// database whatever was written after it (after a crash, say); a missing or damaged snapshot
// means a rebuild from the database, never wrong answers. Snapshots are written in the
// background once enough vectors changed (half the index, at least 5000) and on Close.
//
// Two processes may use one index directory (the runner serving while the CLI inserts):
// stored data is shared through SQLite at once, and each process's search graph picks up
// the other's writes within a second.
//
// The host wires it as:
//
//	cat, err := sqlite.OpenCatalog(filepath.Join(persistTo, "vectorize"), sqlite.Options{Logger: log})
//	env.Docs = cat.Binding(cfg.IndexName)                  // *vectorize.Index, opens lazily
//	err = sqlite.RunCLI(ctx, cat, args, os.Stdout)         // `vectorize create|insert|query|…`
//	defer cat.Close()                                      // writes graph snapshots
//
// With OpenCatalog("") every index lives in memory (--no-persist).
package sqlite
