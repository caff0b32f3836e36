package d1sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flarego/flarego/d1/internal/wal"
	"github.com/flarego/flarego/internal/sqlitedb"
	msqlite "modernc.org/sqlite"
)

// history is a database's Time Travel store: every committed page image, copied out of the
// write-ahead log before SQLite may reuse it, plus base snapshots to start from. The state
// after commit N is a base's pages with the images of the commits after it up to N laid
// over them, which is exactly the file SQLite had: restores reproduce every row, the schema
// and sqlite_sequence.
//
// Layout, in <database file>.history/:
//
//	history.sqlite     commits (seq, time, size in pages, where their page images are), the
//	                   page images (segments: the frames of many commits, in order), the
//	                   bases, and the log cursor (how far the log has been copied)
//	base-<seq>.sqlite  a page-exact copy of the database after commit seq
//
// The driver turns SQLite's automatic checkpoints off and checkpoints itself, only once the
// log has been copied, so no commit is lost in between. After each commit it only reads the
// new frames to number the commit and note its time (track); the page images are copied
// into the history (flush) at most flushDelay later, before a checkpoint, and before any
// Time Travel call. Until then they are safe in the log, which nothing reuses before a
// flush: after a crash, the next open copies them (with the time of that open).
//
// Commits are numbered in the order the log holds them, continuing the history's count, so
// every process sharing the file gives a commit the same number.
type history struct {
	d         *Driver
	dir       string
	walPath   string
	db        *sqlitedb.DB
	retention time.Duration
	pageSize  int64
	scan      wal.Scanner

	latestSeq atomic.Uint64
	pendingN  atomic.Int64

	// Persisted state, mirrored: valid while history.sqlite's data_version is version.
	cur     wal.Cursor
	sealed  bool
	nextSeq uint64
	version int64

	// Tracked, not yet flushed: the log as read up to mem, and the commits after cur.
	mem     wal.Cursor
	pending []pendingCommit
	segBuf  []byte

	lastPrune time.Time
	walSize   atomic.Int64
	walMtime  atomic.Int64
	stop      chan struct{}
	stopped   chan struct{}
}

type pendingCommit struct {
	end wal.Cursor
	at  int64
}

const (
	// checkpointFrames is the log length past which the driver flushes and checkpoints
	// (SQLite's default automatic checkpoint).
	checkpointFrames = 1000
	// flushDelay bounds how long a tracked commit waits to be flushed.
	flushDelay = time.Second
)

const historySchema = `
CREATE TABLE IF NOT EXISTS cursor (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	salt1 INTEGER NOT NULL, salt2 INTEGER NOT NULL, frame INTEGER NOT NULL,
	sum1 INTEGER NOT NULL, sum2 INTEGER NOT NULL, sealed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS commits (
	seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, pages INTEGER NOT NULL,
	start_segment INTEGER NOT NULL, start_offset INTEGER NOT NULL,
	end_segment INTEGER NOT NULL, end_offset INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS commits_at ON commits (at, seq);
CREATE TABLE IF NOT EXISTS segments (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bases (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, pages INTEGER NOT NULL, file TEXT NOT NULL);
`

// startHistory opens (or starts) the history of the database and catches up with the log.
func (d *Driver) startHistory(retention, interval time.Duration) error {
	dir := d.path + ".history"
	db, err := sqlitedb.Open(filepath.Join(dir, "history.sqlite"), sqlitedb.Options{Readers: 1})
	if err != nil {
		return fmt.Errorf("d1sqlite: history: %w", err)
	}
	if _, err := db.Write.Exec(historySchema); err != nil {
		db.Close()
		return fmt.Errorf("d1sqlite: history: %w", err)
	}
	h := &history{d: d, dir: dir, walPath: d.path + "-wal", db: db, retention: retention, pageSize: d.pageSize,
		stop: make(chan struct{}), stopped: make(chan struct{}), version: -1}
	err = d.w.submit(&writeOp{ctx: context.Background(), mode: opBare, fn: func(t *wtx) error {
		var n int
		if err := db.Write.QueryRow(`SELECT count(*) FROM bases`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return h.rebase(t.dc, 0)
		}
		return h.flush(t.dc, true)
	}})
	if err != nil {
		db.Close()
		return fmt.Errorf("d1sqlite: history: %w", err)
	}
	d.hist = h
	if interval <= 0 {
		interval = flushDelay
	}
	go h.watch(interval)
	return nil
}

// latest is the number of the newest commit, flushed or not.
func (h *history) latest() uint64 { return h.latestSeq.Load() }

// watch has the writer flush tracked commits, and look at the log when it changed without
// the writer knowing: commits through SQL() or by another process.
func (h *history) watch(interval time.Duration) {
	defer close(h.stopped)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			if h.pendingN.Load() == 0 {
				fi, err := os.Stat(h.walPath)
				if err != nil || (fi.Size() == h.walSize.Load() && fi.ModTime().UnixNano() == h.walMtime.Load()) {
					continue
				}
			}
			h.d.w.submit(&writeOp{ctx: context.Background(), mode: opBare, fn: func(t *wtx) error { return h.flush(t.dc, true) }})
		}
	}
}

// open opens the log and reads its header; ok is false when there is no log yet.
func (h *history) open() (f *os.File, hdr wal.Header, ok bool, err error) {
	f, err = os.Open(h.walPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, hdr, false, nil
	}
	if err != nil {
		return nil, hdr, false, err
	}
	if fi, err := f.Stat(); err == nil {
		h.walSize.Store(fi.Size())
		h.walMtime.Store(fi.ModTime().UnixNano())
	}
	hdr, err = wal.ReadHeader(f)
	if errors.Is(err, wal.ErrNoLog) {
		f.Close()
		return nil, hdr, false, nil
	}
	if err != nil {
		f.Close()
		return nil, hdr, false, err
	}
	return f, hdr, true, nil
}

// externalTime is the best known time of a commit the driver did not make: the time SQL()
// saw it commit, or else the log's last modification, which is no earlier.
func (h *history) externalTime() int64 {
	if t, ok := h.d.popCommitTime(); ok {
		return t
	}
	return h.walMtime.Load()
}

// track numbers the commits the log holds past what was read before, and flushes when they
// are due. It runs on the writer after each of its commits, which is the last one found;
// any before it were made through SQL() or by another process.
func (h *history) track(dc driver.Conn) (pages int64, err error) {
	f, hdr, ok, err := h.open()
	if err != nil || !ok {
		return 0, err
	}
	defer f.Close()
	if !hdr.Same(h.mem) {
		// A new generation of the log: the persisted state tells how it continues.
		return 0, h.flush(dc, true)
	}
	now := time.Now().UnixNano()
	pos := h.mem.Frame
	first := len(h.pending)
	end, err := h.scan.Scan(f, hdr, h.mem, func(_ uint32, _ []byte, commit uint32) error {
		pos++
		if commit != 0 {
			h.pending = append(h.pending, pendingCommit{end: wal.Cursor{Salt1: hdr.Salt1, Salt2: hdr.Salt2, Frame: pos}, at: now})
			pages = int64(commit)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := len(h.pending) - first
	for i := first; i < len(h.pending)-1; i++ {
		h.pending[i].at = min(h.externalTime(), now)
	}
	// Commit frames past end belong to no commit read to its end: there are none, since a
	// commit frame ends its transaction; end is the last of them.
	h.mem = end
	h.pendingN.Store(int64(len(h.pending)))
	h.latestSeq.Add(uint64(n))
	if len(h.pending) == 0 {
		return pages, nil
	}
	if end.Frame-h.cur.Frame >= checkpointFrames || time.Duration(now-h.pending[0].at) >= flushDelay {
		return pages, h.flush(dc, true)
	}
	return pages, nil
}

// load reads the persisted cursor and next number unless nothing changed the history since
// this process last wrote it.
func (h *history) load(tx *sql.Tx) error {
	var v int64
	if err := tx.QueryRow(`PRAGMA data_version`).Scan(&v); err != nil {
		return err
	}
	if v == h.version {
		return nil
	}
	var sealed int64
	err := tx.QueryRow(`SELECT salt1, salt2, frame, sum1, sum2, sealed FROM cursor WHERE id = 1`).
		Scan(&h.cur.Salt1, &h.cur.Salt2, &h.cur.Frame, &h.cur.Sum1, &h.cur.Sum2, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		h.cur, sealed = wal.Cursor{}, 1
	} else if err != nil {
		return err
	}
	h.sealed = sealed != 0
	var last int64
	if err := tx.QueryRow(`SELECT max(coalesce((SELECT max(seq) FROM commits), 0), coalesce((SELECT max(seq) FROM bases), 0))`).Scan(&last); err != nil {
		return err
	}
	h.nextSeq = uint64(last) + 1
	return nil
}

func (h *history) saveCursor(tx *sql.Tx) error {
	_, err := tx.Exec(`INSERT OR REPLACE INTO cursor (id, salt1, salt2, frame, sum1, sum2, sealed) VALUES (1, ?, ?, ?, ?, ?, ?)`,
		h.cur.Salt1, h.cur.Salt2, h.cur.Frame, h.cur.Sum1, h.cur.Sum2, boolInt(h.sealed))
	return err
}

// commitTx commits tx and remembers the history's version, so the next flush can trust its
// copy of the persisted state.
func (h *history) commitTx(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		h.version = -1
		return err
	}
	// The write pool has one connection: data_version read now is that of our commit.
	if err := h.db.Write.QueryRow(`PRAGMA data_version`).Scan(&h.version); err != nil {
		h.version = -1
	}
	return nil
}

// flush copies the commits the log holds beyond the persisted cursor into the history, with
// the times tracked for them, then checkpoints when the log is long (unless mayCheckpoint
// is false) and prunes once an hour. It runs on the writer, between transactions. The page
// images go into segments, blobs of up to segmentSize holding the frames of many commits in
// order; each commit row says where its frames start and end.
func (h *history) flush(dc driver.Conn, mayCheckpoint bool) error {
	f, hdr, ok, err := h.open()
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	defer f.Close()
	tx, err := h.db.Write.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := h.load(tx); err != nil {
		return err
	}
	from := h.cur
	if !hdr.Same(h.cur) {
		if !h.sealed {
			// The log restarted without a checkpoint of this driver's (another program
			// checkpointed it): the commits in between are lost, so start over from a
			// snapshot. Earlier states stay restorable.
			tx.Rollback()
			return h.rebase(dc, h.nextSeq)
		}
		from = hdr.Start()
	}
	times := make(map[uint32]int64, len(h.pending))
	for _, p := range h.pending {
		if hdr.Same(p.end) {
			times[p.end.Frame] = p.at
		}
	}
	var seg int64
	if err := tx.QueryRow(`SELECT coalesce(max(id), 0) + 1 FROM segments`).Scan(&seg); err != nil {
		return err
	}
	var (
		seq     = h.nextSeq
		now     = time.Now().UnixNano()
		pos     = from.Frame
		last    int64
		buf     = h.segBuf[:0]
		rows    []commitRow
		start   = segPos{seg, 0} // where the current commit's frames start
		spilled bool             // the current commit has frames in a segment already written
		rec     [4]byte
	)
	writeSegment := func() error {
		if _, err := tx.Exec(`INSERT INTO segments (id, data) VALUES (?, ?)`, seg, buf); err != nil {
			return err
		}
		seg++
		buf = buf[:0]
		return nil
	}
	end, err := h.scan.Scan(f, hdr, from, func(pgno uint32, page []byte, commit uint32) error {
		pos++
		binary.BigEndian.PutUint32(rec[:], pgno)
		buf = append(append(buf, rec[:]...), page...)
		if commit == 0 {
			if len(buf) < 2*segmentSize {
				return nil
			}
			// A large transaction: write what it has so far, undone if it never commits.
			if !spilled {
				if _, err := tx.Exec(`SAVEPOINT spill`); err != nil {
					return err
				}
				spilled = true
			}
			return writeSegment()
		}
		at, ok := times[pos]
		if !ok {
			at = min(h.externalTime(), now)
		}
		// Times never go back, whichever process tracked them.
		at = max(at, last)
		last = at
		rows = append(rows, commitRow{seq: int64(seq), at: at, pages: int64(commit), start: start, end: segPos{seg, int64(len(buf))}})
		seq++
		if spilled {
			if _, err := tx.Exec(`RELEASE spill`); err != nil {
				return err
			}
			spilled = false
		}
		if len(buf) >= segmentSize {
			if err := writeSegment(); err != nil {
				return err
			}
		}
		start = segPos{seg, int64(len(buf))}
		return nil
	})
	if err != nil {
		return err
	}
	// Frames after the last commit belong to a transaction still in progress.
	if spilled {
		if _, err := tx.Exec(`ROLLBACK TO spill`); err != nil {
			return err
		}
		if _, err := tx.Exec(`RELEASE spill`); err != nil {
			return err
		}
		seg = start.seg
	}
	buf = buf[:start.off]
	if len(buf) > 0 {
		if err := writeSegment(); err != nil {
			return err
		}
	}
	h.segBuf = buf[:0]
	if err := insertCommits(tx, rows); err != nil {
		return err
	}
	if seq != h.nextSeq || end != h.cur {
		if !hdr.Same(h.cur) {
			h.sealed = false
		}
		h.cur = end
		if err := h.saveCursor(tx); err != nil {
			return err
		}
		if err := h.commitTx(tx); err != nil {
			return err
		}
		h.nextSeq = seq
	} else {
		tx.Rollback()
	}
	h.mem = h.cur
	h.pending = h.pending[:0]
	h.pendingN.Store(0)
	h.latestSeq.Store(h.nextSeq - 1)
	h.d.dropCommitTimes()
	if mayCheckpoint && h.cur.Frame >= checkpointFrames {
		if err := h.checkpoint(dc); err != nil {
			return err
		}
	}
	if time.Since(h.lastPrune) > time.Hour {
		h.lastPrune = time.Now()
		return h.prune(time.Now().Add(-h.retention))
	}
	return nil
}

// segmentSize is the size segments are cut at, between commits.
const segmentSize = 4 << 20

// segPos is a position in the segment stream.
type segPos struct{ seg, off int64 }

type commitRow struct {
	seq, at, pages int64
	start, end     segPos
}

// insertCommits writes commit rows, many to a statement.
func insertCommits(tx *sql.Tx, rows []commitRow) error {
	const per = 100
	for len(rows) > 0 {
		n := min(len(rows), per)
		q := `INSERT INTO commits (seq, at, pages, start_segment, start_offset, end_segment, end_offset) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?),", n), ",")
		args := make([]any, 0, 7*n)
		for _, r := range rows[:n] {
			args = append(args, r.seq, r.at, r.pages, r.start.seg, r.start.off, r.end.seg, r.end.off)
		}
		if _, err := tx.Exec(q, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// checkpoint copies the log into the database file once everything in it is in the
// history. Holding the write lock (BEGIN IMMEDIATE) keeps every process from committing
// between the last flush and the checkpoint; a reader runs the checkpoint, which needs no
// write lock. When it backfilled the whole log, the next writer starts the log over, and
// the history continues with the new generation.
func (h *history) checkpoint(dc driver.Conn) error {
	w := h.d.w0()
	if err := w.exec(bg, dc, "BEGIN IMMEDIATE"); err != nil {
		return sqliteError(err)
	}
	defer w.exec(bg, dc, "ROLLBACK")
	if err := h.flush(dc, false); err != nil {
		return err
	}
	r := <-h.d.readers
	defer func() { h.d.readers <- r }()
	var busy, logFrames, done int64
	err := r.raw(func(rc driver.Conn) error {
		return r.ints(bg, rc, "PRAGMA wal_checkpoint(PASSIVE)", &busy, &logFrames, &done)
	})
	if err != nil {
		return sqliteError(err)
	}
	if busy == 0 && logFrames == done && uint32(logFrames) == h.cur.Frame {
		return h.seal()
	}
	return nil
}

// seal records that the log's current generation is all in the history, so a new
// generation continues it.
func (h *history) seal() error {
	tx, err := h.db.Write.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := h.load(tx); err != nil {
		return err
	}
	h.sealed = true
	if err := h.saveCursor(tx); err != nil {
		return err
	}
	return h.commitTx(tx)
}

// rebase records a snapshot of the database as it is now, as the state of commit seq, with
// the log cursor at the log's end: the history's start, or its restart after a gap.
func (h *history) rebase(dc driver.Conn, seq uint64) error {
	w := h.d.w0()
	if err := w.exec(bg, dc, "BEGIN IMMEDIATE"); err != nil {
		return sqliteError(err)
	}
	defer w.exec(bg, dc, "ROLLBACK")
	cur := wal.Cursor{}
	sealed := true
	f, hdr, ok, err := h.open()
	if err != nil {
		return err
	}
	if ok {
		cur, err = h.scan.Scan(f, hdr, hdr.Start(), func(uint32, []byte, uint32) error { return nil })
		f.Close()
		if err != nil {
			return err
		}
		sealed = false
	}
	name := fmt.Sprintf("base-%d.sqlite", seq)
	path := filepath.Join(h.dir, name)
	r := <-h.d.readers
	err = r.raw(func(rc driver.Conn) error { return backupTo(rc, path) })
	h.d.readers <- r
	if err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tx, err := h.db.Write.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := h.load(tx); err != nil {
		return err
	}
	// A restart's snapshot holds the commits made since the gap, the last of them no later
	// than the log's last change.
	at := time.Now().UnixNano()
	if seq > 0 {
		var last int64
		if err := tx.QueryRow(`SELECT coalesce(max(at), 0) FROM commits`).Scan(&last); err != nil {
			return err
		}
		at = max(min(h.walMtime.Load(), at), last)
	}
	if _, err := tx.Exec(`INSERT INTO bases (seq, at, pages, file) VALUES (?, ?, ?, ?)`, seq, at, fi.Size()/h.pageSize, name); err != nil {
		return err
	}
	h.cur, h.sealed = cur, sealed
	if err := h.saveCursor(tx); err != nil {
		return err
	}
	if err := h.commitTx(tx); err != nil {
		return err
	}
	h.nextSeq = seq + 1
	h.mem = cur
	h.pending = h.pending[:0]
	h.pendingN.Store(0)
	h.latestSeq.Store(seq)
	return nil
}

// backupTo writes a page-exact copy of the connection's database to path.
func backupTo(dc driver.Conn, path string) error {
	bk, ok := dc.(interface {
		NewBackup(string) (*msqlite.Backup, error)
	})
	if !ok {
		return fmt.Errorf("d1sqlite: connection %T cannot back up", dc)
	}
	os.Remove(path)
	b, err := bk.NewBackup(path)
	if err != nil {
		return err
	}
	if _, err := b.Step(-1); err != nil {
		b.Finish()
		return err
	}
	return b.Finish()
}

// close flushes the last commits before the database closes. SQLite checkpoints and removes
// the log when its last connection closes, so the cursor is sealed: a new log continues the
// history.
func (h *history) close(dc driver.Conn) error {
	close(h.stop)
	<-h.stopped
	err := h.flush(dc, false)
	if err == nil {
		err = h.seal()
	}
	if e := h.db.Close(); e != nil && err == nil {
		err = e
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
