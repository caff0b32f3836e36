package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func call(t *testing.T, rt *workertest.Runtime, method, path string) (int, string) {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest(method, path, nil))
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestCounter_AddAndRead(t *testing.T) {
	rt := workertest.New(t, newApp(), workertest.Config(string(config)))
	_, body := call(t, rt, "GET", "/counters/visits")
	require.Equal(t, "0", body, "a new counter starts at zero")
	_, body = call(t, rt, "POST", "/counters/visits/add")
	require.Equal(t, "1", body)
	_, body = call(t, rt, "POST", "/counters/visits/add?by=41")
	require.Equal(t, "42", body)
	_, body = call(t, rt, "POST", "/counters/visits/add?by=-2")
	require.Equal(t, "40", body)
	_, body = call(t, rt, "GET", "/counters/visits")
	require.Equal(t, "40", body)

	// Another name is another object, with its own database.
	_, body = call(t, rt, "GET", "/counters/downloads")
	require.Equal(t, "0", body)

	code, _ := call(t, rt, "POST", "/counters/visits/add?by=lots")
	require.Equal(t, http.StatusBadRequest, code)
	code, _ = call(t, rt, "GET", "/elsewhere")
	require.Equal(t, http.StatusNotFound, code)
}

// Concurrent adds to one counter are never lost: the object runs one call at a time.
func TestCounter_ConcurrentAddsAreNotLost(t *testing.T) {
	rt := workertest.New(t, newApp(), workertest.Config(string(config)))
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			resp := rt.Fetch(httptest.NewRequest("POST", "/counters/hits/add", nil))
			assert.Equal(t, http.StatusOK, resp.StatusCode)
		})
	}
	wg.Wait()
	_, body := call(t, rt, "GET", "/counters/hits")
	require.Equal(t, "50", body)
}

// The value is on disk: a new runner over the same state directory still has it.
func TestCounter_SurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	rt := workertest.New(t, newApp(), workertest.Config(string(config)), workertest.PersistTo(dir))
	call(t, rt, "POST", "/counters/visits/add?by=7")
	require.NoError(t, rt.Runner.Shutdown(context.Background()))

	rt = workertest.New(t, newApp(), workertest.Config(string(config)), workertest.PersistTo(dir))
	_, body := call(t, rt, "GET", "/counters/visits")
	require.Equal(t, "7", body)
}
