package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

// hit sends one API request for tenant and returns the response.
func hit(rt *workertest.Runtime, tenant string) *http.Response {
	req := httptest.NewRequest("GET", "/api/hello", nil)
	req.Header.Set("X-Tenant", tenant)
	return rt.Fetch(req)
}

// allowed sends requests until one is refused and returns how many passed.
func allowed(t *testing.T, rt *workertest.Runtime, tenant string) (int, *http.Response) {
	for n := 0; n < 100; n++ {
		resp := hit(rt, tenant)
		if resp.StatusCode != http.StatusOK {
			require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
			return n, resp
		}
	}
	t.Fatal("never limited")
	return 0, nil
}

// The limit is 10 per 60 s. The fake clock starts at a window boundary, so every figure
// below is exact.
func TestRateLimit_429WithRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := workertest.New(t, newApp(), workertest.Config(string(config)))

		resp := hit(rt, "acme")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "10", resp.Header.Get("X-RateLimit-Limit"))
		require.Equal(t, "9", resp.Header.Get("X-RateLimit-Remaining"))
		n, resp := allowed(t, rt, "acme")
		require.Equal(t, 9, n, "ten in all")
		// This window holds 10: it must end (60 s), and then a tenth of the next must pass
		// for the estimate 10·(1 − t/60) to fall to 9.
		require.Equal(t, "66", resp.Header.Get("Retry-After"))
		require.Equal(t, "0", resp.Header.Get("X-RateLimit-Remaining"))

		// Tenants do not share a limit.
		require.Equal(t, http.StatusOK, hit(rt, "globex").StatusCode)

		// Waiting as told lets exactly one more through: the estimate is 10·0.9 = 9.
		time.Sleep(66 * time.Second)
		n, resp = allowed(t, rt, "acme")
		require.Equal(t, 1, n)
		require.Equal(t, "6", resp.Header.Get("Retry-After"))
	})
}

// The window slides: half-way into the next window, half of the last one still counts.
func TestRateLimit_SlidingWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := workertest.New(t, newApp(), workertest.Config(string(config)))
		n, _ := allowed(t, rt, "acme")
		require.Equal(t, 10, n)
		time.Sleep(90 * time.Second)
		n, _ = allowed(t, rt, "acme")
		require.Equal(t, 5, n, "10·0.5 + 5 = 10")
	})
}

// The counts are in the object's storage, so they survive its eviction from memory.
func TestRateLimit_CountsSurviveEviction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := workertest.New(t, newApp(), workertest.Config(string(config)))
		n, _ := allowed(t, rt, "acme")
		require.Equal(t, 10, n)
		// 100 s idle: the object is evicted after 70 s. At t = 100 s the estimate is
		// 10·(1 − 40/60) ≈ 3.3, so 6 more pass, not 10.
		time.Sleep(100 * time.Second)
		synctest.Wait()
		n, _ = allowed(t, rt, "acme")
		require.Equal(t, 6, n)
	})
}

func TestRateLimit_NeedsATenant(t *testing.T) {
	rt := workertest.New(t, newApp(), workertest.Config(string(config)))
	resp := rt.Fetch(httptest.NewRequest("GET", "/api/hello", nil))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
