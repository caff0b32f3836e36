package durableobject

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"
)

// store is one object's storage: its SQLite connection, the read cache of its KV entries, and
// the state of its open transaction. Writes go straight into SQLite inside one transaction
// that spans the turns since the last commit; each turn runs inside a savepoint, so that a
// failed turn is undone alone, and Transaction nests further savepoints. Savepoints and the
// transaction are opened lazily, on the first write, so a read-only turn costs no SQL at all,
// and an object that neither writes nor uses the SQL API never gets a database file.
type store struct {
	o  *object
	mu sync.Mutex

	h      *Handle
	conn   *sql.Conn
	exists int8 // database: 0 unknown, 1 exists, -1 absent
	kv     int8 // _cf_KV table: 0 unknown, 1 present, -1 absent
	guard  sqlGuard
	stmts  map[string]*sql.Stmt // the engine's own statements
	// userStmts are the SQL API's prepared statements (sqlcache.go).
	userStmts map[string]userStmt
	lru       *list.Element // in the engine's pool of open databases

	cache      map[string]cval
	complete   bool // every key missing from cache is absent from storage
	cacheBytes int

	txOpen     bool
	sps        []savepoint
	turnActive bool
	undo       []undoRec
	gate       bool // the open transaction holds writes that hold outputs (not AllowUnconfirmed)
	held       []output
	heldSince  time.Time
	alarm      *alarmChange // alarm change not yet committed
}

type cval struct {
	v  []byte
	ok bool
}

type savepoint struct {
	name string
	open bool // SAVEPOINT was issued
	mark int  // len(undo) when it was pushed
	txn  bool // a Transaction, not the turn
}

type undoKind uint8

const (
	undoKey undoKind = iota
	undoClear
	undoKV
	undoAlarm
)

// undoRec restores one piece of in-memory state when a savepoint rolls back; SQLite restores
// the data itself.
type undoRec struct {
	kind     undoKind
	key      string
	prev     cval
	had      bool
	cache    map[string]cval
	complete bool
	bytes    int
	kv       int8
	alarm    *alarmChange
}

// output is something that may leave the object only once the writes before it are durable:
// an event's result, or a WebSocket message (DO-018).
type output struct {
	ev   *event
	val  any
	err  error
	send func(err error)
}

func (out output) release(commitErr error) {
	switch {
	case out.send != nil:
		out.send(commitErr)
	case commitErr != nil:
		out.ev.finish(nil, fmt.Errorf("durableobject: storage commit failed, object reset: %w", commitErr))
	default:
		out.ev.finish(out.val, out.err)
	}
}

// Batches: a commit covers at most this many turns, or turns at most this old, so that a
// stream of events never holds results back for long.
const (
	maxBatchTurns = 128
	maxBatchAge   = 2 * time.Millisecond
)

func newStore(o *object) *store { return &store{o: o} }

func (st *store) ctx() context.Context { return context.Background() }

// --- turns and savepoints --------------------------------------------------------------

func (st *store) beginTurn() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.turnActive = true
	st.sps = append(st.sps, savepoint{name: "_cf_turn", mark: len(st.undo)})
	st.o.ns.engine.pool.touch(st)
}

// endTurn keeps the turn's writes: they join the open transaction.
func (st *store) endTurn() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for len(st.sps) > 0 {
		sp := st.sps[len(st.sps)-1]
		st.sps = st.sps[:len(st.sps)-1]
		if sp.open {
			if err := st.exec("RELEASE " + sp.name); err != nil {
				st.o.ns.engine.log.Error("durable object: release savepoint", "error", err)
			}
		}
		if !sp.txn {
			break
		}
	}
	st.turnActive = false
	if len(st.sps) == 0 {
		st.undo = st.undo[:0]
	}
}

// rollbackTurn undoes the turn's writes (a panic, Abort, a failed constructor).
func (st *store) rollbackTurn() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for len(st.sps) > 0 {
		sp := st.sps[len(st.sps)-1]
		st.popRollback()
		if !sp.txn {
			break
		}
	}
	st.turnActive = false
}

// exec runs one of the engine's own statements, prepared once per connection.
func (st *store) exec(query string) error {
	s, err := st.stmt(query)
	if err == nil {
		_, err = s.ExecContext(st.ctx())
	}
	return err
}

// popRollback pops the top savepoint, undoing its writes.
func (st *store) popRollback() {
	sp := st.sps[len(st.sps)-1]
	st.sps = st.sps[:len(st.sps)-1]
	if sp.open {
		if err := st.exec("ROLLBACK TO " + sp.name); err == nil {
			st.exec("RELEASE " + sp.name)
		} else {
			st.o.ns.engine.log.Error("durable object: rollback savepoint", "error", err)
		}
	}
	st.applyUndo(sp.mark)
}

// popRelease pops the top savepoint, keeping its writes.
func (st *store) popRelease() error {
	sp := st.sps[len(st.sps)-1]
	st.sps = st.sps[:len(st.sps)-1]
	if sp.open {
		if err := st.exec("RELEASE " + sp.name); err != nil {
			return err
		}
	}
	if len(st.sps) == 0 {
		st.undo = st.undo[:0]
	}
	return nil
}

func (st *store) applyUndo(mark int) {
	for i := len(st.undo) - 1; i >= mark; i-- {
		u := st.undo[i]
		switch u.kind {
		case undoKey:
			if old, ok := st.cache[u.key]; ok {
				st.cacheBytes -= len(u.key) + len(old.v)
			}
			if u.had {
				st.cache[u.key] = u.prev
				st.cacheBytes += len(u.key) + len(u.prev.v)
			} else {
				delete(st.cache, u.key)
			}
		case undoClear:
			st.cache, st.complete, st.cacheBytes = u.cache, u.complete, u.bytes
		case undoKV:
			st.kv = u.kv
		case undoAlarm:
			st.alarm = u.alarm
		}
	}
	st.undo = st.undo[:mark]
}

// materialize makes sure a transaction and every pending savepoint are open, creating the
// database if needed: called before any write.
func (st *store) materialize() error {
	if _, err := st.open(true); err != nil {
		return err
	}
	if !st.txOpen {
		if err := st.exec("BEGIN"); err != nil {
			return err
		}
		st.txOpen = true
	}
	for i := range st.sps {
		if !st.sps[i].open {
			if err := st.exec("SAVEPOINT " + st.sps[i].name); err != nil {
				return err
			}
			st.sps[i].open = true
		}
	}
	return nil
}

func (st *store) markWrite(unconfirmed bool) {
	if !unconfirmed {
		st.gate = true
	}
}

// --- the output gate ---------------------------------------------------------------------

// deliver hands the outcome of a turn to its caller, or holds it until the commit that covers
// the writes before it.
func (st *store) deliver(ev *event, val any, err error) {
	if ev.done == nil {
		return
	}
	st.mu.Lock()
	if st.gate || len(st.held) > 0 {
		st.hold(output{ev: ev, val: val, err: err})
		st.mu.Unlock()
		return
	}
	st.mu.Unlock()
	ev.finish(val, err)
}

func (st *store) hold(out output) {
	if len(st.held) == 0 {
		st.heldSince = time.Now()
	}
	st.held = append(st.held, out)
}

func (st *store) needsFlush() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.sps) == 0 && (len(st.held) > 0 || st.txOpen || st.alarm != nil)
}

func (st *store) batchFull() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.held) >= maxBatchTurns || (len(st.held) > 0 && time.Since(st.heldSince) >= maxBatchAge)
}

// busy reports whether the store holds uncommitted work.
func (st *store) busy() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.txOpen || len(st.sps) > 0 || len(st.held) > 0 || st.alarm != nil
}

func (st *store) commit() ([]output, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.commitLocked()
}

// commitLocked commits the open transaction and returns the outputs it releases. An alarm
// being set is made durable in the namespace index before the object's data, and one being
// cleared after it, so that a crash in between leaves at worst an alarm that finds nothing to
// do, never data whose alarm was lost.
func (st *store) commitLocked() ([]output, error) {
	if len(st.sps) > 0 {
		return nil, nil // a turn or transaction is still open; it commits later
	}
	o := st.o
	ns := o.ns
	ap := st.alarm
	var err error
	if ap != nil && ap.set {
		err = ns.index.setAlarm(st.ctx(), o.fullID(), ap.at, ap.retry)
	}
	committed := false
	if err == nil && st.txOpen {
		if err = st.exec("COMMIT"); err == nil {
			committed = true
		}
	}
	if err != nil {
		if st.txOpen {
			st.exec("ROLLBACK")
		}
		st.txOpen, st.gate, st.alarm = false, false, nil
		st.undo = st.undo[:0]
		st.cache, st.complete, st.cacheBytes, st.kv = nil, false, 0, 0
		outs := st.held
		st.held = nil
		return outs, err
	}
	st.txOpen, st.gate = false, false
	if ap != nil {
		if !ap.set {
			if err := ns.index.clearAlarm(st.ctx(), o.id); err != nil {
				ns.engine.log.Error("durable object: clear alarm", "error", err)
			}
		}
		ns.alarms.apply(o.fullID(), ap)
		st.alarm = nil
	}
	if committed {
		ns.engine.stats.commits.Add(1)
	}
	if st.cacheBytes > ns.engine.opts.CacheBytes {
		st.cache, st.complete, st.cacheBytes = nil, false, 0
	}
	outs := st.held
	st.held = nil
	return outs, nil
}

// do runs a storage operation. Outside a turn (a goroutine the object started) nothing else
// will commit, so the operation commits at once.
func (st *store) do(fn func() error) error {
	st.mu.Lock()
	err := fn()
	var outs []output
	var cerr error
	flushed := false
	if !st.turnActive && len(st.sps) == 0 && (st.txOpen || st.alarm != nil || len(st.held) > 0) {
		outs, cerr = st.commitLocked()
		flushed = true
	}
	st.mu.Unlock()
	if flushed {
		if cerr != nil {
			st.o.reset()
		}
		release(outs, cerr)
	}
	if err == nil {
		err = cerr
	}
	return err
}

// sync commits now what is pending, inside a turn too (Storage.Sync, and before a call leaves
// the object): the turn's writes so far become durable and can no longer be rolled back.
func (st *store) sync() error {
	st.mu.Lock()
	for _, sp := range st.sps {
		if sp.txn {
			st.mu.Unlock()
			return errors.New("durableobject: Sync inside a transaction")
		}
	}
	if !(st.txOpen || st.alarm != nil || len(st.held) > 0) {
		st.mu.Unlock()
		return nil
	}
	saved := st.sps
	for i := len(saved) - 1; i >= 0; i-- {
		if saved[i].open {
			if err := st.exec("RELEASE " + saved[i].name); err != nil {
				st.mu.Unlock()
				return err
			}
		}
	}
	st.sps = nil
	outs, err := st.commitLocked()
	for i := range saved {
		saved[i].open, saved[i].mark = false, 0
	}
	st.sps = saved
	st.undo = st.undo[:0]
	st.mu.Unlock()
	if err != nil {
		st.o.reset()
	}
	release(outs, err)
	return err
}

// syncForOutput commits before a call leaves the object's turn, when that turn's writes (or
// earlier ones) must be durable before anything leaves (DO-018). Inside a Transaction the call
// is not held back: the transaction cannot commit halfway.
func (st *store) syncForOutput() error {
	st.mu.Lock()
	need := st.gate || len(st.held) > 0
	for _, sp := range st.sps {
		if sp.txn {
			need = false
		}
	}
	st.mu.Unlock()
	if !need {
		return nil
	}
	return st.sync()
}

// --- the database -----------------------------------------------------------------------

// open opens the object's database if it is not open, creating it when create is set.
// It reports whether there is a database.
func (st *store) open(create bool) (bool, error) {
	if st.h != nil {
		return true, nil
	}
	if st.exists < 0 && !create {
		return false, nil
	}
	o := st.o
	ns := o.ns
	e := ns.engine
	h, created, err := e.driver.OpenObject(st.ctx(), ns.key, o.id, create)
	if errors.Is(err, fs.ErrNotExist) {
		st.exists = -1
		if st.cache == nil {
			st.complete = true
		}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	conn, err := h.Write.Conn(st.ctx())
	if err != nil {
		h.Release()
		return false, err
	}
	if err := st.guard.install(st.ctx(), conn); err != nil {
		conn.Close()
		h.Release()
		return false, err
	}
	st.h, st.conn, st.exists = h, conn, 1
	if created {
		st.kv = -1
		if len(st.cache) == 0 {
			st.complete = true
		}
		if err := ns.index.addObject(st.ctx(), o.fullID()); err != nil {
			e.log.Error("durable object: index object", "error", err)
		}
	}
	e.pool.add(st)
	return true, nil
}

// hasKV reports whether the _cf_KV table exists.
func (st *store) hasKV() (bool, error) {
	if st.kv == 0 {
		var n int
		err := st.conn.QueryRowContext(st.ctx(), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_cf_KV'").Scan(&n)
		if err != nil {
			return false, err
		}
		st.kv = -1
		if n > 0 {
			st.kv = 1
		}
	}
	return st.kv > 0, nil
}

func (st *store) ensureKV() error {
	if ok, err := st.hasKV(); err != nil || ok {
		return err
	}
	if _, err := st.conn.ExecContext(st.ctx(), "CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID"); err != nil {
		return err
	}
	st.undo = append(st.undo, undoRec{kind: undoKV, kv: st.kv})
	st.kv = 1
	return nil
}

func (st *store) stmt(query string) (*sql.Stmt, error) {
	if s, ok := st.stmts[query]; ok {
		return s, nil
	}
	s, err := st.conn.PrepareContext(st.ctx(), query)
	if err != nil {
		return nil, err
	}
	if st.stmts == nil {
		st.stmts = map[string]*sql.Stmt{}
	}
	st.stmts[query] = s
	return s, nil
}

// idle reports whether the database may be closed now. st.mu is held.
func (st *store) idleLocked() bool {
	return !st.turnActive && !st.txOpen && len(st.sps) == 0 && len(st.held) == 0 && st.alarm == nil
}

// closeDBLocked closes the database, keeping the cache (it stays true: nobody else writes).
func (st *store) closeDBLocked() {
	if st.h == nil {
		return
	}
	for _, s := range st.stmts {
		s.Close()
	}
	st.stmts = nil
	st.closeUserStmts()
	st.conn.Close()
	if err := st.h.Release(); err != nil {
		st.o.ns.engine.log.Error("durable object: close database", "error", err)
	}
	st.h, st.conn, st.kv = nil, nil, 0
	st.o.ns.engine.pool.remove(st)
	st.forgetRetired()
}

// close releases everything for an evicted object: database and cache.
func (st *store) close() {
	st.mu.Lock()
	if !st.idleLocked() {
		// Only the engine's own shutdown gets here with work pending; commit it.
		outs, err := st.commitLocked()
		defer release(outs, err)
	}
	st.closeDBLocked()
	st.cache, st.complete, st.cacheBytes = nil, false, 0
	st.mu.Unlock()
}
