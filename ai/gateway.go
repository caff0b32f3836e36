package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// GatewayOptions sends a run through the local emulation of AI Gateway (AI-011): a response
// cache, retries with backoff, a request timeout and a request log. A run goes through the
// gateway only when ID is set, as on the platform.
type GatewayOptions struct {
	// ID names the gateway; cache entries and logs are kept per gateway.
	ID string
	// CacheKey replaces the key derived from the model and input.
	CacheKey string
	// CacheTTL caches a successful non-streamed result for this long; 0 disables caching.
	// The platform's cacheTtl is in seconds.
	CacheTTL time.Duration
	// SkipCache neither reads nor writes the cache for this run.
	SkipCache bool
	// Metadata is recorded on the request's log entry.
	Metadata map[string]any
	// CollectLog, when false, keeps the run out of the gateway log (and it gets no log id).
	// nil means true.
	CollectLog *bool
	// EventID is recorded on the request's log entry.
	EventID string
	// RequestTimeout bounds the wait for the first part of the response of each attempt. It
	// does not apply to the last of several attempts, which waits as long as it takes (the
	// platform's rule); with a single attempt it does apply.
	RequestTimeout time.Duration
	// Retries retries failures that may pass (5xx, 429, timeouts, unreachable upstream).
	Retries *GatewayRetries
}

// GatewayRetries is the retry policy of one run.
type GatewayRetries struct {
	// MaxAttempts counts all attempts, 1 to 5; 0 means 1.
	MaxAttempts int
	// RetryDelay is the base delay before a retry, at most 5 s.
	RetryDelay time.Duration
	// Backoff grows the delay: BackoffConstant (the default), BackoffLinear or
	// BackoffExponential.
	Backoff Backoff
}

// Backoff is how retry delays grow.
type Backoff string

// Backoff methods. After attempt n fails the wait is RetryDelay (constant), n·RetryDelay
// (linear) or 2ⁿ⁻¹·RetryDelay (exponential).
const (
	BackoffConstant    Backoff = "constant"
	BackoffLinear      Backoff = "linear"
	BackoffExponential Backoff = "exponential"
)

// Limits of the gateway options.
const (
	MaxGatewayAttempts = 5
	MaxRetryDelay      = 5 * time.Second
)

// UnmarshalJSON reads the platform's JSON shape of the options: cacheTtl in seconds,
// requestTimeoutMs and retries.retryDelayMs in milliseconds.
func (g *GatewayOptions) UnmarshalJSON(b []byte) error {
	var w struct {
		ID               string         `json:"id"`
		CacheKey         string         `json:"cacheKey"`
		CacheTTL         float64        `json:"cacheTtl"`
		SkipCache        bool           `json:"skipCache"`
		Metadata         map[string]any `json:"metadata"`
		CollectLog       *bool          `json:"collectLog"`
		EventID          string         `json:"eventId"`
		RequestTimeoutMs float64        `json:"requestTimeoutMs"`
		Retries          *struct {
			MaxAttempts  int     `json:"maxAttempts"`
			RetryDelayMs float64 `json:"retryDelayMs"`
			Backoff      Backoff `json:"backoff"`
		} `json:"retries"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*g = GatewayOptions{
		ID: w.ID, CacheKey: w.CacheKey, SkipCache: w.SkipCache, Metadata: w.Metadata,
		CollectLog: w.CollectLog, EventID: w.EventID,
		CacheTTL:       time.Duration(w.CacheTTL * float64(time.Second)),
		RequestTimeout: time.Duration(w.RequestTimeoutMs * float64(time.Millisecond)),
	}
	if w.Retries != nil {
		g.Retries = &GatewayRetries{
			MaxAttempts: w.Retries.MaxAttempts,
			RetryDelay:  time.Duration(w.Retries.RetryDelayMs * float64(time.Millisecond)),
			Backoff:     w.Retries.Backoff,
		}
	}
	return nil
}

func (g *GatewayOptions) validate() error {
	if g.CacheTTL < 0 || g.RequestTimeout < 0 {
		return internalError("gateway cacheTtl and requestTimeoutMs must not be negative")
	}
	r := g.Retries
	if r == nil {
		return nil
	}
	if r.MaxAttempts < 0 || r.MaxAttempts > MaxGatewayAttempts {
		return internalError(fmt.Sprintf("gateway retries.maxAttempts must be between 1 and %d, got %d", MaxGatewayAttempts, r.MaxAttempts))
	}
	if r.RetryDelay < 0 || r.RetryDelay > MaxRetryDelay {
		return internalError(fmt.Sprintf("gateway retries.retryDelayMs must be between 0 and %d, got %d", MaxRetryDelay.Milliseconds(), r.RetryDelay.Milliseconds()))
	}
	switch r.Backoff {
	case "", BackoffConstant, BackoffLinear, BackoffExponential:
	default:
		return internalError(fmt.Sprintf("gateway retries.backoff must be constant, linear or exponential, got %q", r.Backoff))
	}
	return nil
}

func (g *GatewayOptions) attempts() int {
	if g == nil || g.Retries == nil {
		return 1
	}
	return max(g.Retries.MaxAttempts, 1)
}

// delay is the wait after attempt n (from 1) failed.
func (r *GatewayRetries) delay(n int) time.Duration {
	switch r.Backoff {
	case BackoffLinear:
		return time.Duration(n) * r.RetryDelay
	case BackoffExponential:
		return r.RetryDelay << (n - 1)
	}
	return r.RetryDelay
}

func (g *GatewayOptions) collect() bool { return g.CollectLog == nil || *g.CollectLog }

// retryable reports whether a failed attempt may succeed if repeated.
func retryable(err error) bool {
	e, ok := err.(*Error)
	if !ok {
		return false
	}
	switch e.kind {
	case ErrTimeout:
		return true
	case ErrUpstream:
		return e.Status == 0 || e.Status == 408 || e.Status == 429 || e.Status >= 500
	}
	return false
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
