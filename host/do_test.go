package host_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

type DOEnv struct {
	Counters *durableobject.Namespace[*doCounter] `binding:"COUNTERS"`
	Rooms    *durableobject.Namespace[*doRoom]    `binding:"ROOMS"`
}

type doCounter struct{ state *durableobject.State }

func newDOCounter(state *durableobject.State, env DOEnv) *doCounter {
	state.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS c (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
	return &doCounter{state: state}
}

var doIncr = durableobject.Method("Incr", func(c *doCounter, ctx context.Context, by int) (int64, error) {
	cur, err := c.state.Storage().SQL().Exec(`INSERT INTO c VALUES ('n', ?) ON CONFLICT (k) DO UPDATE SET v = v + excluded.v RETURNING v`, by)
	if err != nil {
		return 0, err
	}
	row, err := cur.One()
	if err != nil {
		return 0, err
	}
	return row["v"].(int64), nil
})

type doRoom struct{ state *durableobject.State }

func newDORoom(state *durableobject.State, env DOEnv) *doRoom { return &doRoom{state: state} }

func (r *doRoom) Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error) {
	client, server := worker.NewWebSocketPair()
	if _, err := r.state.AcceptWebSocket(server); err != nil {
		return nil, err
	}
	return worker.WebSocketResponse(client), nil
}

func (r *doRoom) WebSocketMessage(ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
	for _, peer := range r.state.GetWebSockets("") {
		peer.SendText(ctx, "echo: "+string(msg.Data))
	}
	return nil
}

func doApp() *worker.App[DOEnv] {
	app := worker.New[DOEnv](worker.HandlerFunc[DOEnv](func(req *http.Request, env DOEnv, ctx *worker.Context) (*http.Response, error) {
		if room, ok := strings.CutPrefix(req.URL.Path, "/ws/"); ok {
			return env.Rooms.GetByName(room).Fetch(ctx, req)
		}
		n, err := doIncr.Call(ctx, env.Counters.GetByName(req.URL.Query().Get("name")), 1)
		if err != nil {
			return nil, err
		}
		return worker.Text(200, strconv.FormatInt(n, 10))
	}))
	durableobject.Register(app, "Counter", newDOCounter)
	durableobject.Register(app, "Room", newDORoom)
	return app
}

const doConfig = `{"name":"app","durable_objects":{"bindings":[{"name":"COUNTERS","class_name":"Counter"},{"name":"ROOMS","class_name":"Room"}]},
  "migrations":[{"tag":"v1","new_sqlite_classes":["Counter","Room"]}]}`

// Durable Objects through the runner: 64 concurrent increments lose nothing, and a
// WebSocket upgrade through stub.Fetch reaches the object over a real connection.
func TestDurableObjectsThroughRunner(t *testing.T) {
	rt := workertest.New(t, doApp(), workertest.Config(doConfig))
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rt.Fetch(httptest.NewRequest("POST", "/?name=one", nil))
		}()
	}
	wg.Wait()
	require.Equal(t, "65", body(t, rt.Fetch(httptest.NewRequest("POST", "/?name=one", nil))))

	srv := httptest.NewServer(rt.Runner)
	defer srv.Close()
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, strings.Replace(srv.URL, "http", "ws", 1)+"/ws/lobby", nil)
	require.NoError(t, err)
	defer conn.CloseNow()
	require.NoError(t, conn.Write(ctx, websocket.MessageText, []byte("hi")))
	_, msg, err := conn.Read(ctx)
	require.NoError(t, err)
	require.Equal(t, "echo: hi", string(msg))
	conn.Close(websocket.StatusNormalClosure, "")
}

// DO-077: the durable-objects subcommand shows and deletes an object the runner has open
// through that runner (which holds the object's file), and reads the files once it stopped.
func TestDurableObjectsCLIWhileServing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "wrangler.jsonc")
	require.NoError(t, os.WriteFile(cfgPath, []byte(doConfig), 0o600))
	r, err := host.New(ctx, host.Options{ConfigPath: cfgPath, Port: -1, LogOutput: io.Discard}, doApp())
	require.NoError(t, err)
	ln, err := r.Listen()
	require.NoError(t, err)
	go r.Serve(ln)
	incr := func() string {
		resp, err := http.Post("http://"+ln.Addr().String()+"/?name=one", "text/plain", nil)
		require.NoError(t, err)
		return body(t, resp)
	}
	cli := func(args ...string) string {
		var out, errOut bytes.Buffer
		args = append(args, "--config", cfgPath, "--port", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
		code := host.Run(ctx, args, &out, &errOut, doApp())
		require.Zero(t, code, errOut.String())
		return out.String()
	}
	require.Equal(t, "1", incr())
	require.Equal(t, "2", incr())
	shown := cli("durable-objects", "show", "app-Counter", "one")
	require.Contains(t, shown, `"Name": "one"`)
	require.Regexp(t, `"n",\s*2`, shown, "the committed row, read through the runner")
	require.Contains(t, cli("durable-objects", "delete", "app-Counter", "one"), "deleted ")
	require.Equal(t, "1", incr(), "the object starts afresh")

	require.NoError(t, r.Shutdown(ctx))
	shown = cli("durable-objects", "show", "app-Counter", "one")
	require.Regexp(t, `"n",\s*1`, shown, "read from the files once the runner stopped")
}
