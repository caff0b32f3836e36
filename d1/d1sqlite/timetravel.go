package d1sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/internal/bookmark"
	msqlite "modernc.org/sqlite"
)

// BookmarkAt returns the bookmark of the last commit at or before t (D1-036, D1-039).
func (d *Driver) BookmarkAt(ctx context.Context, t time.Time) (string, error) {
	if d.hist == nil {
		return "", d1.ErrTimeTravelUnsupported
	}
	if err := d.syncHistory(ctx); err != nil {
		return "", err
	}
	var seq sql.NullInt64
	err := d.hist.db.Write.QueryRowContext(ctx,
		`SELECT max(seq) FROM (SELECT seq FROM commits WHERE at <= ?1 UNION ALL SELECT seq FROM bases WHERE at <= ?1)`,
		t.UnixNano()).Scan(&seq)
	if err != nil {
		return "", err
	}
	if !seq.Valid {
		return "", d1.ErrOutsideRetention
	}
	return bookmark.Format(d.key, uint64(seq.Int64)), nil
}

// Restore brings the database back to the state of bookmark b (D1-039): the writer rebuilds
// that state's file from the history and copies it over the live database with SQLite's
// backup API, in one transaction, which the history records as a new commit. It returns
// the bookmark of the state before the restore.
func (d *Driver) Restore(ctx context.Context, b string) (string, error) {
	if d.hist == nil {
		return "", d1.ErrTimeTravelUnsupported
	}
	seq, err := bookmark.Parse(d.key, b)
	if err != nil {
		return "", fmt.Errorf("%w: %q", d1.ErrInvalidBookmark, b)
	}
	var undo string
	err = d.w.submit(&writeOp{ctx: ctx, mode: opBare, fn: func(t *wtx) error {
		h := d.hist
		if err := h.flush(t.dc, true); err != nil {
			return err
		}
		cur := h.latest()
		if seq > cur {
			return fmt.Errorf("%w: %q is newer than the database", d1.ErrInvalidBookmark, b)
		}
		undo = bookmark.Format(d.key, cur)
		tmp, err := h.materialize(ctx, seq)
		if err != nil {
			return err
		}
		defer removeDB(tmp)
		return restoreFrom(t.dc, tmp)
	}})
	if err != nil {
		return "", err
	}
	return undo, nil
}

// syncHistory has the writer copy any commit not yet in the history.
func (d *Driver) syncHistory(ctx context.Context) error {
	return d.w.submit(&writeOp{ctx: ctx, mode: opBare, fn: func(t *wtx) error { return d.hist.flush(t.dc, true) }})
}

// materialize writes the database file as it was after commit seq to a new file in the
// history directory and returns its path: the newest base at or before seq, with the page
// images of the commits after it laid over in order, cut to the commit's size.
func (h *history) materialize(ctx context.Context, seq uint64) (string, error) {
	var baseSeq, pages int64
	var file string
	err := h.db.Write.QueryRowContext(ctx, `SELECT seq, pages, file FROM bases WHERE seq <= ? ORDER BY seq DESC LIMIT 1`, seq).
		Scan(&baseSeq, &pages, &file)
	if errors.Is(err, sql.ErrNoRows) {
		return "", d1.ErrOutsideRetention
	}
	if err != nil {
		return "", err
	}
	if uint64(baseSeq) < seq {
		err := h.db.Write.QueryRowContext(ctx, `SELECT pages FROM commits WHERE seq = ?`, seq).Scan(&pages)
		if errors.Is(err, sql.ErrNoRows) {
			return "", d1.ErrOutsideRetention
		}
		if err != nil {
			return "", err
		}
	}
	tmp := filepath.Join(h.dir, fmt.Sprintf("state-%d-%s.sqlite", seq, randomHex(4)))
	if err := copyFile(filepath.Join(h.dir, file), tmp); err != nil {
		return "", err
	}
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	err = h.apply(ctx, f, baseSeq, int64(seq))
	if err == nil {
		err = f.Truncate(pages * h.pageSize)
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// apply writes the page images of commits (after, upto] into f, in commit order.
func (h *history) apply(ctx context.Context, f *os.File, after, upto int64) error {
	if upto <= after {
		return nil
	}
	var from, to segPos
	err := h.db.Write.QueryRowContext(ctx, `SELECT start_segment, start_offset FROM commits WHERE seq = ?`, after+1).Scan(&from.seg, &from.off)
	if err == nil {
		err = h.db.Write.QueryRowContext(ctx, `SELECT end_segment, end_offset FROM commits WHERE seq = ?`, upto).Scan(&to.seg, &to.off)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return d1.ErrOutsideRetention
	}
	if err != nil {
		return err
	}
	rows, err := h.db.Write.QueryContext(ctx, `SELECT id, data FROM segments WHERE id BETWEEN ? AND ? ORDER BY id`, from.seg, to.seg)
	if err != nil {
		return err
	}
	defer rows.Close()
	rec := 4 + int(h.pageSize)
	for rows.Next() {
		var id int64
		var data sql.RawBytes
		if err := rows.Scan(&id, &data); err != nil {
			return err
		}
		lo, hi := 0, len(data)
		if id == from.seg {
			lo = int(from.off)
		}
		if id == to.seg {
			hi = int(to.off)
		}
		for off := lo; off+rec <= hi; off += rec {
			pgno := int64(binary.BigEndian.Uint32(data[off:]))
			if _, err := f.WriteAt(data[off+4:off+rec], (pgno-1)*h.pageSize); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

// prune folds the history older than cutoff into a base, keeping every state from cutoff
// on restorable: the newest commit at or before cutoff becomes the oldest base.
func (h *history) prune(cutoff time.Time) error {
	ctx := context.Background()
	var r sql.NullInt64
	if err := h.db.Write.QueryRow(`SELECT max(seq) FROM commits WHERE at <= ?`, cutoff.UnixNano()).Scan(&r); err != nil {
		return err
	}
	var oldest int64
	if err := h.db.Write.QueryRow(`SELECT coalesce(min(seq), 0) FROM bases`).Scan(&oldest); err != nil {
		return err
	}
	if !r.Valid || r.Int64 <= oldest {
		return nil
	}
	tmp, err := h.materialize(ctx, uint64(r.Int64))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("base-%d.sqlite", r.Int64)
	if err := os.Rename(tmp, filepath.Join(h.dir, name)); err != nil {
		os.Remove(tmp)
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
	var old []string
	rows, err := tx.Query(`SELECT file FROM bases WHERE seq < ?`, r.Int64)
	if err != nil {
		return err
	}
	for rows.Next() {
		var f string
		rows.Scan(&f)
		old = append(old, f)
	}
	rows.Close()
	for _, q := range []string{
		`INSERT OR REPLACE INTO bases (seq, at, pages, file) SELECT seq, at, pages, ?2 FROM commits WHERE seq = ?1`,
		`DELETE FROM segments WHERE id < (SELECT coalesce(min(start_segment), (SELECT max(id) + 1 FROM segments)) FROM commits WHERE seq > ?1)`,
		`DELETE FROM commits WHERE seq <= ?1`,
		`DELETE FROM bases WHERE seq < ?1`,
	} {
		if _, err := tx.Exec(q, r.Int64, name); err != nil {
			return err
		}
	}
	if err := h.commitTx(tx); err != nil {
		return err
	}
	for _, f := range old {
		os.Remove(filepath.Join(h.dir, f))
	}
	return nil
}

// restoreFrom copies the database at path over the connection's database, in one
// transaction (SQLite's backup API).
func restoreFrom(dc driver.Conn, path string) error {
	rs, ok := dc.(interface {
		NewRestore(string) (*msqlite.Backup, error)
	})
	if !ok {
		return fmt.Errorf("d1sqlite: connection %T cannot restore", dc)
	}
	b, err := rs.NewRestore(path)
	if err != nil {
		return sqliteError(err)
	}
	if _, err := b.Step(-1); err != nil {
		b.Finish()
		return sqliteError(err)
	}
	return sqliteError(b.Finish())
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}

// removeDB removes a database file and the files SQLite may have left beside it.
func removeDB(path string) {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + s)
	}
}
