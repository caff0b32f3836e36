package kv

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// The platform's CLI reads and writes these JSON shapes for bulk operations and listings. The
// binding itself has no bulk write (KV-038); these functions are for local tooling.

// BulkItem is one element of a bulk put file:
//
//	[{"key": "k", "value": "v", "expiration": 1700000000, "expiration_ttl": 3600,
//	  "metadata": {...}, "base64": false}]
//
// key and value are required; value is text, or base64 when Base64 is set.
type BulkItem struct {
	// Key is the key name; required.
	Key *string `json:"key"`
	// Value is the value as text, or base64 when Base64 is set; required.
	Value *string `json:"value"`
	// Expiration is an absolute expiration in Unix seconds; nil for none.
	Expiration *float64 `json:"expiration,omitempty"`
	// ExpirationTTL is seconds from now; it wins over Expiration, as in Put.
	ExpirationTTL *float64 `json:"expiration_ttl,omitempty"`
	// Metadata is any JSON object; nil for none.
	Metadata json.RawMessage `json:"metadata,omitempty"`
	// Base64 says Value is base64 (either alphabet, padding optional), for binary values.
	Base64 bool `json:"base64,omitempty"`
}

// BulkError reports the element of a bulk file that was refused; nothing was written.
type BulkError struct {
	// Index is the element's position in the file's array, from 0.
	Index int
	// Key is the element's key, "" when it had none.
	Key string
	// Err is why: a decoding problem, or the error Put would have returned.
	Err error
}

func (e *BulkError) Error() string {
	return fmt.Sprintf("kv: bulk item %d (key %q): %v", e.Index, e.Key, e.Err)
}

func (e *BulkError) Unwrap() error { return e.Err }

// BulkPut reads a bulk put file (a JSON array of BulkItem) from r and stores every pair in ns,
// with the limits and errors of Put. Every item is checked before anything is written; on a
// driver that implements BatchWriter the pairs are then written as one atomic unit. It
// returns how many pairs were written; a refused item gives a *BulkError.
func BulkPut(ctx context.Context, ns *Namespace, r io.Reader) (int, error) {
	if err := ns.begin(ctx); err != nil {
		return 0, err
	}
	var items []json.RawMessage
	if err := json.NewDecoder(r).Decode(&items); err != nil {
		return 0, fmt.Errorf("kv: bulk put: expected a JSON array of key-value objects: %w", err)
	}
	recs := make([]Record, 0, len(items))
	var earliest int64
	for i, raw := range items {
		rec, err := ns.bulkRecord(raw)
		if err != nil {
			return 0, &BulkError{Index: i, Key: rec.Key, Err: err}
		}
		recs = append(recs, rec)
		if rec.Expiration != 0 && (earliest == 0 || rec.Expiration < earliest) {
			earliest = rec.Expiration
		}
	}
	if err := ns.putMany(ctx, recs); err != nil {
		return 0, err
	}
	if earliest != 0 {
		ns.schedulePurge(time.Unix(earliest, 0))
	}
	return len(recs), nil
}

func (ns *Namespace) bulkRecord(raw json.RawMessage) (Record, error) {
	var it BulkItem
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&it); err != nil {
		return Record{}, err
	}
	if it.Key == nil || it.Value == nil {
		return Record{}, fmt.Errorf(`"key" and "value" must be strings`)
	}
	rec := Record{Key: *it.Key}
	if m := bytes.TrimSpace(it.Metadata); len(m) > 0 && m[0] != '{' && m[0] != '[' && string(m) != "null" {
		return rec, fmt.Errorf(`"metadata" must be an object`)
	}
	var opts []PutOption
	if it.ExpirationTTL != nil {
		opts = append(opts, WithExpirationTTL(time.Duration(*it.ExpirationTTL)*time.Second))
	}
	if it.Expiration != nil {
		opts = append(opts, withExpirationUnix(int64(*it.Expiration)))
	}
	if it.Metadata != nil {
		opts = append(opts, WithMetadata(it.Metadata))
	}
	r, err := ns.prepare(*it.Key, opts)
	if err != nil {
		return rec, err
	}
	r.Value = []byte(*it.Value)
	if it.Base64 {
		if r.Value, err = decodeBase64(*it.Value); err != nil {
			return rec, fmt.Errorf(`"value" is not base64: %w`, err)
		}
	}
	if len(r.Value) > MaxValueSize {
		return rec, valueTooLarge(int64(len(r.Value)))
	}
	return r, nil
}

// decodeBase64 accepts both alphabets, with or without padding, as the platform's CLI does.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	return base64.RawStdEncoding.DecodeString(s)
}

func (ns *Namespace) putMany(ctx context.Context, recs []Record) error {
	if bw, ok := ns.d.(BatchWriter); ok {
		return driverError(opPut, bw.PutMany(ctx, recs))
	}
	for _, r := range recs {
		if err := ns.d.Put(ctx, r); err != nil {
			return driverError(opPut, err)
		}
	}
	return nil
}

// BulkDelete reads a bulk delete file from r, a JSON array of key names or of objects with a
// "name" (what a listing prints), and deletes those keys from ns: atomically on a driver that
// implements BatchWriter. It returns how many keys it was given; a refused element gives a
// *BulkError and nothing is deleted.
func BulkDelete(ctx context.Context, ns *Namespace, r io.Reader) (int, error) {
	if err := ns.begin(ctx); err != nil {
		return 0, err
	}
	var items []json.RawMessage
	if err := json.NewDecoder(r).Decode(&items); err != nil {
		return 0, fmt.Errorf("kv: bulk delete: expected a JSON array of strings or objects with a \"name\" key: %w", err)
	}
	keys := make([]string, 0, len(items))
	for i, raw := range items {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			var obj struct {
				Name *string `json:"name"`
			}
			if err := json.Unmarshal(raw, &obj); err != nil || obj.Name == nil {
				return 0, &BulkError{Index: i, Err: fmt.Errorf("expected a string or an object with a \"name\" key, got %s", raw)}
			}
			name = *obj.Name
		}
		if err := validateKey(opDelete, name); err != nil {
			return 0, &BulkError{Index: i, Key: name, Err: err}
		}
		keys = append(keys, name)
	}
	if bw, ok := ns.d.(BatchWriter); ok {
		return len(keys), driverError(opDelete, bw.DeleteMany(ctx, keys))
	}
	for _, k := range keys {
		if err := ns.d.Delete(ctx, k); err != nil {
			return 0, driverError(opDelete, err)
		}
	}
	return len(keys), nil
}

// WriteKeyList writes every key matching opts to w as one JSON array of the platform's list
// entries ({"name", "expiration", "metadata"}), as the platform's CLI prints a listing.
func WriteKeyList(ctx context.Context, ns *Namespace, w io.Writer, opts ListOptions) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	first := true
	for k, err := range ns.Keys(ctx, opts) {
		if err != nil {
			return err
		}
		b, err := json.Marshal(k)
		if err != nil {
			return err
		}
		if !first {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		first = false
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]\n")
	return err
}
