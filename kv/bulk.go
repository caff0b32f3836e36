package kv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// GetBulk reads up to MaxBulkKeys keys in one request (get([...]) with type "text"). The map
// has an entry for every requested key: nil when the key is missing, else its value; empty
// values are returned, not treated as missing (KV-020, KV-024). Errors, as *Error for
// "GET_BULK": more than 100 or no keys (KV-021), an invalid key or cache TTL, values adding
// up to more than 25 MiB (KV-025).
func (ns *Namespace) GetBulk(ctx context.Context, keys []string, opts ...GetOption) (map[string]*string, error) {
	recs, err := ns.getBulk(ctx, keys, opts, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*string, len(keys))
	for _, k := range keys {
		if r, ok := recs[k]; ok {
			s := bytesToString(r.Value)
			out[k] = &s
		} else {
			out[k] = nil
		}
	}
	return out, nil
}

// GetBulkWithMetadata is GetBulk returning each value with its metadata
// (getWithMetadata([...])): nil for a missing key (KV-024).
func (ns *Namespace) GetBulkWithMetadata(ctx context.Context, keys []string, opts ...GetOption) (map[string]*Entry[string], error) {
	recs, err := ns.getBulk(ctx, keys, opts, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Entry[string], len(keys))
	for _, k := range keys {
		if r, ok := recs[k]; ok {
			out[k] = &Entry[string]{Value: bytesToString(r.Value), Metadata: r.Metadata}
		} else {
			out[k] = nil
		}
	}
	return out, nil
}

// GetBulkJSON is GetBulk with type "json": each value decoded into a T; nil for a missing
// key, and for a value that is JSON null, as on the platform. If any value is not valid JSON
// the whole call fails with the platform's *Error (KV-023).
func GetBulkJSON[T any](ctx context.Context, ns *Namespace, keys []string, opts ...GetOption) (map[string]*T, error) {
	recs, err := ns.getBulk(ctx, keys, opts, true)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*T, len(keys))
	for _, k := range keys {
		out[k] = nil
		if r, ok := recs[k]; ok {
			var v *T
			if err := json.Unmarshal(r.Value, &v); err != nil {
				return nil, fmt.Errorf("kv: value of %q does not decode as %T: %w", k, v, err)
			}
			out[k] = v
		}
	}
	return out, nil
}

// GetBulkWithMetadataJSON is GetBulkJSON returning each value with its metadata.
func GetBulkWithMetadataJSON[T any](ctx context.Context, ns *Namespace, keys []string, opts ...GetOption) (map[string]*Entry[T], error) {
	recs, err := ns.getBulk(ctx, keys, opts, true)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Entry[T], len(keys))
	for _, k := range keys {
		out[k] = nil
		if r, ok := recs[k]; ok {
			e := &Entry[T]{Metadata: r.Metadata}
			if err := json.Unmarshal(r.Value, &e.Value); err != nil {
				return nil, fmt.Errorf("kv: value of %q does not decode as %T: %w", k, e.Value, err)
			}
			out[k] = e
		}
	}
	return out, nil
}

// getBulk runs the checks of a bulk read in the service's order and returns the records
// found, by key.
func (ns *Namespace) getBulk(ctx context.Context, keys []string, opts []GetOption, asJSON bool) (map[string]Record, error) {
	if err := ns.begin(ctx); err != nil {
		return nil, err
	}
	if len(keys) > MaxBulkKeys {
		return nil, newError(opGetBulk, 400, ErrBulkRequest, "You can request a maximum of "+strconv.Itoa(MaxBulkKeys)+" keys")
	}
	if len(keys) < 1 {
		return nil, newError(opGetBulk, 400, ErrBulkRequest, "You must request a minimum of 1 key")
	}
	var o getOptions
	for _, opt := range opts {
		opt(&o)
	}
	for _, k := range keys {
		if err := validateBulkKey(k); err != nil {
			return nil, err
		}
		if err := ns.validateCacheTTL(opGetBulk, &o); err != nil {
			return nil, err
		}
	}
	recs, err := ns.fetchMany(ctx, keys)
	if err != nil {
		return nil, driverError(opGetBulk, err)
	}
	total := 0
	for _, r := range recs {
		if asJSON && !json.Valid(r.Value) {
			return nil, newError(opGetBulk, 400, ErrBulkRequest, "At least one of the requested keys corresponds to a non-json value")
		}
		total += len(r.Value)
	}
	if total > MaxBulkSize {
		return nil, newError(opGetBulk, 413, ErrBulkTooLarge, "Total size of request exceeds the limit of "+strconv.Itoa(MaxBulkSize>>20)+"MB")
	}
	return recs, nil
}

func (ns *Namespace) fetchMany(ctx context.Context, keys []string) (map[string]Record, error) {
	now := time.Now()
	if bg, ok := ns.d.(BatchGetter); ok {
		return bg.GetMany(ctx, keys, now)
	}
	recs := make(map[string]Record, len(keys))
	for _, k := range keys {
		r, err := ns.d.Get(ctx, k, now)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		recs[k] = r
	}
	return recs, nil
}
