package disk

import (
	"context"

	"github.com/flarego/flarego/r2"
)

// prefixEnd is the smallest string greater than every string starting with p; ok is
// false when there is none (p empty or all 0xff bytes).
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// Scan reads records in key order through the primary key: a range scan, whatever the
// bucket's size.
func (d *Driver) Scan(ctx context.Context, q r2.ScanQuery) ([]*r2.Record, error) {
	if err := d.live(); err != nil {
		return nil, err
	}
	from, after := q.From, q.After
	if q.Prefix > from {
		from, after = q.Prefix, false
	}
	query := "SELECT " + recordColumns + " FROM objects WHERE key "
	if after {
		query += "> ?"
	} else {
		query += ">= ?"
	}
	args := []any{[]byte(from)}
	if end, ok := prefixEnd(q.Prefix); ok {
		query += " AND key < ?"
		args = append(args, []byte(end))
	}
	query += " ORDER BY key LIMIT ?"
	args = append(args, q.Limit)
	rows, err := d.db.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*r2.Record
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}
