package durableobject

import (
	"context"
	"encoding/json"
	"fmt"
)

// Reader is what the typed helpers read from: *Storage and *Txn.
type Reader interface {
	Get(ctx context.Context, key string, v any) (bool, error)
	GetMany(ctx context.Context, keys []string) ([]Entry[json.RawMessage], error)
	List(ctx context.Context, opts ListOptions) ([]Entry[json.RawMessage], error)
}

// Get returns the value of key decoded as a V, and whether it exists.
func Get[V any](ctx context.Context, r Reader, key string) (V, bool, error) {
	var v V
	ok, err := r.Get(ctx, key, &v)
	return v, ok, err
}

// GetMany returns the entries of keys that exist, ordered by key, decoded as V.
func GetMany[V any](ctx context.Context, r Reader, keys []string) ([]Entry[V], error) {
	raw, err := r.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	return decodeEntries[V](raw)
}

// List returns the entries opts selects, decoded as V.
func List[V any](ctx context.Context, r Reader, opts ListOptions) ([]Entry[V], error) {
	raw, err := r.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	return decodeEntries[V](raw)
}

func decodeEntries[V any](raw []Entry[json.RawMessage]) ([]Entry[V], error) {
	out := make([]Entry[V], len(raw))
	for i, e := range raw {
		out[i].Key = e.Key
		if err := json.Unmarshal(e.Value, &out[i].Value); err != nil {
			return nil, fmt.Errorf("durableobject: decode %q: %w", e.Key, err)
		}
	}
	return out, nil
}
