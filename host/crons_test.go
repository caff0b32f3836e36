package host_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

type cronApp struct {
	mu    sync.Mutex
	fired []worker.ScheduledEvent
	fail  bool
}

func (a *cronApp) Fetch(*http.Request, Env, *worker.Context) (*http.Response, error) {
	return worker.Text(200, "")
}

func (a *cronApp) Scheduled(ev worker.ScheduledEvent, env Env, ctx *worker.Context) error {
	a.mu.Lock()
	a.fired = append(a.fired, ev)
	a.mu.Unlock()
	if a.fail {
		ev.NoRetry()
		return errors.New("scheduled failed")
	}
	return nil
}

func (a *cronApp) events() []worker.ScheduledEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]worker.ScheduledEvent(nil), a.fired...)
}

// The runner fires crons on time by itself (CR-015 improved on), with the configured string
// (CR-007) and the due time (CR-008), once per tick.
func TestCronsFireOnSchedule_CR007_CR008_CR015(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app := &cronApp{}
		// The fake clock starts on Saturday 2000-01-01 00:00 UTC.
		workertest.New(t, worker.New[Env](app), workertest.Config(`{"triggers":{"crons":["0 9 * * MON-FRI", "*/30  * * * *"]}}`))
		time.Sleep(7*24*time.Hour + time.Minute)
		synctest.Wait()
		var weekdays, halfHours int
		for _, ev := range app.events() {
			switch ev.Cron {
			case "0 9 * * MON-FRI":
				weekdays++
				require.Equal(t, 9, ev.ScheduledTime.Hour())
				require.NotContains(t, []time.Weekday{time.Saturday, time.Sunday}, ev.ScheduledTime.Weekday())
			case "*/30  * * * *": // spacing kept character for character
				halfHours++
				require.Zero(t, ev.ScheduledTime.Minute()%30)
			default:
				t.Fatalf("unexpected cron %q", ev.Cron)
			}
		}
		require.Equal(t, 5, weekdays)
		require.Equal(t, 7*48, halfHours)
	})
}

func TestInvalidCronStopsStart(t *testing.T) {
	_, err := newRunnerErr(t, `{"triggers":{"crons":["0 9 * * 0"]}}`, &cronApp{})
	require.ErrorContains(t, err, `triggers.crons: cron "0 9 * * 0": day-of-week`)
}

func TestScheduledTriggerEndpoints_CR009_CR012_CR014(t *testing.T) {
	app := &cronApp{}
	rt := workertest.New(t, worker.New[Env](app))
	resp := rt.Fetch(httptest.NewRequest("GET", "http://localhost/__scheduled?cron=*/5+*+*+*+*", nil))
	require.Equal(t, "Ran scheduled event", body(t, resp))
	resp = rt.Fetch(httptest.NewRequest("GET", "http://localhost/cdn-cgi/local/scheduled?cron=0+1+*+*+*&time=1700000000000", nil))
	require.Equal(t, "ok", body(t, resp))
	ev := app.events()
	require.Equal(t, "*/5 * * * *", ev[0].Cron)
	require.Equal(t, int64(1700000000000), ev[1].ScheduledTime.UnixMilli())

	app.fail = true
	resp = rt.Fetch(httptest.NewRequest("GET", "http://localhost/cdn-cgi/handler/scheduled?format=json", nil))
	require.Equal(t, 500, resp.StatusCode)
	require.JSONEq(t, `{"outcome":"exception","noRetry":true}`, body(t, resp))
}

// CR-010 / W-022: a failing waitUntil in a scheduled invocation decides its outcome.
type waitFailApp struct{ cronApp }

func (a *waitFailApp) Scheduled(ev worker.ScheduledEvent, env Env, ctx *worker.Context) error {
	ctx.WaitUntil(func(context.Context) error { return errors.New("background step failed") })
	return nil
}

func TestScheduledWaitUntilDecidesOutcome_CR010_W022(t *testing.T) {
	rt := workertest.New(t, worker.New[Env](&waitFailApp{}))
	resp := rt.Fetch(httptest.NewRequest("GET", "http://localhost/cdn-cgi/handler/scheduled", nil))
	require.Equal(t, 500, resp.StatusCode)
	require.Equal(t, "exception", body(t, resp))
}
