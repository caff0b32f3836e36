package workflows

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRetryDelay_WF019(t *testing.T) {
	for _, tc := range []struct {
		backoff Backoff
		want    []time.Duration
	}{
		{BackoffConstant, []time.Duration{2, 2, 2, 2}},
		{BackoffLinear, []time.Duration{2, 4, 6, 8}},
		{BackoffExponential, []time.Duration{2, 4, 8, 16}},
	} {
		c := resolve(StepConfig{Retries: &Retries{Limit: 4, Delay: 2 * time.Second, Backoff: tc.backoff}}, time.Hour)
		for k, want := range tc.want {
			if got := c.retryDelay(k + 1); got != want*time.Second {
				t.Errorf("%s retry %d: %s, want %s", tc.backoff, k+1, got, want*time.Second)
			}
		}
	}
	huge := resolve(StepConfig{Retries: &Retries{Limit: 1000, Delay: time.Hour}}, 0)
	if got := huge.retryDelay(500); got <= 0 {
		t.Errorf("exponential delay overflowed: %s", got)
	}
}

func TestResolveDefaults_WF018(t *testing.T) {
	c := resolve(StepConfig{}, DefaultRetryDelay)
	if c.Retries.Limit != 5 || c.Retries.Delay != 10000 || c.Retries.Backoff != BackoffExponential || c.Timeout != 600000 {
		t.Fatalf("defaults = %+v", c)
	}
	// User config replaces the retry policy as a whole; a missing backoff is exponential.
	c = resolve(StepConfig{Retries: &Retries{Limit: 1}, Timeout: time.Second}, DefaultRetryDelay)
	if c.Retries.Limit != 1 || c.Retries.Delay != 0 || c.Retries.Backoff != BackoffExponential || c.timeout() != time.Second {
		t.Fatalf("merged = %+v", c)
	}
}

func TestValidID_WF004(t *testing.T) {
	for id, want := range map[string]bool{
		"a": true, "_": true, "0-9_x": true, strings.Repeat("z", 64): true,
		"": false, "-a": false, "a.b": false, "a/b": false, "é": false, strings.Repeat("z", 65): false,
	} {
		if got := validID(id, MaxInstanceIDLength); got != want {
			t.Errorf("validID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestValidStepName_WF016(t *testing.T) {
	for name, want := range map[string]bool{
		"": true, "a b": true, "\x7f": true, strings.Repeat("a", 256): true, strings.Repeat("𝄞", 128): true,
		"\t": false, "\x1f": false, strings.Repeat("a", 257): false, strings.Repeat("𝄞", 128) + "a": false,
	} {
		if got := validStepName(name); got != want {
			t.Errorf("validStepName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestNewUUID_WF003(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := newUUID()
		if !re.MatchString(id) || seen[id] || !validID(id, MaxInstanceIDLength) {
			t.Fatalf("bad or repeated uuid %q", id)
		}
		seen[id] = true
	}
}
