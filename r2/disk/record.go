package disk

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flarego/flarego/r2"
)

// row is what *sql.Row and *sql.Rows share.
type row interface{ Scan(dest ...any) error }

// scanRecord reads recordColumns, then extra columns into extra.
func scanRecord(r row, extra ...any) (*r2.Record, error) {
	var (
		key                         []byte
		rec                         r2.Record
		uploaded                    int64
		checksums, httpMeta, custom string
		parts                       string
	)
	dest := append([]any{&key, &rec.Version, &rec.Size, &rec.ETag, &uploaded, &rec.StorageClass,
		&checksums, &httpMeta, &custom, &parts}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	rec.Key = string(key)
	rec.Uploaded = time.UnixMilli(uploaded)
	if err := decodeJSON(checksums, &rec.Checksums); err != nil {
		return nil, err
	}
	if err := decodeJSON(httpMeta, &rec.HTTPMetadata); err != nil {
		return nil, err
	}
	if err := decodeJSON(custom, &rec.CustomMetadata); err != nil {
		return nil, err
	}
	var err error
	if rec.Parts, err = decodeParts(parts); err != nil {
		return nil, err
	}
	return &rec, nil
}

// recordArgs are the column values of rec, in recordColumns order.
func recordArgs(rec *r2.Record) ([]any, error) {
	checksums, err := encodeJSON(rec.Checksums, rec.Checksums == r2.Checksums{})
	if err != nil {
		return nil, err
	}
	httpMeta, err := encodeJSON(rec.HTTPMetadata, rec.HTTPMetadata == r2.HTTPMetadata{})
	if err != nil {
		return nil, err
	}
	custom, err := encodeJSON(rec.CustomMetadata, len(rec.CustomMetadata) == 0)
	if err != nil {
		return nil, err
	}
	return []any{[]byte(rec.Key), rec.Version, rec.Size, rec.ETag, rec.Uploaded.UnixMilli(),
		rec.StorageClass, checksums, httpMeta, custom, encodeParts(rec.Parts)}, nil
}

func encodeJSON(v any, empty bool) (string, error) {
	if empty {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func decodeJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

func encodeParts(parts []r2.BlobRef) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p.Blob)
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(p.Size, 10))
	}
	return b.String()
}

func decodeParts(s string) ([]r2.BlobRef, error) {
	if s == "" {
		return nil, nil
	}
	var out []r2.BlobRef
	for p := range strings.SplitSeq(s, ";") {
		id, size, ok := strings.Cut(p, ":")
		n, err := strconv.ParseInt(size, 10, 64)
		if !ok || err != nil || !validBlobID(id) {
			return nil, fmt.Errorf("r2/disk: corrupt part list %q", p)
		}
		out = append(out, r2.BlobRef{Blob: id, Size: n})
	}
	return out, nil
}
