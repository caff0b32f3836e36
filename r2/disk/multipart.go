package disk

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/flarego/flarego/r2"
)

// Upload rows outlive their upload so that a second abort or complete can tell
// "finished" from "never existed" (R2-050, R2-055); the sweep drops them after
// r2.UploadExpiry.

const uploadColumns = "id, key, state, created, http, custom, storage_class"

func scanUpload(r row) (*r2.Upload, error) {
	var (
		u              r2.Upload
		key            []byte
		created        int64
		httpMeta, cust string
	)
	if err := r.Scan(&u.ID, &key, &u.State, &created, &httpMeta, &cust, &u.StorageClass); err != nil {
		return nil, err
	}
	u.Key, u.Created = string(key), time.UnixMilli(created)
	if err := decodeJSON(httpMeta, &u.HTTPMetadata); err != nil {
		return nil, err
	}
	return &u, decodeJSON(cust, &u.CustomMetadata)
}

type querier interface {
	QueryRow(query string, args ...any) *sql.Row
	Query(query string, args ...any) (*sql.Rows, error)
}

// getUpload returns the upload, or nil.
func getUpload(q querier, id string) (*r2.Upload, error) {
	u, err := scanUpload(q.QueryRow("SELECT "+uploadColumns+" FROM uploads WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return u, err
}

func live(u *r2.Upload, key string) bool {
	return u != nil && u.Key == key && u.State == r2.UploadInProgress && !u.Expired(time.Now())
}

const partColumns = "upload_id, number, blob, size, etag, md5, uploaded"

func getParts(q querier, id string) ([]*r2.UploadPart, error) {
	rows, err := q.Query("SELECT "+partColumns+" FROM parts WHERE upload_id = ? ORDER BY number", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*r2.UploadPart
	for rows.Next() {
		var p r2.UploadPart
		var uploaded int64
		if err := rows.Scan(&p.UploadID, &p.Number, &p.Blob, &p.Size, &p.ETag, &p.MD5, &uploaded); err != nil {
			return nil, err
		}
		p.Uploaded = time.UnixMilli(uploaded)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// CreateUpload records an upload in progress.
func (d *Driver) CreateUpload(ctx context.Context, u *r2.Upload) error {
	if err := d.live(); err != nil {
		return err
	}
	httpMeta, err := encodeJSON(u.HTTPMetadata, u.HTTPMetadata == r2.HTTPMetadata{})
	if err != nil {
		return err
	}
	cust, err := encodeJSON(u.CustomMetadata, len(u.CustomMetadata) == 0)
	if err != nil {
		return err
	}
	return d.commit(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO uploads ("+uploadColumns+") VALUES (?,?,?,?,?,?,?)",
			u.ID, []byte(u.Key), r2.UploadInProgress, u.Created.UnixMilli(), httpMeta, cust, u.StorageClass)
		return err
	})
}

// PutPart stores a part, replacing one with the same number.
func (d *Driver) PutPart(ctx context.Context, key string, p *r2.UploadPart) error {
	if err := d.live(); err != nil {
		d.discard(p.Blob)
		return err
	}
	// Parts are always files: a completed object links them without copying.
	if err := d.materialize(p.Blob); err != nil {
		d.discard(p.Blob)
		return err
	}
	var replaced string
	err := d.write(ctx, func(w wtx) error {
		tx := w.tx
		u, err := getUpload(tx, p.UploadID)
		if err != nil {
			return err
		}
		if !live(u, key) {
			return r2.ErrNoSuchUpload
		}
		var old string
		err = tx.QueryRow("SELECT blob FROM parts WHERE upload_id = ? AND number = ?", p.UploadID, p.Number).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec("INSERT OR REPLACE INTO parts ("+partColumns+") VALUES (?,?,?,?,?,?,?)",
			p.UploadID, p.Number, p.Blob, p.Size, p.ETag, p.MD5, p.Uploaded.UnixMilli()); err != nil {
			return err
		}
		if p.Blob != "" {
			if _, err := tx.Exec("INSERT OR IGNORE INTO blobs (id) VALUES (?)", p.Blob); err != nil {
				return err
			}
		}
		if old != "" {
			if err := w.unlist([]string{old}); err != nil {
				return err
			}
		}
		replaced = old
		return nil
	})
	if err != nil {
		d.discard(p.Blob)
		return err
	}
	if replaced != "" {
		d.free([]string{replaced})
	}
	return nil
}

// CompleteUpload links the chosen parts' blobs to the object: no bytes are copied.
func (d *Driver) CompleteUpload(ctx context.Context, key, id string, build func(*r2.Upload, []*r2.UploadPart) (*r2.Record, error)) error {
	if err := d.live(); err != nil {
		return err
	}
	var freed []string
	err := d.write(ctx, func(w wtx) error {
		tx := w.tx
		freed = freed[:0]
		u, err := getUpload(tx, id)
		if err != nil {
			return err
		}
		if u == nil || u.Key != key {
			return r2.ErrInternal
		}
		if !live(u, key) {
			return r2.ErrNoSuchUpload
		}
		parts, err := getParts(tx, id)
		if err != nil {
			return err
		}
		rec, err := build(u, parts)
		if err != nil {
			return err
		}
		old, inline, err := w.old(key)
		if err != nil {
			return err
		}
		if err := w.store(rec, nil); err != nil {
			return err
		}
		if old != nil {
			if err := w.drop(old, inline); err != nil {
				return err
			}
			freed = append(freed, partIDs(old.Parts)...)
		}
		used := map[string]bool{}
		for _, p := range rec.Parts {
			used[p.Blob] = true
		}
		var unused []string
		for _, p := range parts {
			if p.Blob != "" && !used[p.Blob] {
				unused = append(unused, p.Blob)
			}
		}
		if err := w.unlist(unused); err != nil {
			return err
		}
		freed = append(freed, unused...)
		if _, err := tx.Exec("DELETE FROM parts WHERE upload_id = ?", id); err != nil {
			return err
		}
		_, err = tx.Exec("UPDATE uploads SET state = ? WHERE id = ?", r2.UploadCompleted, id)
		return err
	})
	if err != nil {
		return err
	}
	d.free(freed)
	return nil
}

// AbortUpload frees an upload's parts.
func (d *Driver) AbortUpload(ctx context.Context, key, id string) error {
	if err := d.live(); err != nil {
		return err
	}
	var freed []string
	err := d.write(ctx, func(w wtx) error {
		u, err := getUpload(w.tx, id)
		if err != nil {
			return err
		}
		if u == nil || u.Key != key {
			return r2.ErrInternal
		}
		if u.State != r2.UploadInProgress {
			return nil
		}
		freed, err = abortTx(w, id, r2.UploadAborted)
		return err
	})
	if err != nil {
		return err
	}
	d.free(freed)
	return nil
}

// abortTx deletes an upload's parts, sets its state and returns the blobs to free.
func abortTx(w wtx, id string, state r2.UploadState) ([]string, error) {
	tx := w.tx
	parts, err := getParts(tx, id)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range parts {
		if p.Blob != "" {
			ids = append(ids, p.Blob)
		}
	}
	if err := w.unlist(ids); err != nil {
		return nil, err
	}
	if _, err := tx.Exec("DELETE FROM parts WHERE upload_id = ?", id); err != nil {
		return nil, err
	}
	_, err = tx.Exec("UPDATE uploads SET state = ? WHERE id = ?", state, id)
	return ids, err
}

// Uploads lists uploads in progress by key, creation time and id.
func (d *Driver) Uploads(ctx context.Context, q r2.UploadQuery) ([]*r2.Upload, error) {
	if err := d.live(); err != nil {
		return nil, err
	}
	query := "SELECT " + uploadColumns + " FROM uploads WHERE state = ? AND created >= ? AND key >= ?"
	args := []any{r2.UploadInProgress, time.Now().Add(-r2.UploadExpiry).UnixMilli(), []byte(q.Prefix)}
	if end, ok := prefixEnd(q.Prefix); ok {
		query += " AND key < ?"
		args = append(args, []byte(end))
	}
	if q.HasAfter {
		var marker *r2.Upload
		if q.AfterID != "" {
			m, err := getUpload(d.db.Read, q.AfterID)
			if err != nil {
				return nil, err
			}
			if m != nil && m.Key == q.AfterKey {
				marker = m
			}
		}
		if marker == nil {
			query += " AND key > ?"
			args = append(args, []byte(q.AfterKey))
		} else {
			query += " AND (key > ? OR (key = ? AND (created > ? OR (created = ? AND id > ?))))"
			c := marker.Created.UnixMilli()
			args = append(args, []byte(q.AfterKey), []byte(q.AfterKey), c, c, marker.ID)
		}
	}
	query += " ORDER BY key, created, id LIMIT ?"
	args = append(args, q.Limit)
	rows, err := d.db.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*r2.Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Parts returns an upload in progress and its parts.
func (d *Driver) Parts(ctx context.Context, key, id string) (*r2.Upload, []*r2.UploadPart, error) {
	if err := d.live(); err != nil {
		return nil, nil, err
	}
	u, err := getUpload(d.db.Read, id)
	if err != nil {
		return nil, nil, err
	}
	if !live(u, key) {
		return nil, nil, r2.ErrNoSuchUpload
	}
	parts, err := getParts(d.db.Read, id)
	return u, parts, err
}
