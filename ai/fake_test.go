package ai_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/flarego/flarego/ai"
)

func TestFake_CannedOutputsAndCalls(t *testing.T) {
	boom := ai.ParseError(503, []byte(`{"internalCode":3040,"name":"OutOfCapacity","description":"No more data centers to forward the request to"}`))
	f := ai.NewFake(map[string]any{
		llama: ai.TextGenerationOutput{Response: "canned"},
		"@cf/meta/llama-3.3-70b-instruct-fp8-fast": boom,
		"@cf/baai/bge-small-en-v1.5":               [][]float32{{1, 0}},
	})
	c := f.Client()
	ctx := context.Background()

	out, err := ai.Run[ai.TextGenerationInput, ai.TextGenerationOutput](ctx, c, llama, ai.TextGenerationInput{Prompt: "hi"}, nil)
	if err != nil || out.Response != "canned" {
		t.Fatalf("%v %v", out, err)
	}
	_, err = c.Run(ctx, "@cf/meta/llama-3.3-70b-instruct-fp8-fast", map[string]any{"prompt": "hi"}, nil)
	if e, ok := errors.AsType[*ai.Error](err); !ok || e.Message != "3040: No more data centers to forward the request to" || c.LastRequestHTTPStatusCode() != 503 {
		t.Fatalf("%v", err)
	}
	emb, err := ai.Run[map[string]any, ai.EmbeddingOutput](ctx, c, "@cf/baai/bge-small-en-v1.5", map[string]any{"text": "x"}, nil)
	if err != nil || !slices.Equal(emb.Shape, []int{1, 2}) {
		t.Fatalf("%v %v", emb, err)
	}
	calls := f.Calls()
	if len(calls) != 3 || calls[0].Model != llama || calls[0].Task != ai.TaskTextGeneration || calls[0].Input.(*ai.TextGenerationInput).Prompt != "hi" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestFake_DeterministicDefaults(t *testing.T) {
	c := ai.NewFake(nil).Client()
	ctx := context.Background()
	in := map[string]any{"text": []string{"alpha", "beta", "alpha"}}
	a, err := ai.Run[map[string]any, ai.EmbeddingOutput](ctx, c, "@cf/baai/bge-large-en-v1.5", in, nil)
	if err != nil || a.Shape[1] != 1024 {
		t.Fatalf("%v %v", a.Shape, err)
	}
	if !slices.Equal(a.Data[0], a.Data[2]) || slices.Equal(a.Data[0], a.Data[1]) {
		t.Fatal("vectors are not a function of the text")
	}
	unknown, _ := ai.Run[map[string]any, ai.EmbeddingOutput](ctx, c, "@cf/someone/embedder", in, nil)
	if unknown.Shape[1] != 768 {
		t.Fatalf("unknown model dims %d", unknown.Shape[1])
	}
	out, _ := ai.Run[map[string]any, ai.TextGenerationOutput](ctx, c, llama, map[string]any{
		"messages": []map[string]string{{"role": "system", "content": "be brief"}, {"role": "user", "content": "echo me"}},
	}, nil)
	if out.Response != "echo me" || out.Usage.PromptTokens != 4 {
		t.Fatalf("%+v", out)
	}
}

func TestFake_WrongCannedTypeIsAnError(t *testing.T) {
	c := ai.NewFake(map[string]any{llama: 42}).Client()
	if _, err := c.Run(context.Background(), llama, map[string]any{"prompt": "x"}, nil); err == nil {
		t.Fatal("an int served as a generation")
	}
}
