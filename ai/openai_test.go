package ai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/flarego/flarego/ai"
	"github.com/flarego/flarego/ai/aitest"
)

// upstream is a fake OpenAI-compatible server: it answers chat completions with the last
// user message reversed word by word, embeddings with vectors of 4 numbers, and records
// what it was sent.
type upstream struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   []map[string]any
	headers  []http.Header
	paths    []string
	failures []int  // statuses to answer with, one per request, before answering normally
	failBody string // body of those failures
	toolCall bool   // answer chat completions with a tool call
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) provider(t *testing.T) *ai.OpenAI {
	p, err := ai.NewOpenAI(ai.OpenAIConfig{BaseURL: u.URL + "/v1", APIKey: "sk-test", Headers: http.Header{"X-Extra": {"1"}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (u *upstream) last() (string, map[string]any, http.Header) {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := len(u.paths) - 1
	return u.paths[n], u.bodies[n], u.headers[n]
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	u.mu.Lock()
	u.paths = append(u.paths, r.URL.Path)
	u.bodies = append(u.bodies, body)
	u.headers = append(u.headers, r.Header.Clone())
	var fail int
	if len(u.failures) > 0 {
		fail, u.failures = u.failures[0], u.failures[1:]
	}
	toolCall := u.toolCall
	u.mu.Unlock()
	if fail != 0 {
		w.WriteHeader(fail)
		io.WriteString(w, u.failBody)
		return
	}
	switch r.URL.Path {
	case "/v1/models":
		json.NewEncoder(w).Encode(map[string]any{"data": []map[string]any{{"id": "llama3.1:8b"}, {"id": "nomic-embed-text"}}})
	case "/v1/embeddings":
		input, _ := body["input"].([]any)
		data := []map[string]any{}
		for i := len(input) - 1; i >= 0; i-- { // out of order on purpose: index decides
			data = append(data, map[string]any{"index": i, "embedding": []float64{float64(i), 1, 2, 3}})
		}
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	case "/v1/chat/completions", "/v1/completions":
		answer := reply(body)
		usage := map[string]int{"prompt_tokens": 7, "completion_tokens": len(strings.Fields(answer)), "total_tokens": 7 + len(strings.Fields(answer))}
		if body["stream"] == true {
			w.Header().Set("Content-Type", "text/event-stream")
			for i, word := range strings.Fields(answer) {
				if i > 0 {
					word = " " + word
				}
				delta := map[string]any{"content": word}
				fmt.Fprintf(w, "data: %s\n\n", mustJSON(map[string]any{"choices": []any{map[string]any{"delta": delta}}}))
			}
			if toolCall {
				for _, part := range []string{`{"city":`, `"Paris"}`} {
					tc := map[string]any{"index": 0, "function": map[string]any{"name": "", "arguments": part}}
					if part[0] == '{' {
						tc["function"].(map[string]any)["name"] = "weather"
					}
					fmt.Fprintf(w, "data: %s\n\n", mustJSON(map[string]any{"choices": []any{map[string]any{"delta": map[string]any{"tool_calls": []any{tc}}}}}))
				}
			}
			fmt.Fprintf(w, "data: %s\n\n", mustJSON(map[string]any{"choices": []any{}, "usage": usage}))
			io.WriteString(w, "data: [DONE]\n\n")
			return
		}
		msg := map[string]any{"role": "assistant", "content": answer}
		if toolCall {
			msg["content"] = nil
			msg["tool_calls"] = []any{map[string]any{"id": "c1", "type": "function",
				"function": map[string]any{"name": "weather", "arguments": `{"city":"Paris"}`}}}
		}
		choice := map[string]any{"message": msg}
		if r.URL.Path == "/v1/completions" {
			choice = map[string]any{"text": answer}
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{choice}, "usage": usage})
	default:
		http.NotFound(w, r)
	}
}

func reply(body map[string]any) string {
	text, _ := body["prompt"].(string)
	if msgs, ok := body["messages"].([]any); ok && len(msgs) > 0 {
		text, _ = msgs[len(msgs)-1].(map[string]any)["content"].(string)
	}
	words := strings.Fields(text)
	for i, j := 0, len(words)-1; i < j; i, j = i+1, j-1 {
		words[i], words[j] = words[j], words[i]
	}
	return strings.Join(words, " ")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestOpenAIConformance(t *testing.T) {
	aitest.Run(t, func(t *testing.T) aitest.Setup {
		u := newUpstream(t)
		return aitest.Setup{Provider: u.provider(t), TextModel: "llama3.1:8b", EmbeddingModel: "nomic-embed-text", Dims: 4}
	})
}

// AI-002: the platform's defaults (max_tokens 256, temperature 0.6) reach the upstream, and
// the prompt becomes a user message.
func TestOpenAI_AI002_DefaultsAndPrompt(t *testing.T) {
	u := newUpstream(t)
	c := aitest.Client(t, aitest.Setup{Provider: u.provider(t), TextModel: "llama3.1:8b"})
	out, err := ai.Run[map[string]any, ai.TextGenerationOutput](context.Background(), c, aitest.TextName, map[string]any{"prompt": "one two three"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Response != "three two one" || out.Usage == nil || out.Usage.PromptTokens != 7 {
		t.Fatalf("output %+v", out)
	}
	path, body, hdr := u.last()
	if path != "/v1/chat/completions" || body["model"] != "llama3.1:8b" || body["max_tokens"] != 256.0 || body["temperature"] != 0.6 {
		t.Fatalf("request %s %v", path, body)
	}
	msgs := body["messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["role"] != "user" {
		t.Fatalf("messages %v", msgs)
	}
	if hdr.Get("Authorization") != "Bearer sk-test" || hdr.Get("X-Extra") != "1" {
		t.Fatalf("headers %v", hdr)
	}
}

func TestOpenAI_RawPromptUsesCompletions(t *testing.T) {
	u := newUpstream(t)
	c := aitest.Client(t, aitest.Setup{Provider: u.provider(t), TextModel: "m"})
	out, err := ai.Run[ai.TextGenerationInput, *ai.TextGenerationOutput](context.Background(), c, aitest.TextName,
		ai.TextGenerationInput{Prompt: "a b", Raw: true, MaxTokens: 5, Temperature: new(0.0), TopK: new(3)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	path, body, _ := u.last()
	if path != "/v1/completions" || out.Response != "b a" || body["temperature"] != 0.0 || body["top_k"] != 3.0 || body["max_tokens"] != 5.0 {
		t.Fatalf("%s %v → %+v", path, body, out)
	}
}

// AI-004: tool calls come back as {name, arguments} with arguments an object.
func TestOpenAI_AI004_ToolCalls(t *testing.T) {
	u := newUpstream(t)
	u.toolCall = true
	c := aitest.Client(t, aitest.Setup{Provider: u.provider(t), TextModel: "m"})
	in := map[string]any{
		"messages": []map[string]string{{"role": "user", "content": "weather in Paris?"}},
		"tools": []map[string]any{{"name": "weather", "description": "get the weather",
			"parameters": map[string]any{"type": "object", "properties": map[string]any{"city": map[string]string{"type": "string", "description": "city"}}}}},
	}
	out, err := ai.Run[map[string]any, ai.TextGenerationOutput](context.Background(), c, aitest.TextName, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ToolCalls) != 1 || out.ToolCalls[0].Name != "weather" || string(out.ToolCalls[0].Arguments) != `{"city":"Paris"}` {
		t.Fatalf("tool calls %+v", out.ToolCalls)
	}
	_, body, _ := u.last()
	tools := body["tools"].([]any)
	fn := tools[0].(map[string]any)["function"].(map[string]any)
	if tools[0].(map[string]any)["type"] != "function" || fn["name"] != "weather" {
		t.Fatalf("tools sent %v", tools)
	}
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), `"tool_calls":[{"name":"weather","arguments":{"city":"Paris"}}]`) {
		t.Fatalf("JSON %s", b)
	}
}

// AI-005: an upstream stream becomes the platform's events, tool calls and usage last.
func TestOpenAI_AI005_StreamConversion(t *testing.T) {
	u := newUpstream(t)
	u.toolCall = true
	c := aitest.Client(t, aitest.Setup{Provider: u.provider(t), TextModel: "m"})
	res, err := c.Run(context.Background(), aitest.TextName, map[string]any{"prompt": "c b a", "stream": true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.(*ai.Stream)
	defer s.Close()
	b, _ := io.ReadAll(s)
	want := `data: {"response":"a"}` + "\n\n" + `data: {"response":" b"}` + "\n\n" + `data: {"response":" c"}` + "\n\n" +
		`data: {"response":"","tool_calls":[{"name":"weather","arguments":{"city":"Paris"}}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}` + "\n\n" +
		"data: [DONE]\n\n"
	if string(b) != want {
		t.Fatalf("stream\n%s\nwant\n%s", b, want)
	}
	if _, body, _ := u.last(); body["stream"] != true || body["stream_options"] == nil {
		t.Fatalf("request %v", body)
	}
}

// AI-008: upstream error bodies become the platform's errors.
func TestOpenAI_AI008_UpstreamErrors(t *testing.T) {
	for _, tc := range []struct {
		status    int
		body      string
		name, msg string
		code      int
	}{
		{400, `{"internalCode":1001,"name":"InvalidInput","description":"prompt and messages are mutually exclusive"}`, "InvalidInput", "1001: prompt and messages are mutually exclusive", 1001},
		{500, `{"errors":[{"code":7000,"message":"No route for that URI"}]}`, "InferenceUpstreamError", "7000: No route for that URI", 0},
		{502, `Bad gateway`, "InferenceUpstreamError", "Bad gateway", 0},
		{404, `{"error":{"message":"model not found"}}`, "InferenceUpstreamError", `{"error":{"message":"model not found"}}`, 0},
	} {
		u := newUpstream(t)
		u.failures, u.failBody = []int{tc.status}, tc.body
		c := aitest.Client(t, aitest.Setup{Provider: u.provider(t), TextModel: "m"})
		_, err := c.Run(context.Background(), aitest.TextName, map[string]any{"prompt": "x"}, nil)
		e, ok := errors.AsType[*ai.Error](err)
		if !ok || e.Name != tc.name || e.Message != tc.msg || e.Status != tc.status {
			t.Errorf("%s: got %#v", tc.body, err)
			continue
		}
		if c.LastRequestHTTPStatusCode() != tc.status || c.LastRequestInternalStatusCode() != tc.code {
			t.Errorf("%s: last status %d code %d", tc.body, c.LastRequestHTTPStatusCode(), c.LastRequestInternalStatusCode())
		}
	}
}

func TestOpenAI_UnreachableIsUpstreamError(t *testing.T) {
	u := newUpstream(t)
	p := u.provider(t)
	u.Close()
	c := aitest.Client(t, aitest.Setup{Provider: p, EmbeddingModel: "m", Dims: 4})
	_, err := c.Run(context.Background(), aitest.EmbeddingName, map[string]any{"text": "x"}, nil)
	if !errors.Is(err, ai.ErrUpstream) {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenAI_EmbeddingsKeepInputOrder(t *testing.T) {
	u := newUpstream(t)
	c := aitest.Client(t, aitest.Setup{Provider: u.provider(t), EmbeddingModel: "nomic-embed-text", Dims: 4})
	out, err := ai.Run[ai.EmbeddingInput, ai.EmbeddingOutput](context.Background(), c, aitest.EmbeddingName, ai.EmbeddingInput{Text: ai.Texts{"a", "b", "c"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out.Data {
		if v[0] != float32(i) {
			t.Fatalf("vector %d is %v", i, v)
		}
	}
}

func TestNewOpenAIRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "localhost:11434"} {
		if _, err := ai.NewOpenAI(ai.OpenAIConfig{BaseURL: u}); err == nil {
			t.Errorf("NewOpenAI(%q) succeeded", u)
		}
	}
}
