package main

import (
	"context"
	"net/http"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
)

// Counter is the simulator worker's Counter: a count in SQL, and queue statistics in KV
// storage.
type Counter struct{ state *durableobject.State }

// NewCounter creates the counter table once per activation.
func NewCounter(state *durableobject.State, env Env) *Counter {
	state.Storage().SQL().Exec("CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
	return &Counter{state: state}
}

// Incr adds by and returns the new value: one SQL statement, one durable write.
var Incr = durableobject.Method("incr", func(c *Counter, ctx context.Context, by int) (int64, error) {
	cur, err := c.state.Storage().SQL().Exec(
		"INSERT INTO counter (k, v) VALUES ('c', ?) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v RETURNING v", by)
	if err != nil {
		return 0, err
	}
	row, err := cur.One()
	if err != nil {
		return 0, err
	}
	return row["v"].(int64), nil
})

// Value returns the count.
var Value = durableobject.Method("get", func(c *Counter, ctx context.Context, _ struct{}) (int64, error) {
	cur, err := c.state.Storage().SQL().Exec("SELECT v FROM counter WHERE k = 'c'")
	if err != nil {
		return 0, err
	}
	rows := cur.ToArray()
	if len(rows) == 0 {
		return 0, nil
	}
	return rows[0]["v"].(int64), nil
})

// QueueStats are the consumer's counters, as the simulator worker keeps them.
type QueueStats struct {
	Count        int64 `json:"count"`
	Batches      int64 `json:"batches"`
	MaxBatch     int64 `json:"max_batch"`
	MaxLatencyMs int64 `json:"max_latency_ms"`
}

// BatchSeen is one delivered batch.
type BatchSeen struct {
	N            int64 `json:"n"`
	MaxLatencyMs int64 `json:"max_latency_ms"`
}

// RecordBatch adds a batch to the statistics.
var RecordBatch = durableobject.Method("recordBatch", func(c *Counter, ctx context.Context, b BatchSeen) (int64, error) {
	s := c.state.Storage()
	st, _, err := durableobject.Get[QueueStats](ctx, s, "stats")
	if err != nil {
		return 0, err
	}
	st.Count += b.N
	st.Batches++
	st.MaxBatch = max(st.MaxBatch, b.N)
	st.MaxLatencyMs = max(st.MaxLatencyMs, b.MaxLatencyMs)
	if err := s.Put(ctx, "stats", st); err != nil {
		return 0, err
	}
	return st.Count, nil
})

// Stats returns the statistics.
var Stats = durableobject.Method("stats", func(c *Counter, ctx context.Context, _ struct{}) (QueueStats, error) {
	st, _, err := durableobject.Get[QueueStats](ctx, c.state.Storage(), "stats")
	return st, err
})

// Room is the simulator worker's chat room: hibernatable WebSockets, broadcast to all.
type Room struct{ state *durableobject.State }

// NewRoom makes a room.
func NewRoom(state *durableobject.State, env Env) *Room { return &Room{state: state} }

// Fetch accepts a WebSocket upgrade.
func (r *Room) Fetch(req *http.Request, ctx *worker.Context) (*http.Response, error) {
	if req.Header.Get("Upgrade") != "websocket" {
		return worker.Text(http.StatusUpgradeRequired, "expected websocket upgrade")
	}
	client, server := worker.NewWebSocketPair()
	if _, err := r.state.AcceptWebSocket(server); err != nil {
		return nil, err
	}
	return worker.WebSocketResponse(client), nil
}

// WebSocketMessage broadcasts to every socket in the room, the sender included.
func (r *Room) WebSocketMessage(ctx *worker.Context, ws *durableobject.WebSocket, msg worker.Message) error {
	for _, peer := range r.state.GetWebSockets("") {
		peer.Send(ctx, msg.Type, msg.Data)
	}
	return nil
}
