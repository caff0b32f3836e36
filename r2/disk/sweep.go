package disk

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/flarego/flarego/r2"
)

// sweepGrace keeps the sweep away from files another process sharing the directory may
// be writing right now: only files untouched for this long before Open are candidates.
const sweepGrace = 10 * time.Minute

// sweep removes what crashes leave behind (blob files no index row references, temp
// files) and expires multipart uploads older than r2.UploadExpiry (R2-059). It runs once,
// in the background, after Open; stopping it early is harmless.
func (d *Driver) sweep(ctx context.Context) {
	cutoff := time.Now().Add(-sweepGrace)
	d.sweepTmp(ctx, cutoff)
	d.sweepBlobs(ctx, cutoff)
	d.expireUploads(ctx)
}

func (d *Driver) sweepTmp(ctx context.Context, cutoff time.Time) {
	entries, _ := os.ReadDir(filepath.Join(d.dir, tmpDir))
	for _, e := range entries {
		if ctx.Err() != nil {
			return
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(d.dir, tmpDir, e.Name()))
		}
	}
}

func (d *Driver) sweepBlobs(ctx context.Context, cutoff time.Time) {
	shards, _ := os.ReadDir(filepath.Join(d.dir, blobsDir))
	for _, s := range shards {
		files, _ := os.ReadDir(filepath.Join(d.dir, blobsDir, s.Name()))
		for _, f := range files {
			if ctx.Err() != nil {
				return
			}
			id := f.Name()
			if !validBlobID(id) || id[:2] != s.Name() || d.pins.pinned(id) {
				continue
			}
			info, err := f.Info()
			if err != nil || !info.ModTime().Before(cutoff) {
				continue
			}
			var one int
			err = d.db.Read.QueryRowContext(ctx, "SELECT 1 FROM blobs WHERE id = ?", id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				os.Remove(d.blobPath(id))
			}
		}
	}
}

// expireUploads aborts uploads in progress past their expiry and forgets finished ones
// as old.
func (d *Driver) expireUploads(ctx context.Context) {
	old := time.Now().Add(-r2.UploadExpiry).UnixMilli()
	rows, err := d.db.Read.QueryContext(ctx, "SELECT id FROM uploads WHERE created < ?", old)
	if err != nil {
		return
	}
	var ids []string
	for rows.Next() {
		var id string
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, id := range ids {
		var freed []string
		err := d.write(ctx, func(w wtx) error {
			var err error
			if freed, err = abortTx(w, id, r2.UploadAborted); err != nil {
				return err
			}
			_, err = w.tx.Exec("DELETE FROM uploads WHERE id = ?", id)
			return err
		})
		if err != nil {
			return
		}
		d.free(freed)
	}
}
