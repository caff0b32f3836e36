package kv

import (
	"log/slog"
	"time"
)

// Options configure a Namespace. The zero value gives the platform's production behaviour.
type Options struct {
	// MinCacheTTL is the smallest cache TTL a read accepts; 0 means DefaultMinCacheTTL
	// (60 s, production). Set 30 s to accept what the local simulator accepts (KV-007).
	MinCacheTTL time.Duration
	// Logger receives failures of background work (purging expired keys); nil discards them.
	Logger *slog.Logger
}

// GetOption tunes a read (Get, GetText, GetJSON, GetStream, GetWithMetadata and the bulk
// reads).
type GetOption func(*getOptions)

type getOptions struct {
	cacheTTL    time.Duration
	cacheTTLSet bool
}

// WithCacheTTL sets how long the platform's edge may cache the value read (cacheTtl). It is
// validated (at least Options.MinCacheTTL, counted in whole seconds) and otherwise has no
// effect: a local store has a single location and is always up to date (KV-007, KV-036).
func WithCacheTTL(d time.Duration) GetOption {
	return func(o *getOptions) { o.cacheTTL, o.cacheTTLSet = d, true }
}

// PutOption tunes a write (Put, PutString, PutReader, PutJSON).
type PutOption func(*putOptions)

type putOptions struct {
	ttl           time.Duration
	ttlSet        bool
	expiration    int64
	expirationSet bool
	metadata      any
	metadataSet   bool
}

// WithExpirationTTL makes the key expire d from now (expirationTtl), counted in whole seconds;
// d must be at least MinExpirationTTL (KV-012). It takes precedence over WithExpiration
// (KV-014).
func WithExpirationTTL(d time.Duration) PutOption {
	return func(o *putOptions) { o.ttl, o.ttlSet = d, true }
}

// WithExpiration makes the key expire at t (expiration), truncated to whole seconds; t must be
// at least MinExpirationTTL in the future (KV-013).
func WithExpiration(t time.Time) PutOption {
	return func(o *putOptions) { o.expiration, o.expirationSet = t.Unix(), true }
}

// WithMetadata attaches v, serialised as JSON (at most MaxMetadataSize bytes: KV-011), to the
// key. A json.RawMessage is stored as it is once validated; nil means no metadata.
func WithMetadata(v any) PutOption {
	return func(o *putOptions) { o.metadata, o.metadataSet = v, true }
}

// withExpirationUnix is WithExpiration in the platform's own unit, for the bulk file format.
func withExpirationUnix(sec int64) PutOption {
	return func(o *putOptions) { o.expiration, o.expirationSet = sec, true }
}
