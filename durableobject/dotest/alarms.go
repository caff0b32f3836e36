package dotest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// alarmRun is what an alarm handler saw.
type alarmRun struct {
	at       time.Time
	info     durableobject.AlarmInfo
	name     string
	getAlarm bool
	deadline time.Duration
}

// alarmRecorder collects alarm runs; fail decides a run's error.
type alarmRecorder struct {
	mu   sync.Mutex
	runs []alarmRun
	fail func(o *Obj, ctx *worker.Context, n int) error
}

func (r *alarmRecorder) hooks() *hooks {
	return &hooks{alarm: func(o *Obj, ctx *worker.Context, info durableobject.AlarmInfo) error {
		_, set, err := o.State.Storage().GetAlarm(ctx)
		if err != nil {
			return err
		}
		dl, _ := ctx.Deadline()
		r.mu.Lock()
		r.runs = append(r.runs, alarmRun{at: time.Now(), info: info, name: o.State.ID().Name(), getAlarm: set, deadline: time.Until(dl)})
		n := len(r.runs)
		fail := r.fail
		r.mu.Unlock()
		if fail != nil {
			return fail(o, ctx, n)
		}
		return nil
	}}
}

func (r *alarmRecorder) all() []alarmRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]alarmRun(nil), r.runs...)
}

func getAlarm(t testing.TB, stub *durableobject.Stub[*Obj]) (time.Time, bool) {
	t.Helper()
	var at time.Time
	var ok bool
	_, err := Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
		var err error
		at, ok, err = o.State.Storage().GetAlarm(ctx)
		return nil, err
	})
	require.NoError(t, err)
	return at, ok
}

func setAlarm(t testing.TB, stub *durableobject.Stub[*Obj], at time.Time) {
	t.Helper()
	_, err := Do(context.Background(), stub, func(ctx context.Context, o *Obj) (any, error) {
		return nil, o.State.Storage().SetAlarm(ctx, at)
	})
	require.NoError(t, err)
}

func testAlarms(t *testing.T, newDriver func(*testing.T) durableobject.Driver) {
	ctx := context.Background()

	t.Run("DO-054 one alarm per object: set, get, replace, delete", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			rec := &alarmRecorder{}
			h := start(t, d, durableobject.Options{}, rec.hooks())
			stub := h.env.Obj.GetByName("alarm")
			_, ok := getAlarm(t, stub)
			require.False(t, ok)
			t1 := time.Now().Add(time.Hour).Truncate(time.Millisecond)
			setAlarm(t, stub, t1)
			at, ok := getAlarm(t, stub)
			require.True(t, ok)
			require.True(t, at.Equal(t1))
			t2 := time.Now().Add(2 * time.Hour).Truncate(time.Millisecond)
			setAlarm(t, stub, t2)
			at, _ = getAlarm(t, stub)
			require.True(t, at.Equal(t2), "replaced")
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) { return nil, o.State.Storage().DeleteAlarm(ctx) })
			require.NoError(t, err)
			_, ok = getAlarm(t, stub)
			require.False(t, ok)
			time.Sleep(3 * time.Hour)
			synctest.Wait()
			require.Empty(t, rec.all(), "a deleted alarm never fires")
		})
	})

	t.Run("DO-055 alarm times at or before the epoch are refused; past times fire at once", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			rec := &alarmRecorder{}
			h := start(t, d, durableobject.Options{}, rec.hooks())
			stub := h.env.Obj.GetByName("past")
			_, err := Do(ctx, stub, func(ctx context.Context, o *Obj) (any, error) {
				return nil, o.State.Storage().SetAlarm(ctx, time.UnixMilli(0))
			})
			require.EqualError(t, err, "setAlarm() cannot be called with an alarm time <= 0")
			start := time.Now()
			setAlarm(t, stub, start.Add(-time.Hour))
			synctest.Wait()
			runs := rec.all()
			require.Len(t, runs, 1)
			require.Equal(t, start, runs[0].at)
		})
	})

	t.Run("DO-056 DO-057 the handler runs on time with the alarm cleared", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			rec := &alarmRecorder{}
			h := start(t, d, durableobject.Options{}, rec.hooks())
			stub := h.env.Obj.GetByName("ontime")
			at := time.Now().Add(90 * time.Second).Truncate(time.Millisecond)
			setAlarm(t, stub, at)
			time.Sleep(89 * time.Second)
			synctest.Wait()
			require.Empty(t, rec.all())
			time.Sleep(2 * time.Second)
			synctest.Wait()
			runs := rec.all()
			require.Len(t, runs, 1)
			require.Equal(t, at, runs[0].at, "fired at the time set")
			require.False(t, runs[0].getAlarm, "GetAlarm reports none inside the handler")
			require.Equal(t, 0, runs[0].info.RetryCount)
			require.False(t, runs[0].info.IsRetry)
			require.True(t, runs[0].info.ScheduledTime.Equal(at))
			_, ok := getAlarm(t, stub)
			require.False(t, ok, "cleared after success")
		})
	})

	t.Run("DO-058 failing alarms are retried with backoff, six times", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			rec := &alarmRecorder{fail: func(*Obj, *worker.Context, int) error { return errors.New("always fails") }}
			h := start(t, d, durableobject.Options{}, rec.hooks())
			stub := h.env.Obj.GetByName("retry")
			t0 := time.Now()
			setAlarm(t, stub, t0.Add(time.Second))
			time.Sleep(10 * time.Minute)
			synctest.Wait()
			runs := rec.all()
			require.Len(t, runs, 7, "the first run and six retries")
			want := []time.Duration{1, 3, 7, 15, 31, 63, 127} // seconds after t0: 2s, 4s, 8s … between runs
			for i, r := range runs {
				assert.Equal(t, want[i]*time.Second, r.at.Sub(t0), "run %d", i)
				assert.Equal(t, i, r.info.RetryCount)
				assert.Equal(t, i > 0, r.info.IsRetry)
			}
			_, ok := getAlarm(t, stub)
			require.False(t, ok, "given up")
		})
	})

	t.Run("DO-058 DeleteAlarm in a failing handler stops retries; a panic is retried", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			rec := &alarmRecorder{fail: func(o *Obj, ctx *worker.Context, n int) error {
				if n == 1 {
					panic("first run panics")
				}
				o.State.Storage().DeleteAlarm(ctx)
				return errors.New("fails but deleted its alarm")
			}}
			h := start(t, d, durableobject.Options{}, rec.hooks())
			stub := h.env.Obj.GetByName("stop")
			setAlarm(t, stub, time.Now().Add(time.Second))
			time.Sleep(10 * time.Minute)
			synctest.Wait()
			require.Len(t, rec.all(), 2)
		})
	})

	t.Run("DO-059 changing the alarm does not cancel the running handler", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			finished := make(chan struct{})
			hk := &hooks{alarm: func(o *Obj, ctx *worker.Context, info durableobject.AlarmInfo) error {
				s := o.State.Storage()
				if err := s.SetAlarm(ctx, time.Now().Add(time.Hour)); err != nil {
					return err
				}
				if err := s.DeleteAlarm(ctx); err != nil {
					return err
				}
				time.Sleep(time.Second) // still running after both changes
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if err := s.SetAlarm(ctx, time.Now().Add(time.Hour)); err != nil {
					return err
				}
				close(finished)
				return nil
			}}
			h := start(t, d, durableobject.Options{}, hk)
			stub := h.env.Obj.GetByName("change")
			setAlarm(t, stub, time.Now().Add(time.Second))
			time.Sleep(5 * time.Second)
			synctest.Wait()
			<-finished
			at, ok := getAlarm(t, stub)
			require.True(t, ok, "the alarm the handler set stays")
			require.True(t, at.After(time.Now()))
		})
	})

	t.Run("DO-060 the alarm handler has 15 minutes", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			rec := &alarmRecorder{}
			h := start(t, d, durableobject.Options{}, rec.hooks())
			setAlarm(t, h.env.Obj.GetByName("deadline"), time.Now().Add(time.Second))
			time.Sleep(2 * time.Second)
			synctest.Wait()
			runs := rec.all()
			require.Len(t, runs, 1)
			require.Equal(t, 15*time.Minute, runs[0].deadline)
		})
	})

	t.Run("DO-061 DO-011 alarms and names survive a restart", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			rec := &alarmRecorder{}
			h := start(t, d, durableobject.Options{}, rec.hooks())
			stub := h.env.Obj.GetByName("persistent")
			setAlarm(t, stub, time.Now().Add(time.Minute))
			unique := h.env.Obj.NewUniqueID()
			setAlarm(t, h.env.Obj.Get(unique), time.Now().Add(2*time.Minute))
			h.close()
			time.Sleep(time.Hour) // the runner is down when they come due
			synctest.Wait()
			require.Empty(t, rec.all())
			h2 := start(t, d, durableobject.Options{}, rec.hooks())
			synctest.Wait()
			runs := rec.all()
			require.Len(t, runs, 2, "due alarms fire once the runner is back")
			names := []string{runs[0].name, runs[1].name}
			require.ElementsMatch(t, []string{"persistent", ""}, names, "the name is known in the alarm handler (DO-011)")
			_, ok := getAlarm(t, h2.env.Obj.GetByName("persistent"))
			require.False(t, ok)
		})
	})

	t.Run("alarms of different objects never wait on each other", func(t *testing.T) {
		bubble(t, newDriver, func(t *testing.T, d durableobject.Driver) {
			release := make(chan struct{})
			var mu sync.Mutex
			var fired []string
			hk := &hooks{alarm: func(o *Obj, ctx *worker.Context, _ durableobject.AlarmInfo) error {
				mu.Lock()
				fired = append(fired, o.State.ID().Name())
				mu.Unlock()
				if o.State.ID().Name() == "slow" {
					<-release
				}
				return nil
			}}
			h := start(t, d, durableobject.Options{}, hk)
			now := time.Now()
			setAlarm(t, h.env.Obj.GetByName("slow"), now.Add(time.Second))
			setAlarm(t, h.env.Obj.GetByName("fast"), now.Add(2*time.Second))
			time.Sleep(3 * time.Second)
			synctest.Wait()
			mu.Lock()
			require.Equal(t, []string{"slow", "fast"}, fired)
			mu.Unlock()
			close(release)
		})
	})
}
