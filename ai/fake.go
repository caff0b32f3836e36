package ai

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"iter"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
)

// Fake is a Provider for unit tests: canned outputs per model name, deterministic outputs for
// every other model, and a record of the calls. Its Client serves every model name through
// it, so a test's Env can hold ai.NewFake(nil).Client() where the worker expects env.AI.
type Fake struct {
	mu     sync.Mutex
	canned map[string]any
	calls  []FakeCall
}

// FakeCall is one call a Fake received. Input is the validated *TextGenerationInput or
// *EmbeddingInput, or the map of another task.
type FakeCall struct {
	Model string
	Task  Task
	Input any
}

// FakeFunc computes a fake output from a call's input, for outputs that depend on it.
type FakeFunc func(ctx context.Context, model string, input any) (any, error)

// NewFake returns a fake serving canned, a map from model name to what a run of it returns:
//
//   - a TextGenerationOutput (or pointer), or a plain string as its Response;
//   - an EmbeddingOutput (or pointer);
//   - an error, returned as is (use *Error or ParseError for the platform's shapes);
//   - a FakeFunc, called with the input;
//   - for other tasks, any JSON-serialisable value or a *Stream.
//
// Models not in canned answer deterministically: a generation echoes the prompt (or the last
// user message) with word-count usage; embeddings are pseudo-random unit vectors derived from
// each text, as long as the catalogue says the model's are (768 when it does not know). A nil
// map is fine.
func NewFake(canned map[string]any) *Fake {
	return &Fake{canned: canned}
}

// Client returns a client that sends every model name to the fake.
func (f *Fake) Client() *Client {
	c, err := New(Config{
		Providers:  map[string]ProviderConfig{"fake": {Provider: f}},
		Default:    &Route{Provider: "fake"},
		NoEmbedded: true,
	})
	if err != nil {
		panic(err) // the configuration above is valid by construction
	}
	return c
}

// Calls returns the calls received so far, oldest first.
func (f *Fake) Calls() []FakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FakeCall(nil), f.calls...)
}

func (f *Fake) record(model string, task Task, in any) (any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, FakeCall{Model: model, Task: task, Input: in})
	v, ok := f.canned[model]
	return v, ok
}

func (f *Fake) resolve(ctx context.Context, model string, in any, v any) (any, error) {
	if fn, ok := v.(FakeFunc); ok {
		return fn(ctx, model, in)
	}
	if fn, ok := v.(func(context.Context, string, any) (any, error)); ok {
		return fn(ctx, model, in)
	}
	if err, ok := v.(error); ok {
		return nil, err
	}
	return v, nil
}

// Generate returns the canned generation of model, or an echo.
func (f *Fake) Generate(ctx context.Context, model string, in *TextGenerationInput) (*TextGenerationOutput, error) {
	v, ok := f.record(model, TaskTextGeneration, in)
	if !ok {
		return echo(in), nil
	}
	v, err := f.resolve(ctx, model, in, v)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case string:
		return &TextGenerationOutput{Response: v}, nil
	case TextGenerationOutput:
		return &v, nil
	case *TextGenerationOutput:
		return v, nil
	}
	return nil, fmt.Errorf("ai: fake: canned output for %s is a %T, not a generation", model, v)
}

// GenerateStream streams the generation word by word.
func (f *Fake) GenerateStream(ctx context.Context, model string, in *TextGenerationInput) iter.Seq2[StreamChunk, error] {
	return func(yield func(StreamChunk, error) bool) {
		out, err := f.Generate(ctx, model, in)
		if err != nil {
			yield(StreamChunk{}, err)
			return
		}
		for c, err := range chunksOf(out) {
			if !yield(c, err) {
				return
			}
		}
	}
}

// Embed returns the canned embeddings of model, or deterministic vectors.
func (f *Fake) Embed(ctx context.Context, model string, in *EmbeddingInput) (*EmbeddingOutput, error) {
	v, ok := f.record(model, TaskTextEmbeddings, in)
	if !ok {
		return fakeVectors(model, in), nil
	}
	v, err := f.resolve(ctx, model, in, v)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case EmbeddingOutput:
		return &v, nil
	case *EmbeddingOutput:
		return v, nil
	case [][]float32:
		return newEmbeddingOutput(v, in.Pooling), nil
	}
	return nil, fmt.Errorf("ai: fake: canned output for %s is a %T, not embeddings", model, v)
}

// RunTask returns the canned output of model for other tasks.
func (f *Fake) RunTask(ctx context.Context, model string, input map[string]any) (any, error) {
	v, ok := f.record(model, "", input)
	if !ok {
		return nil, noSuchModel(fmt.Sprintf("No such model %s or task (the fake has no canned output for it)", model))
	}
	return f.resolve(ctx, model, input, v)
}

func echo(in *TextGenerationInput) *TextGenerationOutput {
	text := in.Prompt
	var all strings.Builder
	all.WriteString(in.Prompt)
	for _, m := range in.Messages {
		all.WriteString(" " + m.Content)
		if m.Role == "user" {
			text = m.Content
		}
	}
	p, c := len(strings.Fields(all.String())), len(strings.Fields(text))
	return &TextGenerationOutput{Response: text, Usage: &Usage{PromptTokens: p, CompletionTokens: c, TotalTokens: p + c}}
}

func fakeVectors(model string, in *EmbeddingInput) *EmbeddingOutput {
	dims := catalogueDims(model)
	if dims == 0 {
		dims = 768
	}
	data := make([][]float32, len(in.Text))
	for i, t := range in.Text {
		h := fnv.New128a()
		h.Write([]byte(t))
		sum := h.Sum(nil)
		rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:])))
		v := make([]float32, dims)
		var norm float64
		for d := range v {
			x := rng.NormFloat64()
			v[d] = float32(x)
			norm += x * x
		}
		inv := float32(1 / math.Sqrt(norm))
		for d := range v {
			v[d] *= inv
		}
		data[i] = v
	}
	return newEmbeddingOutput(data, in.Pooling)
}
