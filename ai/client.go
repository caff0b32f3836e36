package ai

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/flarego/flarego/worker"
)

// Client is the AI binding: env.AI in a worker. It validates inputs against the platform's
// schemas, routes each model name to the provider the configuration names, and shapes
// results and errors the way the platform's binding does. It is safe for concurrent use.
//
// The zero Client is ready to use and serves the embedded models only, like New(Config{}).
type Client struct {
	cfg     Config
	once    sync.Once
	initErr error

	providers map[string]Provider
	routes    map[string]Route
	def       *Route
	cache     *responseCache
	logs      gatewayLogs
	logger    *slog.Logger

	mu   sync.Mutex
	last RequestInfo
}

// RunOptions are the options of one run; nil means none.
type RunOptions struct {
	// Gateway sends the run through the local AI Gateway emulation (AI-011).
	Gateway *GatewayOptions
	// ReturnRawResponse makes Run return the *http.Response the platform's service would
	// have answered with, error statuses included, instead of a decoded result (AI-010).
	ReturnRawResponse bool
	// Info, when set, receives this run's RequestInfo: the race-free way to read what
	// LastRequestID and friends report.
	Info *RequestInfo
}

// RequestInfo describes one run, what the platform exposes as env.AI.lastRequestId,
// aiGatewayLogId, lastRequestHttpStatusCode and lastRequestInternalStatusCode (AI-009), plus
// which provider served it.
type RequestInfo struct {
	// ID is the run's request id (a UUID), the platform's cf-ai-req-id.
	ID string
	// GatewayLogID is the gateway log entry's id (cf-aig-log-id); empty without a gateway.
	GatewayLogID string
	// HTTPStatus is the status the run's response had: 200, or the error's status.
	HTTPStatus int
	// InternalCode is the error's internal code, 0 on success.
	InternalCode int
	// CacheStatus is "HIT" or "MISS" when the gateway cache was consulted, else empty.
	CacheStatus string
	// Attempts counts the provider calls made (retries included); 0 for a cache hit.
	Attempts int
	// Provider and UpstreamModel say who served the run: the provider's configured name and
	// its own name for the model.
	Provider      string
	UpstreamModel string
}

// New returns a client for cfg, or an error naming the first invalid setting.
func New(cfg Config) (*Client, error) {
	c := &Client{cfg: cfg}
	c.once.Do(c.init)
	if c.initErr != nil {
		return nil, c.initErr
	}
	return c, nil
}

func (c *Client) init() {
	providers, err := c.cfg.buildProviders()
	if err != nil {
		c.initErr = err
		return
	}
	routes := map[string]Route{}
	if !c.cfg.NoEmbedded {
		routes[ModelGloVe] = Route{Provider: EmbeddedProvider, Model: ModelGloVe, Task: TaskTextEmbeddings}
		routes[ModelExtractiveQA] = Route{Provider: EmbeddedProvider, Model: ModelExtractiveQA, Task: TaskTextGeneration}
	}
	check := func(where string, r Route) error {
		if _, ok := providers[r.Provider]; !ok {
			return fmt.Errorf("ai: config: %s: unknown provider %q", where, r.Provider)
		}
		switch r.Task {
		case "", TaskTextGeneration, TaskTextEmbeddings:
		default:
			if _, ok := providers[r.Provider].(TaskRunner); !ok {
				return fmt.Errorf("ai: config: %s: task %q needs a provider that runs other tasks", where, r.Task)
			}
		}
		return nil
	}
	for name, r := range c.cfg.Models {
		if err := check(fmt.Sprintf("models[%q]", name), r); err != nil {
			c.initErr = err
			return
		}
		routes[name] = r
	}
	if d := c.cfg.Default; d != nil {
		if err := check("default", *d); err != nil {
			c.initErr = err
			return
		}
		c.def = d
	}
	c.providers, c.routes = providers, routes
	c.cache = newResponseCache(c.cfg.Cache)
	c.logger = c.cfg.Logger
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
}

// resolved is a model name after routing.
type resolved struct {
	providerName string
	provider     Provider
	model        string // the provider's name for it
	task         Task   // "" when neither configuration nor catalogue says
}

func (c *Client) resolve(model string) (resolved, error) {
	r, ok := c.routes[model]
	if !ok {
		if c.def == nil {
			return resolved{}, noProviderError(model)
		}
		r = *c.def
	}
	upstream := cmp.Or(r.Model, model)
	task := cmp.Or(r.Task, catalogueTask(model), catalogueTask(upstream))
	return resolved{providerName: r.Provider, provider: c.providers[r.Provider], model: upstream, task: task}, nil
}

// noProviderError is the error for a model nothing serves (5007), with what to configure.
func noProviderError(model string) *Error {
	var b strings.Builder
	fmt.Fprintf(&b, "No such model %s or task: no provider serves it here. Route it to a provider under %q in the config file, "+
		"or set %s (an OpenAI-compatible server such as Ollama) and %s", model, ConfigKey, EnvBaseURL, EnvModels)
	switch catalogueTask(model) {
	case TaskTextEmbeddings:
		fmt.Fprintf(&b, ". The embedded %s (%d dimensions, not %d) serves this name only if routed there explicitly",
			ModelGloVe, 100, catalogueDims(model))
	case TaskTextGeneration:
		fmt.Fprintf(&b, ". The embedded %s (quotes the given context, generates nothing) serves this name only if routed there explicitly",
			ModelExtractiveQA)
	}
	b.WriteByte('.')
	return noSuchModel(b.String())
}

// Run runs model on input (AI-001). input is a TextGenerationInput, an EmbeddingInput, a map,
// any JSON-serialisable struct, or JSON bytes; it is checked against the task's schema first.
// The result is:
//
//   - *TextGenerationOutput for a text generation;
//   - *Stream (text/event-stream) for a text generation with Stream set (AI-005);
//   - *EmbeddingOutput for text embeddings;
//   - *http.Response when opts.ReturnRawResponse is set (AI-010);
//   - for other tasks, what the provider's TaskRunner returns (decoded JSON or a *Stream).
//
// Errors are *Error with the platform's name, code and message (AI-003, AI-008), except the
// invocation's subrequest budget being spent (worker.ErrSubrequestLimit): every Run counts as
// one subrequest. A cancelled ctx gives an AbortError wrapping ctx's error (AI-013).
func (c *Client) Run(ctx context.Context, model string, input any, opts *RunOptions) (any, error) {
	c.once.Do(c.init)
	if c.initErr != nil {
		return nil, c.initErr
	}
	if err := worker.Subrequest(ctx); err != nil {
		return nil, err
	}
	var o RunOptions
	if opts != nil {
		o = *opts
	}
	info := RequestInfo{ID: newRequestID(), HTTPStatus: 200}
	res, err := c.run(ctx, model, input, &o, &info)
	if e, ok := errors.AsType[*Error](err); ok {
		info.HTTPStatus = e.Status
		info.InternalCode = e.Code
	}
	c.mu.Lock()
	c.last = info
	c.mu.Unlock()
	if o.Info != nil {
		*o.Info = info
	}
	if o.ReturnRawResponse {
		return rawResponse(res, err, &info)
	}
	return res, err
}

func (c *Client) run(ctx context.Context, model string, input any, o *RunOptions, info *RequestInfo) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, abortError(context.Cause(ctx))
	}
	gw := o.Gateway
	if gw != nil && gw.ID == "" {
		gw = nil // the platform goes through a gateway only when it has an id
	}
	if gw != nil {
		if err := gw.validate(); err != nil {
			return nil, err
		}
	}
	in, err := decodeInput(input)
	if err != nil {
		return nil, err
	}
	if in.streams != nil {
		if err := in.checkStreams(gw != nil); err != nil {
			return nil, err
		}
	}
	r, err := c.resolve(model)
	if err != nil {
		return nil, err
	}
	info.Provider, info.UpstreamModel = r.providerName, r.model

	call, key, decode, err := c.prepare(r, in)
	if err != nil {
		return nil, err
	}
	cacheKey := ""
	if gw != nil && gw.CacheTTL > 0 && !gw.SkipCache && key != nil {
		cacheKey = gw.ID + "\x00" + cmp.Or(gw.CacheKey, model+"\x00"+hashOf(key))
		info.CacheStatus = "MISS"
		if b, ok := c.cache.get(cacheKey); ok {
			if res, err := decode(b); err == nil {
				info.CacheStatus = "HIT"
				c.logRun(gw, info, model, 0, res, nil, true)
				return res, nil
			}
		}
	}
	start := time.Now()
	res, attempts, err := c.attempt(ctx, gw, call)
	info.Attempts = attempts
	if err == nil && cacheKey != "" {
		if b, merr := json.Marshal(res); merr == nil {
			c.cache.put(cacheKey, b, gw.CacheTTL)
		}
	}
	if gw != nil {
		c.logRun(gw, info, model, time.Since(start), res, err, false)
	}
	return res, err
}

// call runs one attempt. release ends the attempt's context: the caller does so once the
// call returns, unless the result is a *Stream, which then owns it.
type call func(ctx context.Context, release func()) (any, error)

// prepare validates the input for the model's task and returns the provider call, the value
// the cache key is derived from (nil: never cache) and the decoder of cached results.
func (c *Client) prepare(r resolved, in *input) (call, any, func([]byte) (any, error), error) {
	task := cmp.Or(r.task, in.guessTask())
	if in.streams != nil {
		task = ""
	}
	switch task {
	case TaskTextGeneration:
		g, err := in.textGeneration()
		if err != nil {
			return nil, nil, nil, err
		}
		if g.Stream {
			return func(ctx context.Context, release func()) (any, error) {
				return startStream(ctx, r, g, release)
			}, nil, nil, nil
		}
		return func(ctx context.Context, _ func()) (any, error) {
			return r.provider.Generate(ctx, r.model, g)
		}, g, decodeAs[TextGenerationOutput], nil
	case TaskTextEmbeddings:
		e, err := in.embeddings()
		if err != nil {
			return nil, nil, nil, err
		}
		return func(ctx context.Context, _ func()) (any, error) {
			return r.provider.Embed(ctx, r.model, e)
		}, e, decodeAs[EmbeddingOutput], nil
	}
	tr, ok := r.provider.(TaskRunner)
	if !ok {
		if task == "" {
			return nil, nil, nil, noSuchModel(fmt.Sprintf("No such model %s or task: its task is unknown; give it a task "+
				"(text-generation or text-embeddings) under %q", r.model, ConfigKey))
		}
		return nil, nil, nil, newError(ErrUnsupported, "InferenceUpstreamError", 5007, 400,
			fmt.Sprintf("No such model %s or task: provider %q does not run %s models", r.model, r.providerName, task))
	}
	generic := in.generic()
	var key any = generic
	if in.streams != nil {
		key = nil
	}
	return func(ctx context.Context, _ func()) (any, error) {
		return tr.RunTask(ctx, r.model, generic)
	}, key, decodeAs[any], nil
}

func decodeAs[T any](b []byte) (any, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	if p, ok := any(v).(*any); ok {
		return *p, nil
	}
	return v, nil
}

func hashOf(v any) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// startStream starts a streamed generation and waits for its first chunk, so that a failure
// to start is an error of Run (as on the platform) rather than of the stream.
func startStream(ctx context.Context, r resolved, g *TextGenerationInput, release func()) (any, error) {
	var seq iter.Seq2[StreamChunk, error]
	if sp, ok := r.provider.(StreamingProvider); ok {
		seq = sp.GenerateStream(ctx, r.model, g)
	} else {
		out, err := r.provider.Generate(ctx, r.model, g)
		if err != nil {
			return nil, err
		}
		seq = chunksOf(out)
	}
	next, stop := iter.Pull2(seq)
	first, err, ok := next()
	if err != nil {
		stop()
		return nil, err
	}
	pending := true
	return newEventStream(func() (StreamChunk, error, bool) {
		if pending {
			pending = false
			return first, nil, ok
		}
		return next()
	}, stop, release), nil
}

// errTimedOut is the cause an attempt's context is cancelled with when the gateway's
// request timeout expires.
var errTimedOut = errors.New("ai: gateway request timeout")

// attempt runs fn once, or as the gateway's retry policy says.
func (c *Client) attempt(ctx context.Context, gw *GatewayOptions, fn call) (any, int, error) {
	n := gw.attempts()
	for i := 1; ; i++ {
		res, err := c.try(ctx, gw, n > 1 && i == n, fn)
		if err == nil {
			return res, i, nil
		}
		if i == n || !retryable(err) {
			return nil, i, err
		}
		d := gw.Retries.delay(i)
		c.logger.DebugContext(ctx, "ai: retrying", "gateway", gw.ID, "attempt", i, "delay", d, "error", err)
		if err := sleep(ctx, d); err != nil {
			return nil, i, abortError(context.Cause(ctx))
		}
	}
}

// try runs one attempt under the gateway's request timeout, unless unbounded.
func (c *Client) try(ctx context.Context, gw *GatewayOptions, unbounded bool, fn call) (any, error) {
	actx, cancel := context.WithCancelCause(ctx)
	release := func() { cancel(nil) }
	var timer *time.Timer
	if gw != nil && gw.RequestTimeout > 0 && !unbounded {
		timer = time.AfterFunc(gw.RequestTimeout, func() { cancel(errTimedOut) })
	}
	res, err := fn(actx, release)
	if timer != nil && !timer.Stop() && err == nil {
		// The timeout fired as the response arrived; the attempt's context is gone.
		if s, ok := res.(*Stream); ok {
			s.Close()
		}
		res, err = nil, errTimedOut
	}
	if _, isStream := res.(*Stream); !isStream || err != nil {
		defer release()
	}
	if err == nil {
		return res, nil
	}
	switch {
	case ctx.Err() != nil:
		return nil, abortError(context.Cause(ctx))
	case errors.Is(context.Cause(actx), errTimedOut), errors.Is(err, errTimedOut):
		return nil, timeoutError()
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return nil, e
	}
	e := newError(ErrUpstream, "InferenceUpstreamError", 0, 500, err.Error())
	e.cause = err
	c.logger.WarnContext(ctx, "ai: provider failed", "error", err)
	return nil, e
}

// logRun records a gateway request in the gateway's log.
func (c *Client) logRun(gw *GatewayOptions, info *RequestInfo, model string, d time.Duration, res any, err error, cached bool) {
	if !gw.collect() {
		return
	}
	now := time.Now()
	e := &GatewayLog{
		ID: newLogID(now), Gateway: gw.ID, Provider: info.Provider, Model: model,
		Duration: d, StatusCode: 200, Success: err == nil, Cached: cached,
		Metadata: gw.Metadata, EventID: gw.EventID, CreatedAt: now,
	}
	if e2, ok := errors.AsType[*Error](err); ok {
		e.StatusCode = e2.Status
	}
	if out, ok := res.(*TextGenerationOutput); ok && out.Usage != nil {
		e.TokensIn, e.TokensOut = out.Usage.PromptTokens, out.Usage.CompletionTokens
	}
	c.logs.add(e)
	info.GatewayLogID = e.ID
}

// LastRequestID is the request id of the last run (env.AI.lastRequestId, AI-009); empty
// before the first. With concurrent runs on one Client, "last" is whichever finished last:
// use RunOptions.Info to read a given run's.
func (c *Client) LastRequestID() string { return c.lastInfo().ID }

// AIGatewayLogID is the gateway log id of the last run (env.AI.aiGatewayLogId); empty when
// it did not go through a gateway.
func (c *Client) AIGatewayLogID() string { return c.lastInfo().GatewayLogID }

// LastRequestHTTPStatusCode is the HTTP status of the last run (0 before the first, and
// for runs that never got a response).
func (c *Client) LastRequestHTTPStatusCode() int { return c.lastInfo().HTTPStatus }

// LastRequestInternalStatusCode is the internal code of the last run's error, 0 if it
// succeeded or its error had none.
func (c *Client) LastRequestInternalStatusCode() int { return c.lastInfo().InternalCode }

func (c *Client) lastInfo() RequestInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
