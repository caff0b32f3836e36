package worker_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
)

var testTime = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

type HelloEnv struct {
	Greeting string `binding:"GREETING"`
}

type Hello struct{}

func (Hello) Fetch(req *http.Request, env HelloEnv, ctx *worker.Context) (*http.Response, error) {
	return worker.Text(http.StatusOK, env.Greeting+" from "+req.URL.Path)
}

// A worker is a type with Fetch over its Env; tests call it with a struct-literal Env.
func Example() {
	t := &testing.T{}
	resp := workertest.Fetch(t, Hello{}, HelloEnv{Greeting: "Hello"}, httptest.NewRequest("GET", "/docs", nil))
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(b))
	// Output: 200 Hello from /docs
}
