package ai

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"
)

// GatewayLog is one logged gateway request, what the platform's gateway(id).getLog returns.
type GatewayLog struct {
	ID         string
	Gateway    string
	Provider   string // the configured provider that served it
	Model      string // the model name the worker asked for
	Duration   time.Duration
	StatusCode int
	Success    bool
	Cached     bool
	TokensIn   int
	TokensOut  int
	Metadata   map[string]any
	EventID    string
	// Score and Feedback are set by PatchLog; nil until then.
	Score     *float64
	Feedback  *int
	CreatedAt time.Time
}

// GatewayLogPatch changes a log entry: nil fields are left as they are.
type GatewayLogPatch struct {
	Score    *float64
	Feedback *int // -1 or 1
	Metadata map[string]any
}

// ErrLogNotFound is wrapped by the errors of GetLog and PatchLog for an unknown log id.
var ErrLogNotFound = errors.New("ai: gateway log not found")

func logNotFound() *Error {
	return newError(ErrLogNotFound, "AiGatewayLogNotFound", 0, 404, "Log Not Found")
}

// maxGatewayLogs bounds the in-memory log; the oldest entries go first.
const maxGatewayLogs = 1000

type gatewayLogs struct {
	mu    sync.Mutex
	byID  map[string]*GatewayLog
	order []string
}

func (l *gatewayLogs) add(e *GatewayLog) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byID == nil {
		l.byID = map[string]*GatewayLog{}
	}
	l.byID[e.ID] = e
	l.order = append(l.order, e.ID)
	if len(l.order) > maxGatewayLogs {
		delete(l.byID, l.order[0])
		l.order = l.order[1:]
	}
}

// Gateway is the local view of one AI Gateway: its request log.
type Gateway struct {
	c  *Client
	id string
}

// Gateway returns the gateway named id. Runs reach it through RunOptions.Gateway.
func (c *Client) Gateway(id string) *Gateway { return &Gateway{c: c, id: id} }

// GetLog returns a copy of the log entry logID of this gateway, or an *Error wrapping
// ErrLogNotFound.
func (g *Gateway) GetLog(ctx context.Context, logID string) (*GatewayLog, error) {
	if err := ctx.Err(); err != nil {
		return nil, abortError(err)
	}
	l := &g.c.logs
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.byID[logID]
	if !ok || e.Gateway != g.id {
		return nil, logNotFound()
	}
	cp := *e
	cp.Metadata = maps.Clone(e.Metadata)
	return &cp, nil
}

// PatchLog records a score, feedback or metadata on the log entry logID.
func (g *Gateway) PatchLog(ctx context.Context, logID string, p GatewayLogPatch) error {
	if err := ctx.Err(); err != nil {
		return abortError(err)
	}
	l := &g.c.logs
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.byID[logID]
	if !ok || e.Gateway != g.id {
		return logNotFound()
	}
	if p.Score != nil {
		e.Score = new(*p.Score)
	}
	if p.Feedback != nil {
		e.Feedback = new(*p.Feedback)
	}
	if p.Metadata != nil {
		e.Metadata = maps.Clone(p.Metadata)
	}
	return nil
}
