package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

// fakeMailer records what it sent and fails the first failFirst sends, the way a provider
// in the middle of an outage would.
type fakeMailer struct {
	mu        sync.Mutex
	failFirst int
	attempts  int
	sent      []Email
}

func (f *fakeMailer) Send(_ context.Context, m Email) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if f.attempts <= f.failFirst {
		return "", errors.New("mail provider: 503 Service Unavailable")
	}
	f.sent = append(f.sent, m)
	return fmt.Sprintf("msg-%d", len(f.sent)), nil
}

// subjects lists the subjects sent so far, and the number of attempts.
func (f *fakeMailer) subjects() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []string
	for _, m := range f.sent {
		s = append(s, m.Subject)
	}
	return s, f.attempts
}

// call sends one request through the runner and returns the status and body.
func call(t *testing.T, rt *workertest.Runtime, method, path, body string) (int, string) {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest(method, path, strings.NewReader(body)))
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// start begins an onboarding and returns its instance id.
func start(t *testing.T, rt *workertest.Runtime, email string) string {
	t.Helper()
	code, body := call(t, rt, "POST", "/onboarding", `{"email":"`+email+`","name":"Ada"}`)
	require.Equal(t, http.StatusAccepted, code, body)
	var out struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	return out.ID
}

// status is the instance's status field and its output.
func status(t *testing.T, rt *workertest.Runtime, id string) (string, Outcome) {
	t.Helper()
	code, body := call(t, rt, "GET", "/onboarding/"+id, "")
	require.Equal(t, http.StatusOK, code, body)
	var st struct {
		Status string
		Output *Outcome
	}
	require.NoError(t, json.Unmarshal([]byte(body), &st))
	if st.Output == nil {
		return st.Status, Outcome{}
	}
	return st.Status, *st.Output
}

// advance moves the fake clock by d and lets every woken goroutine settle.
func advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func newRuntime(t *testing.T, m Mailer) *workertest.Runtime {
	return workertest.New(t, newApp(m), workertest.Config(string(config)))
}

// The whole happy path, with the mail provider down for the first two sends. Three weeks
// of sleeps and waits pass in a fake clock.
func TestOnboarding_ApprovedAfterRetriesAndSleeps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mail := &fakeMailer{failFirst: 2}
		rt := newRuntime(t, mail)
		id := start(t, rt, "ada@example.com")
		synctest.Wait()

		// The welcome email failed once and waits 30 s to retry.
		st, _ := status(t, rt, id)
		require.Equal(t, "waiting", st)
		sent, attempts := mail.subjects()
		require.Empty(t, sent)
		require.Equal(t, 1, attempts)

		// Two retries later (30 s, then 60 s) it goes through; then the day's sleep starts.
		advance(2 * time.Minute)
		sent, attempts = mail.subjects()
		require.Equal(t, []string{"Welcome, Ada"}, sent)
		require.Equal(t, 3, attempts)
		st, _ = status(t, rt, id)
		require.Equal(t, "waiting", st)

		// A day later come the tips; then it waits for an approval.
		advance(lookAround)
		sent, _ = mail.subjects()
		require.Equal(t, []string{"Welcome, Ada", "Three things to try first"}, sent)
		code, body := call(t, rt, "GET", "/accounts/ada@example.com", "")
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `"status":"pending"`)

		code, _ = call(t, rt, "POST", "/onboarding/"+id+"/approve", `{"by":"grace"}`)
		require.Equal(t, http.StatusAccepted, code)
		synctest.Wait()
		sent, _ = mail.subjects()
		require.Equal(t, "You're in", sent[len(sent)-1])
		_, body = call(t, rt, "GET", "/accounts/ada@example.com", "")
		require.JSONEq(t, `{"status":"active","onboarding":"`+id+`","approvedBy":"grace"}`, body)

		// A week later, the check-in, and the workflow is complete.
		advance(checkInAfter)
		sent, _ = mail.subjects()
		require.Equal(t, []string{"Welcome, Ada", "Three things to try first", "You're in", "How is it going?"}, sent)
		st, out := status(t, rt, id)
		require.Equal(t, "complete", st)
		require.Equal(t, Outcome{Email: "ada@example.com", Account: "active", ApprovedBy: "grace"}, out)

		// A finished onboarding takes no more events.
		code, _ = call(t, rt, "POST", "/onboarding/"+id+"/approve", `{"by":"grace"}`)
		require.Equal(t, http.StatusConflict, code)
	})
}

// Nobody approves within the week: the account expires and the user is told.
func TestOnboarding_ApprovalWindowExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mail := &fakeMailer{}
		rt := newRuntime(t, mail)
		id := start(t, rt, "bob@example.com")
		advance(lookAround + approvalWindow + time.Minute)

		st, out := status(t, rt, id)
		require.Equal(t, "complete", st)
		require.Equal(t, Outcome{Email: "bob@example.com", Account: "expired"}, out)
		sent, _ := mail.subjects()
		require.Equal(t, []string{"Welcome, Ada", "Three things to try first", "Your application expired"}, sent)
		_, body := call(t, rt, "GET", "/accounts/bob@example.com", "")
		require.Contains(t, body, `"status":"expired"`)
	})
}

// An approval that arrives before the workflow reaches its wait is kept, not lost.
func TestOnboarding_EarlyApprovalIsKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mail := &fakeMailer{}
		rt := newRuntime(t, mail)
		id := start(t, rt, "cy@example.com")
		synctest.Wait()
		code, _ := call(t, rt, "POST", "/onboarding/"+id+"/approve", `{"by":"lin"}`)
		require.Equal(t, http.StatusAccepted, code)

		advance(lookAround + checkInAfter)
		st, out := status(t, rt, id)
		require.Equal(t, "complete", st)
		require.Equal(t, "lin", out.ApprovedBy)
	})
}

func TestOnboarding_BadRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t, &fakeMailer{})
		code, _ := call(t, rt, "POST", "/onboarding", `{"email":"not an address","name":"x"}`)
		require.Equal(t, http.StatusBadRequest, code)
		code, _ = call(t, rt, "GET", "/onboarding/no-such-id", "")
		require.Equal(t, http.StatusNotFound, code)
		code, _ = call(t, rt, "POST", "/onboarding/no-such-id/approve", `{"by":"x"}`)
		require.Equal(t, http.StatusNotFound, code)

		start(t, rt, "dup@example.com")
		code, _ = call(t, rt, "POST", "/onboarding", `{"email":"dup@example.com","name":"Ada"}`)
		require.Equal(t, http.StatusConflict, code)
	})
}
