package main

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// The nightly cron deletes sessions that expired, and keeps the others. The fake clock
// starts at midnight UTC; the cron runs at 03:00.
func TestCleanup_NightlyCronDeletesExpiredSessions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		sessions := func() int {
			var st Stats
			require.Equal(t, http.StatusOK, newClient(t, rt).json("GET", "/api/stats", nil, &st))
			return st.Sessions
		}
		ada, bob := newClient(t, rt), newClient(t, rt)
		ada.signIn("ada@example.com") // expires on day 7 at 00:00
		advance(4 * 24 * time.Hour)
		bob.signIn("bob@example.com") // expires on day 11
		require.Equal(t, 2, sessions())

		// Day 7, 01:00: Ada's session has expired and is refused, but is still stored.
		advance(3*24*time.Hour + time.Hour)
		require.Equal(t, http.StatusUnauthorized, ada.json("GET", "/api/me", nil, nil))
		require.Equal(t, 2, sessions())

		// Day 7, 03:00: the cron has deleted it. Bob's session lives on.
		advance(2*time.Hour + time.Minute)
		require.Equal(t, 1, sessions())
		require.Equal(t, http.StatusOK, bob.json("GET", "/api/me", nil, nil))
	})
}
