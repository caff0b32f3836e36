package kv

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"iter"
	"time"
)

// ListOptions select the keys of List and Keys. The zero value lists every key, 1000 a page.
type ListOptions struct {
	// Prefix keeps the keys that start with it, byte for byte and case-sensitively; `%`, `_`
	// and `\` are plain characters (KV-027). At most MaxKeySize bytes (KV-028).
	Prefix string
	// Limit is the page size, 1 to MaxListLimit; 0 means MaxListLimit, as the binding never
	// sends a limit below 1 (KV-029). Negative or larger values give an *Error.
	Limit int
	// Cursor continues from the page that returned it; pass the same Prefix again (KV-031).
	Cursor string
}

// Key is one entry of a List page.
type Key struct {
	// Name is the key.
	Name string
	// Expiration is when the key expires, whole seconds; the zero time when it never does
	// (KV-033).
	Expiration time.Time
	// Metadata is the JSON the key was put with, or nil when none (KV-034).
	Metadata json.RawMessage
}

// keyJSON is the platform's shape of a list entry: absent fields are omitted.
type keyJSON struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// MarshalJSON writes the platform's shape: {"name", "expiration" in Unix seconds,
// "metadata"}, omitting the absent ones.
func (k Key) MarshalJSON() ([]byte, error) {
	j := keyJSON{Name: k.Name, Metadata: k.Metadata}
	if !k.Expiration.IsZero() {
		j.Expiration = k.Expiration.Unix()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the shape MarshalJSON writes.
func (k *Key) UnmarshalJSON(b []byte) error {
	var j keyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*k = Key{Name: j.Name, Metadata: j.Metadata}
	if j.Expiration != 0 {
		k.Expiration = time.Unix(j.Expiration, 0)
	}
	return nil
}

// ListResult is one page of keys, shaped like the platform's list() result (KV-030).
type ListResult struct {
	// Keys are in ascending order of their UTF-8 bytes (KV-026). A page may be empty and
	// still not be the last (KV-035).
	Keys []Key `json:"keys"`
	// ListComplete is true on the last page.
	ListComplete bool `json:"list_complete"`
	// Cursor continues the listing; "" on the last page.
	Cursor string `json:"cursor,omitempty"`
}

// List returns one page of keys. Keys put after the cursor position while paging show up on
// later pages; keys before it do not (KV-032). Errors: *Error for an invalid limit, prefix
// or cursor, reported as "GET" like the platform's list failures.
func (ns *Namespace) List(ctx context.Context, opts ListOptions) (ListResult, error) {
	if err := ns.begin(ctx); err != nil {
		return ListResult{}, err
	}
	if err := validateListLimit(opts.Limit); err != nil {
		return ListResult{}, err
	}
	if err := validateKeyLength(opGet, opts.Prefix); err != nil {
		return ListResult{}, err
	}
	after, err := decodeCursor(opts.Cursor)
	if err != nil {
		return ListResult{}, err
	}
	limit := opts.Limit
	if limit == 0 {
		limit = MaxListLimit
	}
	recs, more, err := ns.d.List(ctx, ListQuery{Prefix: opts.Prefix, After: after, Limit: limit, Now: time.Now()})
	if err != nil {
		return ListResult{}, driverError(opGet, err)
	}
	res := ListResult{Keys: make([]Key, len(recs)), ListComplete: !more}
	for i, r := range recs {
		res.Keys[i] = Key{Name: r.Key, Metadata: r.Metadata}
		if r.Expiration != 0 {
			res.Keys[i].Expiration = time.Unix(r.Expiration, 0)
		}
	}
	if more && len(recs) > 0 {
		res.Cursor = encodeCursor(recs[len(recs)-1].Key)
	} else if more {
		res.Cursor = opts.Cursor
	}
	return res, nil
}

// Keys iterates over every key matching opts, fetching pages of opts.Limit keys from
// opts.Cursor on. Each page is one List call (and one subrequest). An error is yielded once,
// with a zero Key, and ends the iteration.
func (ns *Namespace) Keys(ctx context.Context, opts ListOptions) iter.Seq2[Key, error] {
	return func(yield func(Key, error) bool) {
		for {
			page, err := ns.List(ctx, opts)
			if err != nil {
				yield(Key{}, err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k, nil) {
					return
				}
			}
			if page.ListComplete {
				return
			}
			opts.Cursor = page.Cursor
		}
	}
}

// A cursor is the last key of the page, so that the next page starts strictly after it
// whatever was written meanwhile (KV-032).
func encodeCursor(lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(lastKey))
}

func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 || len(b) > MaxKeySize {
		return "", newError(opGet, 400, ErrInvalidListOptions, "Invalid cursor")
	}
	return string(b), nil
}
