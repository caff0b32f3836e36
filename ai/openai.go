package ai

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// OpenAIConfig configures an OpenAI-compatible provider.
type OpenAIConfig struct {
	// BaseURL is the API root that /chat/completions, /completions, /embeddings and /models
	// are appended to, e.g. "http://127.0.0.1:11434/v1" (Ollama), "http://127.0.0.1:8080/v1"
	// (llama.cpp's server) or "http://127.0.0.1:8000/v1" (vLLM). Required.
	BaseURL string
	// APIKey, when set, is sent as "Authorization: Bearer <key>".
	APIKey string
	// Headers are added to every request.
	Headers http.Header
	// HTTPClient sends the requests; nil means a client without an overall timeout.
	HTTPClient *http.Client
}

// OpenAI is a Provider for any server speaking the OpenAI HTTP API: chat completions (text
// completions when the input sets raw), embeddings and the model list. Streams are converted
// to the platform's event shape; error answers become *Error by the platform's rules
// (ParseError). It implements StreamingProvider and ModelLister.
type OpenAI struct {
	base   string
	key    string
	header http.Header
	client *http.Client
}

// NewOpenAI returns a provider for the API at cfg.BaseURL.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ai: openai base URL %q must be an http(s) URL", cfg.BaseURL)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	return &OpenAI{
		base:   strings.TrimRight(cfg.BaseURL, "/"),
		key:    cfg.APIKey,
		header: cfg.Headers.Clone(),
		client: client,
	}, nil
}

// The wire shapes of the OpenAI API, only the fields used.
type (
	oaMessage struct {
		Role       string       `json:"role"`
		Content    *string      `json:"content"`
		Name       string       `json:"name,omitempty"`
		ToolCallID string       `json:"tool_call_id,omitempty"`
		ToolCalls  []oaToolCall `json:"tool_calls,omitempty"`
	}
	oaToolCall struct {
		Index    int    `json:"index"`
		ID       string `json:"id,omitempty"`
		Type     string `json:"type,omitempty"`
		Function struct {
			Name      string `json:"name,omitempty"`
			Arguments string `json:"arguments,omitempty"`
		} `json:"function"`
	}
	oaTool struct {
		Type     string       `json:"type"`
		Function ToolFunction `json:"function"`
	}
	oaRequest struct {
		Model             string      `json:"model"`
		Messages          []oaMessage `json:"messages,omitempty"`
		Prompt            string      `json:"prompt,omitempty"`
		MaxTokens         int         `json:"max_tokens"`
		Temperature       float64     `json:"temperature"`
		TopP              *float64    `json:"top_p,omitempty"`
		TopK              *int        `json:"top_k,omitempty"`
		Seed              *int64      `json:"seed,omitempty"`
		RepetitionPenalty *float64    `json:"repetition_penalty,omitempty"`
		FrequencyPenalty  *float64    `json:"frequency_penalty,omitempty"`
		PresencePenalty   *float64    `json:"presence_penalty,omitempty"`
		Tools             []oaTool    `json:"tools,omitempty"`
		Stream            bool        `json:"stream,omitempty"`
		StreamOptions     *struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options,omitempty"`
	}
	oaChoice struct {
		Text    string    `json:"text"`
		Message oaMessage `json:"message"`
		Delta   oaMessage `json:"delta"`
	}
	oaEmbedding struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	oaResponse struct {
		Choices []oaChoice `json:"choices"`
		Usage   *Usage     `json:"usage"`
	}
)

func (p *OpenAI) chatRequest(model string, in *TextGenerationInput, stream bool) (path string, req oaRequest) {
	req = oaRequest{
		Model:             model,
		MaxTokens:         cmp.Or(in.MaxTokens, DefaultMaxTokens),
		Temperature:       DefaultTemperature,
		TopP:              in.TopP,
		TopK:              in.TopK,
		Seed:              in.Seed,
		RepetitionPenalty: in.RepetitionPenalty,
		FrequencyPenalty:  in.FrequencyPenalty,
		PresencePenalty:   in.PresencePenalty,
		Stream:            stream,
	}
	if in.Temperature != nil {
		req.Temperature = *in.Temperature
	}
	if stream {
		req.StreamOptions = &struct {
			IncludeUsage bool `json:"include_usage"`
		}{true}
	}
	for _, t := range in.Tools {
		name, desc, params := t.Spec()
		req.Tools = append(req.Tools, oaTool{Type: "function", Function: ToolFunction{Name: name, Description: desc, Parameters: params}})
	}
	if in.Raw && in.Prompt != "" {
		req.Prompt = in.Prompt
		return "/completions", req
	}
	if len(in.Messages) == 0 {
		req.Messages = []oaMessage{{Role: "user", Content: &in.Prompt}}
		return "/chat/completions", req
	}
	for _, m := range in.Messages {
		req.Messages = append(req.Messages, oaMessage{Role: m.Role, Content: &m.Content, Name: m.Name, ToolCallID: m.ToolCallID})
	}
	return "/chat/completions", req
}

// post sends body as JSON and returns the response when its status is 2xx; otherwise the
// error the platform would give for it.
func (p *OpenAI) post(ctx context.Context, path string, body any, accept string) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return p.do(ctx, http.MethodPost, path, bytes.NewReader(b), accept)
}

func (p *OpenAI) do(ctx context.Context, method, path string, body io.Reader, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range p.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", accept)
	if p.key != "" {
		req.Header.Set("Authorization", "Bearer "+p.key)
	}
	res, err := p.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		e := newError(ErrUpstream, "InferenceUpstreamError", 0, 0, "upstream unreachable: "+err.Error())
		e.cause = err
		return nil, e
	}
	if res.StatusCode/100 != 2 {
		defer res.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		return nil, ParseError(res.StatusCode, b)
	}
	return res, nil
}

func decodeJSON(res *http.Response, dst any) error {
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(dst); err != nil {
		return newError(ErrUpstream, "InferenceUpstreamError", 0, res.StatusCode, "upstream sent malformed JSON: "+err.Error())
	}
	return nil
}

// Generate runs a chat completion (a text completion when in.Raw is set with a prompt).
func (p *OpenAI) Generate(ctx context.Context, model string, in *TextGenerationInput) (*TextGenerationOutput, error) {
	path, req := p.chatRequest(model, in, false)
	res, err := p.post(ctx, path, req, "application/json")
	if err != nil {
		return nil, err
	}
	var r oaResponse
	if err := decodeJSON(res, &r); err != nil {
		return nil, err
	}
	out := &TextGenerationOutput{Usage: r.Usage}
	if len(r.Choices) > 0 {
		c := r.Choices[0]
		out.Response = c.Text
		if c.Message.Content != nil {
			out.Response = *c.Message.Content
		}
		out.ToolCalls = toolCalls(c.Message.ToolCalls)
	}
	return out, nil
}

// toolCalls converts OpenAI tool calls (arguments as a JSON string) to the platform's
// (arguments as an object).
func toolCalls(calls []oaToolCall) []ToolCall {
	var out []ToolCall
	for _, c := range calls {
		args := json.RawMessage(c.Function.Arguments)
		if !json.Valid(args) {
			args, _ = json.Marshal(c.Function.Arguments)
		}
		if len(args) == 0 {
			args = json.RawMessage("{}")
		}
		out = append(out, ToolCall{Name: c.Function.Name, Arguments: args})
	}
	return out
}

// GenerateStream runs a streamed completion and yields its deltas in the platform's chunk
// shape; tool calls, assembled from their deltas, and usage come in a last chunk.
func (p *OpenAI) GenerateStream(ctx context.Context, model string, in *TextGenerationInput) iter.Seq2[StreamChunk, error] {
	return func(yield func(StreamChunk, error) bool) {
		path, req := p.chatRequest(model, in, true)
		res, err := p.post(ctx, path, req, EventStreamContentType)
		if err != nil {
			yield(StreamChunk{}, err)
			return
		}
		defer res.Body.Close()
		var (
			calls []oaToolCall
			usage *Usage
		)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data:")
			if !ok {
				continue
			}
			data = strings.TrimSpace(data)
			if data == "[DONE]" {
				break
			}
			var r oaResponse
			if err := json.Unmarshal([]byte(data), &r); err != nil {
				yield(StreamChunk{}, newError(ErrUpstream, "InferenceUpstreamError", 0, res.StatusCode, "upstream sent a malformed stream event"))
				return
			}
			if r.Usage != nil {
				usage = r.Usage
			}
			if len(r.Choices) == 0 {
				continue
			}
			c := r.Choices[0]
			text := c.Text
			if c.Delta.Content != nil {
				text = *c.Delta.Content
			}
			for _, d := range c.Delta.ToolCalls {
				i := slices.IndexFunc(calls, func(t oaToolCall) bool { return t.Index == d.Index })
				if i < 0 {
					calls = append(calls, d)
					continue
				}
				calls[i].Function.Name += d.Function.Name
				calls[i].Function.Arguments += d.Function.Arguments
			}
			if text != "" && !yield(StreamChunk{Response: text}, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			yield(StreamChunk{}, err)
			return
		}
		if len(calls) > 0 || usage != nil {
			yield(StreamChunk{ToolCalls: toolCalls(calls), Usage: usage}, nil)
		}
	}
}

// Embed runs the embeddings endpoint. Pooling is decided by the upstream model; the output
// echoes the requested value.
func (p *OpenAI) Embed(ctx context.Context, model string, in *EmbeddingInput) (*EmbeddingOutput, error) {
	res, err := p.post(ctx, "/embeddings", map[string]any{"model": model, "input": []string(in.Text)}, "application/json")
	if err != nil {
		return nil, err
	}
	var r struct {
		Data []oaEmbedding `json:"data"`
	}
	if err := decodeJSON(res, &r); err != nil {
		return nil, err
	}
	if len(r.Data) != len(in.Text) {
		return nil, newError(ErrUpstream, "InferenceUpstreamError", 0, res.StatusCode,
			fmt.Sprintf("upstream returned %d embeddings for %d texts", len(r.Data), len(in.Text)))
	}
	slices.SortFunc(r.Data, func(a, b oaEmbedding) int { return cmp.Compare(a.Index, b.Index) })
	data := make([][]float32, len(r.Data))
	for i, d := range r.Data {
		data[i] = d.Embedding
	}
	return newEmbeddingOutput(data, in.Pooling), nil
}

// ListModels returns the upstream's /models list as catalogue entries. Their task is
// unknown to the API, so it is left empty.
func (p *OpenAI) ListModels(ctx context.Context) ([]ModelInfo, error) {
	res, err := p.do(ctx, http.MethodGet, "/models", nil, "application/json")
	if err != nil {
		return nil, err
	}
	var r struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := decodeJSON(res, &r); err != nil {
		return nil, err
	}
	out := make([]ModelInfo, 0, len(r.Data))
	for _, m := range r.Data {
		if m.ID == "" {
			return nil, errors.New("ai: upstream listed a model without id")
		}
		out = append(out, ModelInfo{Name: m.ID})
	}
	return out, nil
}
