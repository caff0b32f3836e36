package ai_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flarego/flarego/ai"
)

func runErr(t *testing.T, c *ai.Client, model string, in any) *ai.Error {
	t.Helper()
	_, err := c.Run(context.Background(), model, in, nil)
	e, ok := errors.AsType[*ai.Error](err)
	if !ok {
		t.Fatalf("Run(%v) error = %v, want *ai.Error", in, err)
	}
	return e
}

const llama = "@cf/meta/llama-3.1-8b-instruct"

// AI-003: prompt and messages together are refused before any provider runs, whether the
// input is a map, JSON or the typed struct.
func TestRun_AI003_PromptAndMessagesExclusive(t *testing.T) {
	f := ai.NewFake(nil)
	c := f.Client()
	for _, in := range []any{
		map[string]any{"prompt": "", "messages": []any{}},
		[]byte(`{"prompt":"a","messages":[{"role":"user","content":"b"}]}`),
		ai.TextGenerationInput{Prompt: "a", Messages: []ai.Message{{Role: "user", Content: "b"}}},
	} {
		e := runErr(t, c, llama, in)
		if e.Name != "InvalidInput" || e.Message != "1001: prompt and messages are mutually exclusive" || e.Status != 400 {
			t.Errorf("%v: %#v", in, e)
		}
		if c.LastRequestInternalStatusCode() != 1001 || c.LastRequestHTTPStatusCode() != 400 {
			t.Errorf("last codes %d %d", c.LastRequestInternalStatusCode(), c.LastRequestHTTPStatusCode())
		}
	}
	if n := len(f.Calls()); n != 0 {
		t.Fatalf("provider called %d times", n)
	}
}

// AI-002: the input schema of text generation.
func TestRun_AI002_TextGenerationSchema(t *testing.T) {
	c := ai.NewFake(nil).Client()
	long := strings.Repeat("a", ai.MaxPromptChars+1)
	for _, tc := range []struct {
		in   any
		want string
	}{
		{map[string]any{}, "required properties at '/' are 'prompt' or 'messages'"},
		{map[string]any{"prompt": ""}, "length of '/prompt'"},
		{map[string]any{"prompt": long}, "length of '/prompt'"},
		{map[string]any{"prompt": 5}, "'/prompt' must be string"},
		{map[string]any{"messages": []map[string]string{{"role": "robot", "content": "x"}}}, "'/messages/0/role'"},
		{map[string]any{"messages": []map[string]string{{"content": "x"}}}, "are 'role'"},
		{map[string]any{"prompt": "x", "temperature": 5.5}, "'/temperature' must be between 0 and 5"},
		{map[string]any{"prompt": "x", "temperature": -1}, "'/temperature'"},
		{map[string]any{"prompt": "x", "top_p": 2.5}, "'/top_p'"},
		{map[string]any{"prompt": "x", "top_k": 0}, "'/top_k' must be between 1 and 50"},
		{map[string]any{"prompt": "x", "top_k": 51}, "'/top_k'"},
		{map[string]any{"prompt": "x", "seed": 0}, "'/seed'"},
		{map[string]any{"prompt": "x", "repetition_penalty": 3}, "'/repetition_penalty'"},
		{map[string]any{"prompt": "x", "frequency_penalty": -0.5}, "'/frequency_penalty'"},
		{map[string]any{"prompt": "x", "presence_penalty": 2.1}, "'/presence_penalty'"},
		{map[string]any{"prompt": "x", "max_tokens": -1}, "'/max_tokens'"},
		{map[string]any{"prompt": "x", "tools": []map[string]any{{"description": "no name"}}}, "'/tools/0'"},
		{"not an object", "input must be an object"},
	} {
		e := runErr(t, c, llama, tc.in)
		if e.Code != 5006 || e.Name != "InvalidInput" || !strings.HasPrefix(e.Message, "5006: Error: ") || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%v: got %q (%s %d), want it to mention %q", tc.in, e.Message, e.Name, e.Code, tc.want)
		}
	}
	// The edges of every range pass.
	for _, in := range []map[string]any{
		{"prompt": "x", "temperature": 0, "top_p": 2, "top_k": 50, "seed": 1, "repetition_penalty": 0, "frequency_penalty": 2, "presence_penalty": 0},
		{"messages": []map[string]string{{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}, {"role": "tool", "content": "t"}}},
		{"prompt": strings.Repeat("é", ai.MaxPromptChars)},
	} {
		if _, err := c.Run(context.Background(), llama, in, nil); err != nil {
			t.Errorf("%.80v: %v", in, err)
		}
	}
}

// AI-006: the input schema of text embeddings.
func TestRun_AI006_EmbeddingSchema(t *testing.T) {
	c := ai.NewFake(nil).Client()
	const bge = "@cf/baai/bge-base-en-v1.5"
	for _, tc := range []struct {
		in   any
		want string
	}{
		{map[string]any{"text": []string{}}, "'/text' must hold 1 to 100"},
		{map[string]any{"text": ""}, "length of '/text/0'"},
		{map[string]any{"text": []any{"a", 1}}, "'/text' must be a string or an array"},
		{map[string]any{"text": "a", "pooling": "max"}, "'/pooling'"},
		{map[string]any{"pooling": "mean"}, "required properties at '/' are 'text'"},
	} {
		e := runErr(t, c, bge, tc.in)
		if e.Code != 5006 || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%v: got %q, want it to mention %q", tc.in, e.Message, tc.want)
		}
	}
	out, err := ai.Run[map[string]any, ai.EmbeddingOutput](context.Background(), c, bge, map[string]any{"text": make100()}, nil)
	if err != nil || out.Shape[0] != 100 || out.Shape[1] != 768 || out.Pooling != "mean" {
		t.Fatalf("100 texts: %v %v", out.Shape, err)
	}
}

func make100() []string {
	s := make([]string, 100)
	for i := range s {
		s[i] = "text"
	}
	return s
}
