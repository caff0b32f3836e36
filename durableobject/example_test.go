package durableobject_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
)

type Env struct {
	Counters *durableobject.Namespace[*Counter] `binding:"COUNTERS"`
	Rooms    *durableobject.Namespace[*Room]    `binding:"ROOMS"`
}

// Counter keeps a count in its SQLite database.
type Counter struct{ state *durableobject.State }

func NewCounter(state *durableobject.State, env Env) *Counter {
	state.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
	return &Counter{state: state}
}

// Add is an RPC method: one JSON-serialisable argument and result.
func (c *Counter) Add(ctx context.Context, by int) (int64, error) {
	cur, err := c.state.Storage().SQL().Exec(
		`INSERT INTO counter (k, v) VALUES ('c', ?) ON CONFLICT (k) DO UPDATE SET v = v + excluded.v RETURNING v`, by)
	if err != nil {
		return 0, err
	}
	row, err := cur.One()
	if err != nil {
		return 0, err
	}
	return row["v"].(int64), nil
}

var Add = durableobject.Method("Add", (*Counter).Add)

// Room is a chat room: it accepts hibernatable WebSockets and broadcasts what one sends.
type Room struct{ state *durableobject.State }

func NewRoom(state *durableobject.State, env Env) *Room { return &Room{state: state} }

func (r *Room) Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error) {
	client, server := worker.NewWebSocketPair()
	if _, err := r.state.AcceptWebSocket(server, req.URL.Query().Get("user")); err != nil {
		return nil, err
	}
	return worker.WebSocketResponse(client), nil
}

func (r *Room) WebSocketMessage(ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
	from := ws.Tags()[0]
	for _, peer := range r.state.GetWebSockets("") {
		if err := peer.SendText(ctx, from+": "+string(msg.Data)); err != nil {
			return err
		}
	}
	return nil
}

// startExample does what the runner does: engine first, bindings, then Start with the Env.
func startExample() (*durableobject.Engine, Env) {
	app := worker.New[Env](worker.HandlerFunc[Env](func(*http.Request, Env, *worker.Context) (*http.Response, error) {
		return worker.Text(http.StatusOK, "")
	}))
	durableobject.Register(app, "Counter", NewCounter)
	durableobject.Register(app, "Room", NewRoom)
	eng, _ := durableobject.NewEngine(app, durableobject.Options{}) // Dir: ".flarego/state/do" to persist
	counters, _ := eng.Namespace(durableobject.NamespaceConfig{Class: "Counter"})
	rooms, _ := eng.Namespace(durableobject.NamespaceConfig{Class: "Room"})
	var env Env
	env.Counters, _ = durableobject.Bind[*Counter](counters)
	env.Rooms, _ = durableobject.Bind[*Room](rooms)
	eng.Start(env)
	return eng, env
}

func Example() {
	eng, env := startExample()
	defer eng.Close(context.Background())
	ctx := context.Background()

	stub := env.Counters.GetByName("visits")
	for range 3 {
		n, err := Add.Call(ctx, stub, 1)
		fmt.Println(n, err)
	}
	fmt.Println(stub.ID().Name(), len(stub.ID().String()))
	// Output:
	// 1 <nil>
	// 2 <nil>
	// 3 <nil>
	// visits 64
}

func ExampleState_AcceptWebSocket() {
	eng, env := startExample()
	defer eng.Close(context.Background())
	ctx := context.Background()

	join := func(user string) *worker.WebSocket {
		resp, err := env.Rooms.GetByName("lobby").Fetch(ctx, httptest.NewRequest("GET", "http://room/?user="+user, nil))
		if err != nil {
			panic(err)
		}
		ws, _ := worker.WebSocketFrom(resp)
		return ws
	}
	ann, bob := join("ann"), join("bob")
	ann.SendText(ctx, "hello")
	for _, ws := range []*worker.WebSocket{ann, bob} {
		msg, _ := ws.Receive(ctx)
		fmt.Println(string(msg.Data))
	}
	// Output:
	// ann: hello
	// ann: hello
}

func ExampleStorage_Transaction() {
	eng, env := startExample()
	defer eng.Close(context.Background())
	ctx := context.Background()

	// Move moves an amount from alice to bob: both writes commit, or neither.
	move := durableobject.Method("Move", func(c *Counter, ctx context.Context, amount int) (string, error) {
		s := c.state.Storage()
		if err := s.PutMany(ctx, map[string]any{"alice": 10, "bob": 0}); err != nil {
			return "", err
		}
		err := s.Transaction(ctx, func(txn *durableobject.Txn) error {
			b, _, _ := durableobject.Get[int](ctx, txn, "bob")
			if err := txn.Put(ctx, "bob", b+amount); err != nil {
				return err
			}
			a, _, _ := durableobject.Get[int](ctx, txn, "alice")
			if a < amount {
				return fmt.Errorf("insufficient funds") // rolls back bob's credit too
			}
			return txn.Put(ctx, "alice", a-amount)
		})
		es, _ := durableobject.GetMany[int](ctx, s, []string{"alice", "bob"})
		return fmt.Sprint(es, err), nil
	})
	fmt.Println(move.Call(ctx, env.Counters.GetByName("bank"), 4))
	fmt.Println(move.Call(ctx, env.Counters.GetByName("bank2"), 40))
	// Output:
	// [{alice 6} {bob 4}] <nil> <nil>
	// [{alice 10} {bob 0}] insufficient funds <nil>
}
