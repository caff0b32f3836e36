package host_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

// W-035: requests to the runner carry a standard cf object; --cf FILE supplies the
// runner's, the fields it leaves out keeping their defaults.
func TestRunnerCFFromFile_W035(t *testing.T) {
	dir := t.TempDir()
	cfFile := filepath.Join(dir, "cf.json")
	require.NoError(t, os.WriteFile(cfFile, []byte(`{"country": "NZ", "city": "Wellington"}`), 0o600))
	h := fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.JSON(200, worker.RequestCF(req))
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- host.Run(ctx, []string{"--no-persist", "--port", "-1", "--cf", cfFile}, pw, io.Discard, worker.New[Env](h))
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, pr)
	addr := strings.Fields(line[strings.Index(line, "http://"):])[0]

	resp, err := http.Get(addr + "/")
	require.NoError(t, err)
	var cf map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&cf))
	resp.Body.Close()
	require.Equal(t, "NZ", cf["country"])
	require.Equal(t, "Wellington", cf["city"])
	require.Equal(t, worker.DefaultCF().Colo, cf["colo"], "a field the file leaves out keeps its default")
	require.Equal(t, "HTTP/1.1", cf["httpProtocol"])

	cancel()
	require.Zero(t, <-done)

	var errOut strings.Builder
	require.Equal(t, 2, host.Run(context.Background(), []string{"--no-persist", "--cf", filepath.Join(dir, "missing.json")}, io.Discard, &errOut, worker.New[Env](h)))
	require.Contains(t, errOut.String(), "--cf")
}

func TestRunnerFlagErrorsArePrinted(t *testing.T) {
	h := fn(func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		return worker.Text(200, "")
	})
	var errOut strings.Builder
	require.Equal(t, 2, host.Run(context.Background(), []string{"--no-persist", "--upstream", "not a url"}, io.Discard, &errOut, worker.New[Env](h)))
	require.Contains(t, errOut.String(), "is not an absolute URL")
}
