package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

func TestHelloUnit(t *testing.T) {
	resp := workertest.Fetch(t, App{}, Env{Greeting: "hi"}, httptest.NewRequest("GET", "/", nil))
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, "hi", string(body))
}

func TestHelloThroughRunner(t *testing.T) {
	rt := workertest.New(t, worker.New[Env](App{}), workertest.Config(string(config)))
	resp := rt.Fetch(httptest.NewRequest("GET", "/hello", nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, "Hello World", string(body))
}
