package workflows

import (
	"encoding/json"
	"time"
)

// Backoff is how the delay between attempts grows (WF-019).
type Backoff string

// Backoff strategies. The delay before retry k (k = 1 after the first failure) is
// constant: d; linear: d·k; exponential: d·2^(k-1).
const (
	BackoffConstant    Backoff = "constant"
	BackoffLinear      Backoff = "linear"
	BackoffExponential Backoff = "exponential"
)

// Retries says how a failing do step is retried. A step with Limit n runs at most n+1
// times (WF-019; the platform's engine counts retries after the first attempt).
type Retries struct {
	// Limit is the number of retries after the first attempt; 0 means one attempt only.
	Limit int
	// Delay is the base delay before a retry; 0 retries at once.
	Delay time.Duration
	// Backoff is the growth strategy; "" means exponential.
	Backoff Backoff
}

// StepConfig configures a do step (DoWith). The zero value means the defaults (WF-018):
// 5 retries, 10 s base delay (Options.RetryDelay), exponential backoff, a 10 minute timeout
// per attempt.
type StepConfig struct {
	// Retries replaces the default retry policy when set.
	Retries *Retries
	// Timeout bounds each attempt; 0 means the default. An attempt that runs longer fails
	// with a WorkflowTimeoutError and counts as a failed attempt (WF-020).
	Timeout time.Duration
}

// Defaults of a step's configuration (WF-018; §12 picks the platform's 10 s delay).
const (
	DefaultRetryLimit   = 5
	DefaultRetryDelay   = 10 * time.Second
	DefaultRetryBackoff = BackoffExponential
	DefaultStepTimeout  = 10 * time.Minute
)

// resolvedConfig is a step's configuration with the defaults filled in, as stored with the
// step at its first attempt (later runs use the stored one, as the platform does) and shown
// by Describe. Durations are in milliseconds, as the platform shows them.
type resolvedConfig struct {
	Retries resolvedRetries `json:"retries"`
	Timeout float64         `json:"timeout"`
}

type resolvedRetries struct {
	Limit   int     `json:"limit"`
	Delay   float64 `json:"delay"`
	Backoff Backoff `json:"backoff"`
}

func validConfig(c StepConfig) bool {
	if c.Timeout < 0 {
		return false
	}
	if r := c.Retries; r != nil {
		if r.Limit < 0 || r.Delay < 0 {
			return false
		}
		switch r.Backoff {
		case "", BackoffConstant, BackoffLinear, BackoffExponential:
		default:
			return false
		}
	}
	return true
}

func resolve(c StepConfig, defaultDelay time.Duration) resolvedConfig {
	r := Retries{Limit: DefaultRetryLimit, Delay: defaultDelay, Backoff: DefaultRetryBackoff}
	if c.Retries != nil {
		r = *c.Retries
		if r.Backoff == "" {
			r.Backoff = DefaultRetryBackoff
		}
	}
	t := c.Timeout
	if t == 0 {
		t = DefaultStepTimeout
	}
	return resolvedConfig{
		Retries: resolvedRetries{Limit: r.Limit, Delay: ms(r.Delay), Backoff: r.Backoff},
		Timeout: ms(t),
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMS(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

func (c resolvedConfig) timeout() time.Duration { return fromMS(c.Timeout) }

// retryDelay is the wait after the attempt-th failed attempt (attempt ≥ 1).
func (c resolvedConfig) retryDelay(attempt int) time.Duration {
	d := fromMS(c.Retries.Delay)
	switch c.Retries.Backoff {
	case BackoffLinear:
		return saturatingMul(d, int64(attempt))
	case BackoffExponential:
		shift := attempt - 1
		if shift > 62 {
			shift = 62
		}
		return saturatingMul(d, int64(1)<<shift)
	default:
		return d
	}
}

func saturatingMul(d time.Duration, k int64) time.Duration {
	const maxDelay = time.Duration(1<<63 - 1)
	if d <= 0 || k <= 0 {
		return 0
	}
	if int64(d) > int64(maxDelay)/k {
		return maxDelay
	}
	return d * time.Duration(k)
}

func decodeConfig(b []byte) (resolvedConfig, error) {
	var c resolvedConfig
	err := json.Unmarshal(b, &c)
	return c, err
}
