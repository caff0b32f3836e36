package kv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unsafe"
)

// Entry is a value read together with its metadata (getWithMetadata).
type Entry[V any] struct {
	// Value is the stored value, decoded as V.
	Value V
	// Metadata is the JSON the value was put with, or nil when it had none (KV-016).
	Metadata json.RawMessage
}

// Get returns the value of key as bytes (the platform's "arrayBuffer" type). A missing or
// expired key gives ErrNotFound (KV-001, KV-015); an empty value gives an empty, non-nil
// slice (KV-009). Invalid keys give ErrEmptyKey, ErrDotKey, ErrDotDotKey or an *Error
// (KV-004, KV-005); an invalid cache TTL an *Error (KV-007).
func (ns *Namespace) Get(ctx context.Context, key string, opts ...GetOption) ([]byte, error) {
	r, err := ns.get(ctx, key, opts)
	if err != nil {
		return nil, err
	}
	return r.Value, nil
}

// GetText is Get for the "text" type: the value as a string.
func (ns *Namespace) GetText(ctx context.Context, key string, opts ...GetOption) (string, error) {
	r, err := ns.get(ctx, key, opts)
	if err != nil {
		return "", err
	}
	return bytesToString(r.Value), nil
}

// GetStream is Get for the "stream" type: the value as a reader, which the caller closes.
func (ns *Namespace) GetStream(ctx context.Context, key string, opts ...GetOption) (io.ReadCloser, error) {
	r, err := ns.get(ctx, key, opts)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(r.Value)), nil
}

// GetWithMetadata returns the value of key with its metadata (KV-016). A missing key gives
// ErrNotFound, as Get does.
func (ns *Namespace) GetWithMetadata(ctx context.Context, key string, opts ...GetOption) (Entry[[]byte], error) {
	r, err := ns.get(ctx, key, opts)
	if err != nil {
		return Entry[[]byte]{}, err
	}
	return Entry[[]byte]{Value: r.Value, Metadata: r.Metadata}, nil
}

// GetJSON is Get for the "json" type: the value decoded from JSON into a T. A value that is
// not valid JSON gives an error wrapping the decoder's.
func GetJSON[T any](ctx context.Context, ns *Namespace, key string, opts ...GetOption) (T, error) {
	var v T
	r, err := ns.get(ctx, key, opts)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(r.Value, &v); err != nil {
		return v, fmt.Errorf("kv: value of %q is not JSON: %w", key, err)
	}
	return v, nil
}

// GetWithMetadataJSON is GetWithMetadata with the value decoded from JSON into a T.
func GetWithMetadataJSON[T any](ctx context.Context, ns *Namespace, key string, opts ...GetOption) (Entry[T], error) {
	var e Entry[T]
	r, err := ns.get(ctx, key, opts)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(r.Value, &e.Value); err != nil {
		return e, fmt.Errorf("kv: value of %q is not JSON: %w", key, err)
	}
	e.Metadata = r.Metadata
	return e, nil
}

func (ns *Namespace) get(ctx context.Context, key string, opts []GetOption) (Record, error) {
	if err := ns.begin(ctx); err != nil {
		return Record{}, err
	}
	if err := validateKey(opGet, key); err != nil {
		return Record{}, err
	}
	if len(opts) > 0 {
		var o getOptions
		for _, opt := range opts {
			opt(&o)
		}
		if err := ns.validateCacheTTL(opGet, &o); err != nil {
			return Record{}, err
		}
	}
	r, err := ns.d.Get(ctx, key, time.Now())
	if err != nil {
		return Record{}, driverError(opGet, err)
	}
	if r.Value == nil {
		r.Value = []byte{}
	}
	return r, nil
}

// bytesToString converts without copying. Safe only for slices nobody else holds: every
// value a Driver returns belongs to the caller.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
