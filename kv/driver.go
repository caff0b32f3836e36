package kv

import (
	"context"
	"time"
)

// Record is one stored key as a Driver sees it: already validated by the Namespace.
type Record struct {
	// Key is the key name, at most MaxKeySize bytes of valid UTF-8.
	Key string
	// Value is the stored value; empty is a valid value. List results leave it nil.
	Value []byte
	// Metadata is the JSON serialisation of the key's metadata, or nil when it has none.
	Metadata []byte
	// Expiration is when the key expires, in seconds since the Unix epoch; 0 means never.
	// A key is expired, and so invisible, once now >= Expiration.
	Expiration int64
}

// Expired reports whether r is expired at now.
func (r *Record) Expired(now time.Time) bool {
	return r.Expiration != 0 && now.Unix() >= r.Expiration
}

// ListQuery selects one page of keys for Driver.List.
type ListQuery struct {
	// Prefix keeps the keys that start with it, compared byte for byte ("" keeps all).
	Prefix string
	// After keeps the keys that sort strictly after it ("" starts at the beginning).
	After string
	// Limit is the most records to return, 1 to MaxListLimit.
	Limit int
	// Now hides the keys expired at that time.
	Now time.Time
}

// Driver is the storage under a Namespace. The Namespace validates every argument and owns
// the platform's semantics (limits, errors, cursors); a driver stores records and answers
// queries. Drivers must be safe for concurrent use.
//
// Every method returns only after its effect is durable for the driver's kind of storage: a
// Put that returned survives a crash of the process for an on-disk driver.
//
// Optional capabilities are the interfaces Purger, BatchGetter, BatchWriter and Sizer; the
// Namespace falls back to the methods here when a driver lacks them.
type Driver interface {
	// Get returns the record of key, or ErrNotFound when there is none or it is expired at
	// now. The returned slices belong to the caller.
	Get(ctx context.Context, key string, now time.Time) (Record, error)
	// Put stores r, replacing any record of the same key (value, metadata and expiration
	// together: KV-017). It must not keep r.Value or r.Metadata after returning.
	Put(ctx context.Context, r Record) error
	// Delete removes key; a missing key is not an error (KV-019).
	Delete(ctx context.Context, key string) error
	// List returns up to q.Limit unexpired records with Value nil, in ascending byte order of
	// their keys, and whether more matching records follow the last one returned.
	List(ctx context.Context, q ListQuery) (records []Record, more bool, err error)
	// Close releases the storage. The Namespace calls it once, from Namespace.Close.
	Close() error
}

// Purger is a Driver that can drop expired records. The Namespace calls it in the
// background, at the earliest expiration it knows of, so that storage does not keep expired
// keys; expired keys are hidden from Get and List whether or not they were purged.
type Purger interface {
	// PurgeExpired deletes every record expired at now and returns the earliest expiration
	// still stored (the zero time when none).
	PurgeExpired(ctx context.Context, now time.Time) (next time.Time, err error)
}

// BatchGetter is a Driver that reads several keys at once, from one consistent view.
type BatchGetter interface {
	// GetMany returns the unexpired records of keys, by key; missing keys are absent.
	GetMany(ctx context.Context, keys []string, now time.Time) (map[string]Record, error)
}

// BatchWriter is a Driver that applies many writes as one atomic, durable unit.
type BatchWriter interface {
	// PutMany stores every record, in order, all or none.
	PutMany(ctx context.Context, records []Record) error
	// DeleteMany removes every key, all or none.
	DeleteMany(ctx context.Context, keys []string) error
}

// Sizer is a Driver that reports how many bytes its live data takes, for stats and for the
// tests that prove replaced values are freed (KV-040).
type Sizer interface {
	// Size is the storage in use, in bytes, not counting space kept free for reuse.
	Size(ctx context.Context) (int64, error)
}
