// Package durableobject is the platform's Durable Objects for Go workers: named, single-
// threaded objects with their own transactional storage (a KV API and SQL on one SQLite
// database per object), alarms, and WebSockets that stay open while the object sleeps.
//
// # Writing a class
//
// A class is a Go type and a constructor, registered under the configuration's class_name:
//
//	type Room struct{ state *durableobject.State; env Env }
//
//	func NewRoom(state *durableobject.State, env Env) *Room { return &Room{state, env} }
//
//	func (r *Room) Post(ctx context.Context, m Msg) (int, error) { … }   // an RPC method
//	var Post = durableobject.Method("Post", (*Room).Post)
//
//	durableobject.Register(app, "Room", NewRoom)
//
// The Env field `Rooms *durableobject.Namespace[*Room]` reaches the objects: IDFromName,
// NewUniqueID and IDFromString make IDs, Get and GetByName make stubs, and a stub is called
// through a descriptor (Post.Call(ctx, stub, msg)) or with Stub.Fetch. Optional methods make a
// class take HTTP requests (Fetcher), alarms (Alarmer) and hibernatable WebSocket events
// (WebSocketMessageHandler, WebSocketCloseHandler, WebSocketErrorHandler). The constructor runs
// when an object is first needed and again after every eviction; keep durable state in
// Storage, not in fields.
//
// RPC arguments and results must be JSON-serialisable (checked once, by Method), so that calls
// can cross processes later. In process they are passed as they are; Options.SerializeRPC
// copies them through JSON to catch code that depends on sharing.
//
// # One event at a time, and the output gate
//
// Every event an object gets (a fetch, an RPC call, an alarm, a WebSocket message) is queued in
// arrival order and handled in a turn of its own: exactly one instance exists per ID, and one
// turn runs at a time, from the handler's first line to its return. Too many queued events
// make callers get ErrOverloaded (Options.MaxQueued).
//
// A turn's storage writes, KV and SQL alike, run inside one SQLite transaction that spans the
// turns since the last commit; each turn is a savepoint in it. The engine commits when the
// queue runs empty (or after 128 turns or 2 ms), so turns that arrive together share one
// commit (group commit), and the next turn starts without waiting for a commit when it is
// already queued. A turn's result, and every WebSocket message it sends, is held until the
// commit that covers the writes made before it (the output gate): a caller that has an answer
// knows the writes behind it are on disk and survive the process being killed. A call from one
// object to another leaves only after the caller's writes so far are committed. If a commit
// fails, the object is reset and the held results become errors. AllowUnconfirmed lets a
// result leave before its write commits; Storage.Sync commits at once.
//
// This is stricter than the JavaScript runtime, where a turn yields at every await and the
// input gate only keeps other events out while storage calls are in flight. In Go a turn holds
// the object for its whole handler, across outbound calls too, so the read-modify-write race
// across an await cannot happen, and BlockConcurrencyWhile has nothing to add inside a
// handler or the constructor: there it simply runs its function (and resets the object if the
// function fails or runs past 30 seconds). Called from a goroutine the object started, it
// runs its function as an event of its own, which is what excludes other events there.
// Storage.Transaction likewise.
//
// An object that calls itself, directly or through others (A→B→A), would wait for its own
// turn: the call chain travels in the context, and such a call returns a *CycleError instead.
// Pass the handler's context to calls and to BlockConcurrencyWhile.
//
// A handler that returns an error keeps its writes, as a JavaScript handler that throws does.
// A handler that panics, or calls State.Abort, resets the object: the turn's writes are rolled
// back, the in-memory instance is dropped, the caller gets the error (*PanicError or
// *AbortError inside *RemoteError) and the next event runs the constructor again. Errors of the
// object's own code always come back wrapped in *RemoteError (IsRemote); errors.Is and
// errors.As see through it.
//
// # Storage
//
// The KV API (Storage.Get, Put, Delete, their Many forms, List, DeleteAll, Transaction) stores
// JSON: any value encoding/json takes, decoded back into the type you ask for (Get, GetMany and
// List are also typed generic functions). Reads are served from a per-object cache; writes go
// through to SQLite at once. Keys are at most 2048 bytes; a SQLite-backed object's key and value
// together at most 2 MB; a class declared with key-value storage (LegacyKV) takes values of up
// to 128 KiB and has no SQL. The entries live in the object's SQLite database, in the _cf_KV
// table that SQL cannot read.
//
// The SQL API (Storage.SQL().Exec) runs statements on that database with the platform's
// limits and error texts. Exec reads all of the result at once: a Cursor is a snapshot, and
// its RowsRead counts the rows the cursor returned, one row ahead as on the platform, rather
// than the rows SQLite scanned (the local driver does not expose that count). TEXT values of
// columns declared DATE, DATETIME or TIMESTAMP are returned in SQLite's text form
// ("2006-01-02 15:04:05"), whatever text was stored.
//
// # Alarms
//
// Each object has at most one alarm (Storage.SetAlarm). Alarms are kept in the namespace's
// index database and fired by one timer per namespace; a firing only queues an event, so
// alarms of different objects never wait on each other. Inside the handler GetAlarm reports
// none; a handler that fails is retried after 2, 4, 8, 16, 32 and 64 seconds, then dropped,
// unless it set or deleted the alarm itself. Alarms survive restarts: those that came due while
// the runner was down fire at Engine.Start.
//
// # WebSockets and eviction
//
// State.AcceptWebSocket hands the server end of a worker.NewWebSocketPair to the engine, which
// reads it and calls the object's WebSocket methods one event at a time. The engine, not the
// instance, owns the socket: an object idle for Options.HibernateAfter (10 s) with only such
// sockets is evicted from memory while they stay open, and the next message runs the
// constructor again. Attachments (16 KiB), tags and the auto-response live with the socket.
// Other idle objects are evicted after Options.EvictAfter (70 s). WaitUntil work keeps an
// object in memory. An evicted object loses its instance and storage cache but not its open
// database, so its next event costs a constructor call, not a file open. Open object
// databases are bounded by Options.MaxOpenDatabases; the least recently used idle ones are
// closed first.
//
// # Running it (the runner's API)
//
// A runner makes an Engine before the Env exists (NewEngine with the App, so that it finds the
// registered classes), gets a NamespaceHandle for each configured durable_objects binding
// (Engine.Namespace), fills Env fields with NewBindingValue, then calls Engine.Start with the
// Env and Engine.Close at shutdown. Bindings with the same class and unique key share one
// namespace. The inspection API (NamespaceHandle.Objects, Read, Evict, Delete; ListNamespaces,
// ListObjects, ReadObject and DeleteObject on a Driver when no engine runs) serves the local
// tooling.
//
// State is kept by a Driver: MemoryDriver, or DirDriver(dir) which stores, under dir,
//
//	<namespace>/index.sqlite   the namespace's objects: names and alarms
//	<namespace>/<id>.sqlite    one object's KV entries and SQL tables
//
// where <namespace> is NamespaceDir of the namespace's unique key (by default
// "<worker>-<class>"). An object's file is locked while it is open (SQLite's exclusive
// locking mode): an object lives in one process at a time, and every commit skips the
// shared-memory locks of WAL. Another process (a second runner on the same directory, or the
// CLI's show and delete) waits up to 2 s for it and then fails with ErrInUse; the index and
// the objects not open stay readable. dotest.Run is the conformance suite every driver passes.
//
// # Platform behaviours that do not apply
//
// Checked by dotest against every driver: DO-001 to DO-077, except these, which do not apply
// here, or only in part:
//
//   - DO-007: location hints. One machine has one location; Get takes no hint.
//   - DO-017: there is no input gate to open during an await, because a turn holds the object
//     for its whole handler (see above); dotest checks the stronger guarantee instead.
//   - DO-020: allowConcurrency. Reads never wait for other events' I/O here, so there is
//     nothing to skip. allowUnconfirmed and sync are provided and tested.
//   - DO-051: cursors are snapshots read by Exec, so a cursor kept for later never shows later
//     writes.
//   - DO-053: point-in-time recovery, not supported by the platform's local runtime either.
//   - DO-063: Go WebSocket ends have no accept(), so a socket cannot have been accepted that
//     way; accepting the same socket twice is refused (ErrAlreadyAccepted).
//   - DO-071: protocol pings are answered by the runner's WebSocket connection and never reach
//     an object; the 32 MiB message and 32,768 socket limits apply.
//   - DO-076: the CPU budget is measured and enforced per event only when Options.Limits.CPU is
//     set (reading the thread's CPU clock costs two system calls per event); a handler is
//     stopped only after it returns over budget, which then counts as a failure and resets the
//     object.
package durableobject
