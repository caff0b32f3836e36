package workflowstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flarego/flarego/workflows"
)

// attemptLog records when a step callback ran.
type attemptLog struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *attemptLog) add() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.times = append(a.times, time.Now())
	return len(a.times)
}

// gaps returns the time between consecutive attempts.
func (a *attemptLog) gaps() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(a.times); i++ {
		out = append(out, a.times[i].Sub(a.times[i-1]))
	}
	return out
}

func (a *attemptLog) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.times)
}

func wantError(t *testing.T, st workflows.InstanceStatus, name, message string) {
	t.Helper()
	if st.Status != workflows.StatusErrored || st.Error == nil || st.Error.Name != name || st.Error.Message != message {
		t.Fatalf("status = %s, error %+v; want errored with %s: %q", st.Status, st.Error, name, message)
	}
}

func testWF013Do(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (string, error) {
		n, err := workflows.Do(s, "n", func(context.Context) (int, error) { return 41, nil })
		if err != nil {
			return "", err
		}
		return workflows.Do(s, "s", func(context.Context) (string, error) { return fmt.Sprint(n + 1), nil })
	})
	st := wait(t, r.create("i1", 0), workflows.StatusComplete)
	if string(st.Output) != `"42"` {
		t.Fatalf("output = %s", st.Output)
	}
}

func testWF013NilCallback(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		n, err := workflows.Do[int](s, "x", nil)
		if err != nil {
			return 0, nil // a fatal error ends the instance even when run ignores it
		}
		return n, nil
	})
	wantError(t, wait(t, r.create("i1", 0), workflows.StatusErrored), workflows.NameFatal, `Step "x" requires a callback function`)
}

func testWF014Cached(t *testing.T, nd NewDriver) {
	var calls counter
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		calls.inc("run")
		a, err := workflows.Do(s, "a", func(context.Context) (int, error) { return 10 * calls.inc("a"), nil })
		if err != nil {
			return 0, err
		}
		if err := workflows.Sleep(s, "nap", time.Hour); err != nil {
			return 0, err
		}
		b, err := workflows.Do(s, "b", func(context.Context) (int, error) { return calls.inc("b"), nil })
		return a + b, err
	})
	st := wait(t, r.create("i1", 0), workflows.StatusComplete)
	if string(st.Output) != "11" || calls.get("run") != 2 || calls.get("a") != 1 || calls.get("b") != 1 {
		t.Fatalf("output %s; run %d, a %d, b %d; want 11, 2 runs, each step once", st.Output, calls.get("run"), calls.get("a"), calls.get("b"))
	}
}

func testWF014CachedFailure(t *testing.T, nd NewDriver) {
	var (
		calls counter
		mu    sync.Mutex
		seen  []string
	)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (string, error) {
		_, err := workflows.DoWith(s, "flaky", workflows.StepConfig{Retries: &workflows.Retries{Limit: 0}},
			func(context.Context) (int, error) { calls.inc("flaky"); return 0, errors.New("nope") })
		if err == nil || workflows.IsSuspend(err) {
			return "", err
		}
		mu.Lock()
		seen = append(seen, err.Error())
		mu.Unlock()
		if err := workflows.Sleep(s, "nap", time.Hour); err != nil {
			return "", err
		}
		return "handled", nil
	})
	wait(t, r.create("i1", 0), workflows.StatusComplete)
	mu.Lock()
	defer mu.Unlock()
	if calls.get("flaky") != 1 || len(seen) != 2 || seen[0] != "nope" || seen[1] != "nope" {
		t.Fatalf("callback ran %d times, errors seen %q; want 1 and the stored failure on replay", calls.get("flaky"), seen)
	}
}

func testWF015Occurrences(t *testing.T, nd NewDriver) {
	var calls counter
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) ([]int, error) {
		var out []int
		for range 2 {
			n, err := workflows.Do(s, "same", func(context.Context) (int, error) { return calls.inc("same"), nil })
			if err != nil {
				return nil, err
			}
			out = append(out, n)
			if err := workflows.Sleep(s, "nap", time.Minute); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
	st := wait(t, r.create("i1", 0), workflows.StatusComplete)
	if string(st.Output) != "[1,2]" || calls.get("same") != 2 {
		t.Fatalf("output %s, calls %d; want [1,2] and 2", st.Output, calls.get("same"))
	}
	d := describe(t, r.e, "i1")
	var occ []int
	for _, s := range d.Steps {
		if s.Name == "same" {
			occ = append(occ, s.Occurrence)
		}
	}
	if fmt.Sprint(occ) != "[1 2]" {
		t.Fatalf("occurrences = %v", occ)
	}
}

func testWF016StepName(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[string], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.Do(s, ev.Payload, func(context.Context) (int, error) { return 1, nil })
	})
	for i, name := range []string{strings.Repeat("a", 257), "new\nline", "nul\x00", strings.Repeat("😀", 129)} {
		st := wait(t, r.create(fmt.Sprint("bad", i), name), workflows.StatusErrored)
		wantError(t, st, workflows.NameFatal, "Step name \""+name+"\" exceeds max length (256 chars) or invalid characters found")
	}
	for i, name := range []string{strings.Repeat("a", 256), strings.Repeat("😀", 128), "ünïcode and spaces"} {
		wait(t, r.create(fmt.Sprint("good", i), name), workflows.StatusComplete)
	}
}

func testWF017Config(t *testing.T, nd NewDriver) {
	configs := []workflows.StepConfig{
		{Retries: &workflows.Retries{Limit: -1}},
		{Retries: &workflows.Retries{Limit: 1, Delay: -time.Second}},
		{Retries: &workflows.Retries{Limit: 1, Backoff: "fibonacci"}},
		{Timeout: -time.Second},
	}
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.DoWith(s, "configured", configs[ev.Payload], func(context.Context) (int, error) { return 1, nil })
	})
	for i := range configs {
		st := wait(t, r.create(fmt.Sprint("c", i), i), workflows.StatusErrored)
		wantError(t, st, workflows.NameFatal,
			`Step config for "configured" is in a invalid format. See https://developers.cloudflare.com/workflows/build/sleeping-and-retrying/`)
	}
}

func failing(log *attemptLog) func(context.Context) (int, error) {
	return func(context.Context) (int, error) {
		return 0, fmt.Errorf("attempt %d failed", log.add())
	}
}

func testWF018Defaults(t *testing.T, nd NewDriver) {
	var log attemptLog
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.Do(s, "flaky", failing(&log))
	})
	in := r.create("i1", 0)
	wantError(t, wait(t, in, workflows.StatusErrored), workflows.NameError, "attempt 6 failed")
	if got := fmt.Sprint(log.gaps()); got != "[10s 20s 40s 1m20s 2m40s]" {
		t.Fatalf("delays between attempts = %s, want 5 retries from 10s doubling", got)
	}
	d := describe(t, r.e, "i1")
	if got := string(d.Steps[0].Config); got != `{"retries":{"limit":5,"delay":10000,"backoff":"exponential"},"timeout":600000}` {
		t.Fatalf("stored config = %s", got)
	}
}

func testWF018RetryDelayOption(t *testing.T, nd NewDriver) {
	var log attemptLog
	r := start(t, nd, workflows.Options{RetryDelay: time.Second}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.Do(s, "flaky", failing(&log))
	})
	wait(t, r.create("i1", 0), workflows.StatusErrored)
	if got := fmt.Sprint(log.gaps()); got != "[1s 2s 4s 8s 16s]" {
		t.Fatalf("delays with RetryDelay 1s = %s", got)
	}
}

func testWF019Backoff(t *testing.T, nd NewDriver) {
	logs := map[workflows.Backoff]*attemptLog{}
	backoffs := []workflows.Backoff{workflows.BackoffConstant, workflows.BackoffLinear, workflows.BackoffExponential, ""}
	for _, b := range backoffs {
		logs[b] = &attemptLog{}
	}
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[workflows.Backoff], s *workflows.Step, _ Env, _ wctx) (int, error) {
		cfg := workflows.StepConfig{Retries: &workflows.Retries{Limit: 3, Delay: time.Second, Backoff: ev.Payload}}
		return workflows.DoWith(s, "flaky", cfg, failing(logs[ev.Payload]))
	})
	for i, b := range backoffs {
		wait(t, r.create(fmt.Sprint("b", i), b), workflows.StatusErrored)
	}
	want := map[workflows.Backoff]string{
		workflows.BackoffConstant:    "[1s 1s 1s]",
		workflows.BackoffLinear:      "[1s 2s 3s]",
		workflows.BackoffExponential: "[1s 2s 4s]",
		"":                           "[1s 2s 4s]",
	}
	for _, b := range backoffs {
		if got := fmt.Sprint(logs[b].gaps()); got != want[b] {
			t.Errorf("backoff %q: delays %s, want %s", b, got, want[b])
		}
	}
}

func testWF019LimitPlusOne(t *testing.T, nd NewDriver) {
	logs := map[int]*attemptLog{0: {}, 2: {}}
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		cfg := workflows.StepConfig{Retries: &workflows.Retries{Limit: ev.Payload}}
		return workflows.DoWith(s, "flaky", cfg, failing(logs[ev.Payload]))
	})
	for _, limit := range []int{0, 2} {
		wait(t, r.create(fmt.Sprint("l", limit), limit), workflows.StatusErrored)
		if got := logs[limit].count(); got != limit+1 {
			t.Errorf("retries.limit %d: %d attempts, want %d", limit, got, limit+1)
		}
	}
}

func testWF020Timeout(t *testing.T, nd NewDriver) {
	var log attemptLog
	var cancelled counter
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		cfg := workflows.StepConfig{Timeout: time.Second, Retries: &workflows.Retries{Limit: 1, Delay: time.Second}}
		return workflows.DoWith(s, "slow", cfg, func(ctx context.Context) (int, error) {
			log.add()
			<-ctx.Done()
			cancelled.inc("ctx")
			return 0, ctx.Err()
		})
	})
	st := wait(t, r.create("i1", 0), workflows.StatusErrored)
	wantError(t, st, workflows.NameTimeout, "Execution timed out after 1000ms")
	if log.count() != 2 || cancelled.get("ctx") != 2 {
		t.Fatalf("%d attempts, %d cancelled; want 2 timed-out attempts", log.count(), cancelled.get("ctx"))
	}
	if got := fmt.Sprint(log.gaps()); got != "[2s]" {
		t.Fatalf("second attempt started %s after the first, want 1s timeout + 1s delay", got)
	}
}

func testWF021NonRetryable(t *testing.T, nd NewDriver) {
	var log attemptLog
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.Do(s, "fatal", func(context.Context) (int, error) {
			log.add()
			return 0, workflows.NonRetryable(errors.New("nope"))
		})
	})
	st := wait(t, r.create("i1", 0), workflows.StatusErrored)
	wantError(t, st, workflows.NameNonRetryable, "nope")
	if log.count() != 1 {
		t.Fatalf("%d attempts, want 1", log.count())
	}
	a := describe(t, r.e, "i1").Steps[0].Attempts
	if len(a) != 1 || a[0].Error == nil || a[0].Error.Message != `Step threw a NonRetryableError with message "nope"` {
		t.Fatalf("attempts = %+v", a)
	}
}

func testWF021NonRetryableCaught(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (string, error) {
		_, err := workflows.Do(s, "fatal", func(context.Context) (int, error) {
			return 0, workflows.NonRetryable(errors.New("nope"))
		})
		var we *workflows.Error
		if !errors.As(err, &we) || we.Name != workflows.NameNonRetryable {
			return "", fmt.Errorf("unexpected %v", err)
		}
		return workflows.Do(s, "after", func(context.Context) (string, error) { return "recovered", nil })
	})
	st := wait(t, r.create("i1", 0), workflows.StatusComplete)
	if string(st.Output) != `"recovered"` {
		t.Fatalf("output %s", st.Output)
	}
}

func testWF022Exhausted(t *testing.T, nd NewDriver) {
	var log attemptLog
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return workflows.DoWith(s, "flaky", workflows.StepConfig{Retries: &workflows.Retries{Limit: 2}}, failing(&log))
	})
	wantError(t, wait(t, r.create("i1", 0), workflows.StatusErrored), workflows.NameError, "attempt 3 failed")
}

func testWF023Sizes(t *testing.T, nd NewDriver) {
	big := strings.Repeat("x", workflows.MaxPayloadBytes)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[string], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if ev.Payload == "wait" {
			return 0, workflows.Sleep(s, "nap", time.Hour)
		}
		_, err := workflows.DoWith(s, "big", workflows.StepConfig{Retries: &workflows.Retries{Limit: 0}},
			func(context.Context) (string, error) { return big, nil })
		return 0, err
	})
	wantError(t, wait(t, r.create("i1", "big"), workflows.StatusErrored), workflows.NameInternal,
		"Step big-1 output is too large. Maximum allowed size is 1MiB.")
	if _, err := r.wf.Create(t.Context(), workflows.CreateOptions[string]{Params: big}); !errors.Is(err, workflows.ErrPayloadTooLarge) {
		t.Errorf("params over 1 MiB: %v", err)
	}
	in := r.create("w", "wait")
	wait(t, in, workflows.StatusWaiting)
	if err := in.SendEvent(t.Context(), "e", big); !errors.Is(err, workflows.ErrPayloadTooLarge) {
		t.Errorf("event payload over 1 MiB: %v", err)
	}
	if err := in.SendEvent(t.Context(), "e", big[:1000]); err != nil {
		t.Errorf("small event: %v", err)
	}
}

func testWF023StateLimit(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{MaxStateBytes: 10}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (string, error) {
		return workflows.Do(s, "big", func(context.Context) (string, error) { return "twenty characters!", nil })
	})
	wantError(t, wait(t, r.create("i1", 0), workflows.StatusErrored), workflows.NameFatal,
		"The Workflow instance exceeded its storage limit of 10 bytes")
}

func testWF024StepLimit(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{StepLimit: 3}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		for i := range ev.Payload {
			if err := workflows.Sleep(s, "nap", time.Minute); err != nil {
				return 0, err
			}
			if _, err := workflows.Do(s, fmt.Sprint("step", i), func(context.Context) (int, error) { return i, nil }); err != nil {
				return 0, err
			}
		}
		return 0, nil
	})
	wait(t, r.create("three", 3), workflows.StatusComplete)
	wantError(t, wait(t, r.create("four", 4), workflows.StatusErrored), workflows.NameFatal,
		"The limit of 3 steps has been reached. This limit can be changed in your worker configuration.")
}

func testWF025Sleep(t *testing.T, nd NewDriver) {
	var (
		mu    sync.Mutex
		times []time.Time
	)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		for i, d := range []time.Duration{0, -time.Second, time.Hour, 90 * time.Minute} {
			if err := workflows.Sleep(s, fmt.Sprint("nap", i), d); err != nil {
				return 0, err
			}
			if _, err := workflows.Do(s, fmt.Sprint("mark", i), func(context.Context) (int, error) {
				mu.Lock()
				times = append(times, time.Now())
				mu.Unlock()
				return 0, nil
			}); err != nil {
				return 0, err
			}
		}
		return 0, nil
	})
	begin := time.Now()
	wait(t, r.create("i1", 0), workflows.StatusComplete)
	mu.Lock()
	defer mu.Unlock()
	want := []time.Duration{0, 0, time.Hour, 150 * time.Minute}
	for i, tm := range times {
		if got := tm.Sub(begin); got != want[i] {
			t.Errorf("mark %d at +%s, want +%s", i, got, want[i])
		}
	}
}

func testWF025SleepRestart(t *testing.T, nd NewDriver) {
	d := shared(t, nd)
	var (
		mu   sync.Mutex
		done time.Time
	)
	run := func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		if err := workflows.Sleep(s, "nap", time.Hour); err != nil {
			return 0, err
		}
		return workflows.Do(s, "mark", func(context.Context) (int, error) {
			mu.Lock()
			done = time.Now()
			mu.Unlock()
			return 0, nil
		})
	}
	r1 := start(t, nd, workflows.Options{Driver: d}, run)
	begin := time.Now()
	wait(t, r1.create("i1", 0), workflows.StatusWaiting)
	time.Sleep(20 * time.Minute)
	r1.e.Close()
	time.Sleep(10 * time.Minute) // the process is down
	r2 := start(t, nd, workflows.Options{Driver: d}, run)
	in, _ := r2.wf.Get(t.Context(), "i1")
	wait(t, in, workflows.StatusComplete)
	mu.Lock()
	defer mu.Unlock()
	if got := done.Sub(begin); got != time.Hour {
		t.Fatalf("sleep ended at +%s, want +1h: a restart sleeps only the rest", got)
	}
}

func testWF025SleepTooLong(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		return 0, workflows.Sleep(s, "forever", workflows.MaxSleep+time.Hour)
	})
	st := wait(t, r.create("i1", 0), workflows.StatusErrored)
	if st.Error.Name != workflows.NameFatal {
		t.Fatalf("error = %+v, want a fatal error", st.Error)
	}
}

func testWF026SleepUntil(t *testing.T, nd NewDriver) {
	begin := time.Now()
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (string, error) {
		if err := workflows.SleepUntil(s, "until", begin.Add(time.Duration(ev.Payload)*time.Hour)); err != nil {
			return "", err
		}
		return time.Since(begin).String(), nil
	})
	time.Sleep(time.Minute)
	wantError(t, wait(t, r.create("past", -1), workflows.StatusErrored), workflows.NameError,
		"You can't sleep until a time in the past, time-traveler")
	st := wait(t, r.create("future", 2), workflows.StatusComplete)
	if string(st.Output) != `"2h0m0s"` {
		t.Fatalf("woke at +%s, want +2h0m0s", st.Output)
	}
}

func testWF027Timeout(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		_, err := workflows.WaitForEvent[int](s, "wait", "never", time.Second)
		return 0, err
	})
	begin := time.Now()
	st := wait(t, r.create("i1", 0), workflows.StatusErrored)
	wantError(t, st, workflows.NameTimeout, "Execution timed out after 1000ms")
	if got := describe(t, r.e, "i1").End.Sub(begin); got != time.Second {
		t.Fatalf("timed out after %s, want 1s", got)
	}
}

func testWF027DefaultTimeout(t *testing.T, nd NewDriver) {
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		_, err := workflows.WaitForEvent[int](s, "wait", "never", 0)
		return 0, err
	})
	begin := time.Now()
	st := wait(t, r.create("i1", 0), workflows.StatusErrored)
	wantError(t, st, workflows.NameTimeout, "Execution timed out after 86400000ms")
	if got := describe(t, r.e, "i1").End.Sub(begin); got != 24*time.Hour {
		t.Fatalf("timed out after %s, want 24h", got)
	}
}

func testWF033Sliced(t *testing.T, nd NewDriver) {
	var (
		mu   sync.Mutex
		seen []string
	)
	r := start(t, nd, workflows.Options{}, func(ev workflows.Event[int], s *workflows.Step, _ Env, _ wctx) (int, error) {
		buf := [8]int16{1, 2, 3, 4, 5, 6, 7, 8}
		view, err := workflows.Do(s, "view", func(context.Context) ([]int16, error) { return buf[2:4], nil })
		if err != nil {
			return 0, err
		}
		raw := []byte("abcdefgh")
		bytes, err := workflows.Do(s, "bytes", func(context.Context) ([]byte, error) { return raw[1:3], nil })
		if err != nil {
			return 0, err
		}
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%T%v %T%s", view, view, bytes, bytes))
		mu.Unlock()
		return 0, workflows.Sleep(s, "nap", time.Minute)
	})
	st := wait(t, r.create("i1", 0), workflows.StatusComplete)
	b, _ := json.Marshal(st.StepOutputs)
	if string(b) != `[[3,4],"YmM="]` {
		t.Errorf("stored outputs = %s, want only the views' elements", b)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != "[]int16[3 4] []uint8bc" || seen[1] != seen[0] {
		t.Fatalf("values seen by each run = %q", seen)
	}
}
