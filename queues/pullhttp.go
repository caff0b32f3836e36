package queues

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Pull API paths, as the platform's REST API names them. The runner mounts
// PullHandler so that both match (e.g. at the server's root).
const (
	PullPath = "POST /accounts/{account_id}/queues/{queue_id}/messages/pull"
	AckPath  = "POST /accounts/{account_id}/queues/{queue_id}/messages/ack"
)

// QueueID is the local id of a queue: 32 hex digits derived from its name, stable across
// runs, standing in for the platform's queue ids. The pull API accepts a queue's id or its
// name (path-escaped) as {queue_id}.
func QueueID(name string) string {
	sum := sha256.Sum256([]byte("flarego queue\x00" + name))
	return hex.EncodeToString(sum[:16])
}

// PullHandler serves the platform's HTTP pull consumer API over the Engine's queues:
// POST /accounts/{account_id}/queues/{queue_id}/messages/pull with {batch_size,
// visibility_timeout_ms} and POST …/messages/ack with {acks:[{lease_id}],
// retries:[{lease_id, delay_seconds}]}, answering in the API's envelope
// ({success, errors, messages, result}). json, bytes and v8 bodies are base64-encoded, text
// bodies plain. The account id is ignored and no API token is checked: the runner
// serves it on its local address only.
func (e *Engine) PullHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(PullPath, e.servePull)
	mux.HandleFunc(AckPath, e.serveAck)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "No route for the URI")
	})
	return mux
}

type apiEnvelope struct {
	Success  bool         `json:"success"`
	Errors   []apiMessage `json:"errors"`
	Messages []apiMessage `json:"messages"`
	Result   any          `json:"result"`
}

type apiMessage struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type pullRequest struct {
	BatchSize           *int   `json:"batch_size"`
	VisibilityTimeoutMS *int64 `json:"visibility_timeout_ms"`
	VisibilityTimeout   *int64 `json:"visibility_timeout"` // older docs' name, also milliseconds
}

type pulledMessage struct {
	ID          string            `json:"id"`
	Body        string            `json:"body"`
	Attempts    int               `json:"attempts"`
	LeaseID     string            `json:"lease_id"`
	TimestampMS int64             `json:"timestamp_ms"`
	Metadata    map[string]string `json:"metadata"`
}

type apiMetrics struct {
	BacklogCount             int   `json:"backlog_count"`
	BacklogBytes             int64 `json:"backlog_bytes"`
	OldestMessageTimestampMS int64 `json:"oldest_message_timestamp_ms"`
}

type pullResult struct {
	MessageBacklogCount int             `json:"message_backlog_count"`
	Messages            []pulledMessage `json:"messages"`
	Metadata            struct {
		Metrics apiMetrics `json:"metrics"`
	} `json:"metadata"`
}

type ackRequest struct {
	Acks []struct {
		LeaseID string `json:"lease_id"`
	} `json:"acks"`
	Retries []struct {
		LeaseID      string `json:"lease_id"`
		DelaySeconds int64  `json:"delay_seconds"`
	} `json:"retries"`
}

type ackResult struct {
	AckCount   int      `json:"ackCount"`
	RetryCount int      `json:"retryCount"`
	Warnings   []string `json:"warnings"`
}

func (e *Engine) servePull(w http.ResponseWriter, r *http.Request) {
	var req pullRequest
	if !readJSON(w, r, &req) {
		return
	}
	queue, err := e.resolveQueue(r)
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, err.Error())
		return
	}
	var visibility time.Duration
	switch {
	case req.VisibilityTimeoutMS != nil:
		visibility = time.Duration(*req.VisibilityTimeoutMS) * time.Millisecond
	case req.VisibilityTimeout != nil:
		visibility = time.Duration(*req.VisibilityTimeout) * time.Millisecond
	}
	if visibility < 0 {
		writeAPIError(w, http.StatusBadRequest, "visibility_timeout_ms must be between 0 and 43200000")
		return
	}
	size := 0
	if req.BatchSize != nil {
		size = *req.BatchSize
		if size == 0 {
			size = -1 // an explicit 0 is out of range, not the default
		}
	}
	msgs, metrics, err := e.Pull(r.Context(), queue, size, visibility)
	if err != nil {
		writeEngineError(w, err)
		return
	}
	res := pullResult{MessageBacklogCount: metrics.BacklogCount, Messages: make([]pulledMessage, len(msgs))}
	res.Metadata.Metrics = apiMetrics{BacklogCount: metrics.BacklogCount, BacklogBytes: metrics.BacklogBytes}
	if !metrics.OldestMessageTimestamp.IsZero() {
		res.Metadata.Metrics.OldestMessageTimestampMS = metrics.OldestMessageTimestamp.UnixMilli()
	}
	for i, m := range msgs {
		body := string(m.Body)
		if m.ContentType != ContentText {
			body = base64.StdEncoding.EncodeToString(m.Body)
		}
		res.Messages[i] = pulledMessage{
			ID: m.ID, Body: body, Attempts: m.Attempts, LeaseID: m.LeaseID, TimestampMS: m.Timestamp.UnixMilli(),
			Metadata: map[string]string{"CF-sourceMessageSource": "worker", "CF-Content-Type": string(m.ContentType)},
		}
	}
	writeAPI(w, res)
}

func (e *Engine) serveAck(w http.ResponseWriter, r *http.Request) {
	var req ackRequest
	if !readJSON(w, r, &req) {
		return
	}
	queue, err := e.resolveQueue(r)
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, err.Error())
		return
	}
	acks := make([]string, len(req.Acks))
	for i, a := range req.Acks {
		acks[i] = a.LeaseID
	}
	retries := make([]PullRetry, len(req.Retries))
	for i, rt := range req.Retries {
		retries[i] = PullRetry{LeaseID: rt.LeaseID, Delay: time.Duration(rt.DelaySeconds) * time.Second}
	}
	res, err := e.Ack(r.Context(), queue, acks, retries)
	if err != nil {
		writeEngineError(w, err)
		return
	}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	writeAPI(w, ackResult(res))
}

// resolveQueue maps {queue_id} to a queue name: the queue whose QueueID it is, else itself.
func (e *Engine) resolveQueue(r *http.Request) (string, error) {
	id := r.PathValue("queue_id")
	names, err := e.knownQueues(r.Context())
	if err != nil {
		return "", err
	}
	for _, n := range names {
		if QueueID(n) == id {
			return n, nil
		}
	}
	return id, nil
}

func readJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "could not read the request body")
		return false
	}
	if len(body) == 0 {
		return true
	}
	if err := json.Unmarshal(body, dst); err != nil {
		writeAPIError(w, http.StatusBadRequest, fmt.Sprintf("invalid JSON body: %v", err))
		return false
	}
	return true
}

func writeAPI(w http.ResponseWriter, result any) {
	writeEnvelope(w, http.StatusOK, apiEnvelope{Success: true, Errors: []apiMessage{}, Messages: []apiMessage{}, Result: result})
}

// writeAPIError answers in the API's error envelope. The platform's numeric error codes are
// not reproduced: an error's code is its HTTP status.
func writeAPIError(w http.ResponseWriter, status int, msg string) {
	writeEnvelope(w, status, apiEnvelope{Errors: []apiMessage{{Code: status, Message: msg}}, Messages: []apiMessage{}})
}

func writeEngineError(w http.ResponseWriter, err error) {
	var pe *PullRequestError
	switch {
	case errors.As(err, &pe):
		writeAPIError(w, http.StatusBadRequest, pe.Error())
	case errors.Is(err, ErrConsumerType):
		writeAPIError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrClosed):
		writeAPIError(w, http.StatusServiceUnavailable, err.Error())
	default:
		writeAPIError(w, http.StatusInternalServerError, err.Error())
	}
}

func writeEnvelope(w http.ResponseWriter, status int, env apiEnvelope) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(env)
}
