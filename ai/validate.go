package ai

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Task names a kind of model. The client checks inputs against the task's schema before any
// provider sees them, so every provider gets the platform's validation.
type Task string

// Tasks with typed inputs and outputs. Other tasks pass through to providers that implement
// TaskRunner.
const (
	TaskTextGeneration Task = "text-generation"
	TaskTextEmbeddings Task = "text-embeddings"
)

// Input limits of the platform's models.
const (
	MaxPromptChars   = 131072
	MaxEmbeddingText = 100
)

// input is a run's input after decoding: typed for the known tasks, JSON fields otherwise.
type input struct {
	gen     *TextGenerationInput
	emb     *EmbeddingInput
	fields  map[string]json.RawMessage
	raw     []byte         // the JSON fields was decoded from
	streams map[string]any // the caller's map, when it holds stream inputs
	keys    []string       // keys of the stream inputs, in key order
}

// decodeInput reads what the caller passed to Run: a typed input, a map, a struct, or JSON.
func decodeInput(v any) (*input, error) {
	switch v := v.(type) {
	case TextGenerationInput:
		return &input{gen: &v}, nil
	case *TextGenerationInput:
		if v == nil {
			return nil, invalidInput("input must be an object")
		}
		c := *v
		return &input{gen: &c}, nil
	case EmbeddingInput:
		return &input{emb: &v}, nil
	case *EmbeddingInput:
		if v == nil {
			return nil, invalidInput("input must be an object")
		}
		c := *v
		return &input{emb: &c}, nil
	case map[string]any:
		if keys := streamKeys(v); len(keys) > 0 {
			return &input{streams: v, keys: keys}, nil
		}
	}
	var b []byte
	switch v := v.(type) {
	case json.RawMessage:
		b = v
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, invalidInput("input is not JSON-serialisable: %v", err)
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		return nil, invalidInput("input must be an object")
	}
	return &input{fields: fields, raw: b}, nil
}

func streamKeys(m map[string]any) []string {
	var keys []string
	for k, v := range m {
		switch v.(type) {
		case io.Reader, StreamInput, *StreamInput:
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// guessTask infers the task from the input's fields when neither the configuration nor the
// catalogue names it.
func (in *input) guessTask() Task {
	switch {
	case in.gen != nil:
		return TaskTextGeneration
	case in.emb != nil:
		return TaskTextEmbeddings
	case in.fields == nil:
		return ""
	}
	if _, ok := in.fields["prompt"]; ok {
		return TaskTextGeneration
	}
	if _, ok := in.fields["messages"]; ok {
		return TaskTextGeneration
	}
	if _, ok := in.fields["text"]; ok {
		return TaskTextEmbeddings
	}
	return ""
}

// textGeneration returns the validated text-generation input (AI-002, AI-003).
func (in *input) textGeneration() (*TextGenerationInput, error) {
	g := in.gen
	var hasPrompt, hasMessages bool
	if g != nil {
		hasPrompt, hasMessages = g.Prompt != "", g.Messages != nil
	} else {
		if in.fields == nil {
			return nil, invalidInput("input must be an object")
		}
		_, hasPrompt = in.fields["prompt"]
		_, hasMessages = in.fields["messages"]
	}
	if hasPrompt && hasMessages {
		return nil, newError(ErrInvalidInput, "InvalidInput", 1001, 400, "prompt and messages are mutually exclusive")
	}
	if g == nil {
		g = new(TextGenerationInput)
		if err := decodeFields(in.raw, g); err != nil {
			return nil, err
		}
	}
	if err := validateTextGeneration(g, hasPrompt, hasMessages); err != nil {
		return nil, err
	}
	return g, nil
}

func decodeFields(b []byte, dst any) error {
	if err := json.Unmarshal(b, dst); err != nil {
		msg := err.Error()
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			msg = fmt.Sprintf("'/%s' must be %s", strings.ReplaceAll(te.Field, ".", "/"), jsonKind(te.Type.Kind().String()))
		}
		return invalidInput("%s", strings.TrimPrefix(msg, "json: "))
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "int", "int64", "int32":
		return "integer"
	}
	return "number"
}

func validateTextGeneration(g *TextGenerationInput, hasPrompt, hasMessages bool) error {
	switch {
	case !hasPrompt && !hasMessages:
		return invalidInput("required properties at '/' are 'prompt' or 'messages'")
	case hasPrompt:
		if n := utf8.RuneCountInString(g.Prompt); n < 1 || n > MaxPromptChars {
			return invalidInput("length of '/prompt' must be between 1 and %d characters", MaxPromptChars)
		}
	default:
		for i, m := range g.Messages {
			switch m.Role {
			case "system", "user", "assistant", "tool":
			case "":
				return invalidInput("required properties at '/messages/%d' are 'role'", i)
			default:
				return invalidInput("'/messages/%d/role' must be one of system, user, assistant, tool", i)
			}
			if utf8.RuneCountInString(m.Content) > MaxPromptChars {
				return invalidInput("length of '/messages/%d/content' must be at most %d characters", i, MaxPromptChars)
			}
		}
	}
	if g.MaxTokens < 0 {
		return invalidInput("'/max_tokens' must be >= 0")
	}
	checks := []struct {
		name     string
		v        *float64
		min, max float64
	}{
		{"temperature", g.Temperature, 0, 5},
		{"top_p", g.TopP, 0, 2},
		{"repetition_penalty", g.RepetitionPenalty, 0, 2},
		{"frequency_penalty", g.FrequencyPenalty, 0, 2},
		{"presence_penalty", g.PresencePenalty, 0, 2},
	}
	for _, c := range checks {
		if c.v != nil && (*c.v < c.min || *c.v > c.max) {
			return invalidInput("'/%s' must be between %g and %g", c.name, c.min, c.max)
		}
	}
	if g.TopK != nil && (*g.TopK < 1 || *g.TopK > 50) {
		return invalidInput("'/top_k' must be between 1 and 50")
	}
	if g.Seed != nil && (*g.Seed < 1 || *g.Seed > 9999999999) {
		return invalidInput("'/seed' must be between 1 and 9999999999")
	}
	for i, t := range g.Tools {
		if name, _, _ := t.Spec(); name == "" {
			return invalidInput("required properties at '/tools/%d' are 'name'", i)
		}
	}
	return nil
}

// embeddings returns the validated embeddings input (AI-006).
func (in *input) embeddings() (*EmbeddingInput, error) {
	e := in.emb
	if e == nil {
		if in.fields == nil {
			return nil, invalidInput("input must be an object")
		}
		if _, ok := in.fields["text"]; !ok {
			return nil, invalidInput("required properties at '/' are 'text'")
		}
		e = new(EmbeddingInput)
		if err := decodeFields(in.raw, e); err != nil {
			return nil, err
		}
	}
	switch n := len(e.Text); {
	case n == 0:
		return nil, invalidInput("'/text' must hold 1 to %d strings", MaxEmbeddingText)
	case n > MaxEmbeddingText:
		return nil, invalidInput("'/text' must hold at most %d strings, got %d", MaxEmbeddingText, n)
	}
	for i, t := range e.Text {
		if t == "" {
			return nil, invalidInput("length of '/text/%d' must be >= 1", i)
		}
	}
	switch e.Pooling {
	case "":
		e.Pooling = "mean"
	case "mean", "cls":
	default:
		return nil, invalidInput("'/pooling' must be one of mean, cls")
	}
	return e, nil
}

// checkStreams applies the binding's rules for ReadableStream inputs (AI-012).
func (in *input) checkStreams(gateway bool) error {
	if len(in.keys) > 1 {
		return internalError(fmt.Sprintf("Multiple ReadableStreams are not supported. Found streams in keys: [%s]", strings.Join(in.keys, ", ")))
	}
	if gateway {
		return internalError("AI Gateway does not support ReadableStreams yet.")
	}
	var ct string
	switch v := in.streams[in.keys[0]].(type) {
	case StreamInput:
		ct = v.ContentType
	case *StreamInput:
		if v != nil {
			ct = v.ContentType
		}
	}
	if ct == "" {
		return internalError("Content-Type is required with ReadableStream inputs")
	}
	return nil
}

// generic returns the input as a plain map for TaskRunner providers.
func (in *input) generic() map[string]any {
	if in.streams != nil {
		return in.streams
	}
	var v any = in.fields
	switch {
	case in.gen != nil:
		v = in.gen
	case in.emb != nil:
		v = in.emb
	}
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}
