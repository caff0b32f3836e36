package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

// newRuntime starts the app on the real runner, in memory, with migrations/ applied as at
// start-up.
func newRuntime(t *testing.T) *workertest.Runtime {
	return workertest.New(t, newApp(), workertest.Config(string(config)), workertest.Dir("."),
		func(o *host.Options) error { o.ApplyMigrations = true; return nil })
}

// client is one browser: it keeps the cookies the API sets.
type client struct {
	t       *testing.T
	rt      *workertest.Runtime
	cookies map[string]*http.Cookie
}

func newClient(t *testing.T, rt *workertest.Runtime) *client {
	return &client{t: t, rt: rt, cookies: map[string]*http.Cookie{}}
}

// do sends a request through the runner and returns the response with its body read.
func (c *client) do(method, path string, body io.Reader, header ...string) (*http.Response, []byte) {
	c.t.Helper()
	req := httptest.NewRequest(method, "http://localhost"+path, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	resp := c.rt.Fetch(req)
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	return resp, b
}

// json sends v as a JSON body and decodes the answer into out (when not nil); it returns
// the status.
func (c *client) json(method, path string, v any, out any) int {
	c.t.Helper()
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		require.NoError(c.t, err)
		body = strings.NewReader(string(b))
	}
	resp, b := c.do(method, path, body, "Content-Type", "application/json")
	if out != nil && resp.StatusCode < 300 {
		require.NoError(c.t, json.Unmarshal(b, out), string(b))
	}
	return resp.StatusCode
}

// signIn creates an account and logs in.
func (c *client) signIn(email string) {
	c.t.Helper()
	cred := map[string]string{"email": email, "password": "correct horse"}
	require.Equal(c.t, http.StatusCreated, c.json("POST", "/api/signup", cred, nil))
	require.Equal(c.t, http.StatusOK, c.json("POST", "/api/login", cred, nil))
}

// advance moves the fake clock by d and lets every woken goroutine settle.
func advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}
