package aitest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/flarego/flarego/ai"
)

// Setup is what a provider under test serves.
type Setup struct {
	// Provider is the provider under test.
	Provider ai.Provider
	// TextModel is the provider's name of a text-generation model; empty skips those tests.
	TextModel string
	// EmbeddingModel is the provider's name of an embeddings model; empty skips those tests.
	EmbeddingModel string
	// Dims is the length of EmbeddingModel's vectors.
	Dims int
}

// Model names the suite's client routes to the provider.
const (
	TextName      = "@test/text"
	EmbeddingName = "@test/embeddings"
)

// Client returns a client that routes TextName and EmbeddingName to s's models.
func Client(t testing.TB, s Setup) *ai.Client {
	t.Helper()
	c, err := ai.New(ai.Config{
		Providers: map[string]ai.ProviderConfig{"under-test": {Provider: s.Provider}},
		Models: map[string]ai.Route{
			TextName:      {Provider: "under-test", Model: s.TextModel, Task: ai.TaskTextGeneration},
			EmbeddingName: {Provider: "under-test", Model: s.EmbeddingModel, Task: ai.TaskTextEmbeddings},
		},
		NoEmbedded: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Run runs the suite against the provider newSetup returns (called once per test).
func Run(t *testing.T, newSetup func(t *testing.T) Setup) {
	text := func(t *testing.T) (*ai.Client, Setup) {
		s := newSetup(t)
		if s.TextModel == "" {
			t.Skip("provider serves no text model")
		}
		return Client(t, s), s
	}
	embed := func(t *testing.T) (*ai.Client, Setup) {
		s := newSetup(t)
		if s.EmbeddingModel == "" {
			t.Skip("provider serves no embeddings model")
		}
		return Client(t, s), s
	}
	ctx := context.Background()
	question := "Context: The library opens at nine. The museum is closed on Mondays.\nQuestion: When does the library open?"

	t.Run("AI004_PromptGivesResponse", func(t *testing.T) {
		c, _ := text(t)
		res, err := c.Run(ctx, TextName, map[string]any{"prompt": question}, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, ok := res.(*ai.TextGenerationOutput)
		if !ok {
			t.Fatalf("result is %T, want *ai.TextGenerationOutput", res)
		}
		if out.Response == "" {
			t.Fatal("empty response")
		}
		var shape map[string]any
		b, _ := json.Marshal(out)
		json.Unmarshal(b, &shape)
		if _, ok := shape["response"].(string); !ok {
			t.Fatalf("JSON %s has no string response", b)
		}
	})

	t.Run("AI002_MessagesGiveResponse", func(t *testing.T) {
		c, _ := text(t)
		out, err := ai.Run[ai.TextGenerationInput, ai.TextGenerationOutput](ctx, c, TextName, ai.TextGenerationInput{
			Messages: []ai.Message{
				{Role: "system", Content: "The library opens at nine. The museum is closed on Mondays."},
				{Role: "user", Content: "When does the library open?"},
			},
			MaxTokens:   64,
			Temperature: new(0.0),
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if out.Response == "" {
			t.Fatal("empty response")
		}
	})

	t.Run("AI003_PromptAndMessagesAreExclusive", func(t *testing.T) {
		c, _ := text(t)
		_, err := c.Run(ctx, TextName, map[string]any{
			"prompt":   "hi",
			"messages": []map[string]string{{"role": "user", "content": "hi"}},
		}, nil)
		e, ok := errors.AsType[*ai.Error](err)
		if !ok {
			t.Fatalf("error %v is not *ai.Error", err)
		}
		if e.Name != "InvalidInput" || e.Message != "1001: prompt and messages are mutually exclusive" {
			t.Fatalf("got %s / %q", e.Name, e.Message)
		}
		if c.LastRequestInternalStatusCode() != 1001 || !errors.Is(err, ai.ErrInvalidInput) {
			t.Fatalf("internal code %d, Is(ErrInvalidInput) %v", c.LastRequestInternalStatusCode(), errors.Is(err, ai.ErrInvalidInput))
		}
	})

	t.Run("AI005_StreamIsEventStream", func(t *testing.T) {
		c, _ := text(t)
		res, err := c.Run(ctx, TextName, map[string]any{"prompt": question, "stream": true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, ok := res.(*ai.Stream)
		if !ok {
			t.Fatalf("result is %T, want *ai.Stream", res)
		}
		if s.ContentType() != "text/event-stream" {
			t.Fatalf("content type %q", s.ContentType())
		}
		b, err := io.ReadAll(s)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		body := string(b)
		if !strings.HasPrefix(body, "data: {") || !strings.HasSuffix(body, "\n\ndata: [DONE]\n\n") {
			t.Fatalf("stream body %q", body)
		}
		var text strings.Builder
		for chunk, err := range ai.ReadEvents(strings.NewReader(body)) {
			if err != nil {
				t.Fatal(err)
			}
			text.WriteString(chunk.Response)
		}
		if text.Len() == 0 {
			t.Fatal("stream carried no text")
		}
	})

	t.Run("AI006_EmbeddingsBatchShape", func(t *testing.T) {
		c, s := embed(t)
		texts := []string{"the cat sat on the mat", "stocks fell today", "a kitten slept on the rug"}
		res, err := c.Run(ctx, EmbeddingName, map[string]any{"text": texts}, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, ok := res.(*ai.EmbeddingOutput)
		if !ok {
			t.Fatalf("result is %T, want *ai.EmbeddingOutput", res)
		}
		if len(out.Shape) != 2 || out.Shape[0] != 3 || out.Shape[1] != s.Dims || len(out.Data) != 3 {
			t.Fatalf("shape %v with %d vectors, want [3 %d]", out.Shape, len(out.Data), s.Dims)
		}
		for i, v := range out.Data {
			if len(v) != s.Dims {
				t.Fatalf("vector %d has %d dims", i, len(v))
			}
		}
		if out.Pooling != "mean" {
			t.Fatalf("pooling %q, want the default mean", out.Pooling)
		}
	})

	t.Run("AI006_EmbeddingsSingleString", func(t *testing.T) {
		c, s := embed(t)
		out, err := ai.Run[map[string]any, ai.EmbeddingOutput](ctx, c, EmbeddingName, map[string]any{"text": "hello world", "pooling": "cls"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if out.Shape[0] != 1 || out.Shape[1] != s.Dims || out.Pooling != "cls" {
			t.Fatalf("shape %v pooling %q", out.Shape, out.Pooling)
		}
	})

	t.Run("AI006_EmbeddingsAtMost100Texts", func(t *testing.T) {
		c, _ := embed(t)
		texts := make([]string, 101)
		for i := range texts {
			texts[i] = "word"
		}
		_, err := c.Run(ctx, EmbeddingName, ai.EmbeddingInput{Text: texts}, nil)
		if e, ok := errors.AsType[*ai.Error](err); !ok || e.Code != 5006 || !errors.Is(err, ai.ErrInvalidInput) {
			t.Fatalf("err = %v, want a 5006 InvalidInput", err)
		}
	})

	t.Run("AI013_CancelledContextAborts", func(t *testing.T) {
		s := newSetup(t)
		c := Client(t, s)
		name, in := TextName, any(map[string]any{"prompt": "hi"})
		if s.TextModel == "" {
			name, in = EmbeddingName, map[string]any{"text": "hi"}
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := c.Run(cctx, name, in, nil)
		e, ok := errors.AsType[*ai.Error](err)
		if !ok || e.Name != "AbortError" || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want an AbortError wrapping context.Canceled", err)
		}
	})

	t.Run("AI009_RequestInfo", func(t *testing.T) {
		s := newSetup(t)
		c := Client(t, s)
		name, in := TextName, any(map[string]any{"prompt": question})
		if s.TextModel == "" {
			name, in = EmbeddingName, map[string]any{"text": "hi"}
		}
		var info ai.RequestInfo
		if _, err := c.Run(ctx, name, in, &ai.RunOptions{Info: &info}); err != nil {
			t.Fatal(err)
		}
		if info.ID == "" || c.LastRequestID() != info.ID || c.LastRequestHTTPStatusCode() != 200 {
			t.Fatalf("info %+v, last id %q status %d", info, c.LastRequestID(), c.LastRequestHTTPStatusCode())
		}
	})

	t.Run("ConcurrentRuns", func(t *testing.T) {
		s := newSetup(t)
		c := Client(t, s)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Go(func() {
				var err error
				if s.EmbeddingModel != "" && i%2 == 0 {
					_, err = c.Run(ctx, EmbeddingName, map[string]any{"text": []string{"one", "two"}}, nil)
				} else if s.TextModel != "" {
					_, err = c.Run(ctx, TextName, map[string]any{"prompt": question}, nil)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
