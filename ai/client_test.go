package ai_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/flarego/flarego/ai"
)

// AI-001: JSON results come back decoded; non-JSON ones as a stream with a content type.
func TestRun_AI001_ResultKinds(t *testing.T) {
	f := ai.NewFake(map[string]any{
		"@cf/meta/m2m100-1.2b": map[string]any{"translated_text": "bonjour"},
	})
	c := f.Client()
	ctx := context.Background()

	res, err := c.Run(ctx, llama, map[string]any{"prompt": "hello"}, nil)
	if out, ok := res.(*ai.TextGenerationOutput); err != nil || !ok || out.Response != "hello" {
		t.Fatalf("generation: %T %v %v", res, res, err)
	}
	res, err = c.Run(ctx, "@cf/meta/m2m100-1.2b", map[string]any{"text_input": "hello", "target_lang": "fr"}, nil)
	if m, ok := res.(map[string]any); err != nil || !ok || m["translated_text"] != "bonjour" {
		t.Fatalf("translation: %T %v %v", res, res, err)
	}
}

// An image model given a prompt: the route's task says it is not text generation, so the
// input goes to the provider's TaskRunner untouched.
func TestRun_AI001_BinaryResultWithRouteTask(t *testing.T) {
	f := ai.NewFake(map[string]any{
		"flux": ai.FakeFunc(func(context.Context, string, any) (any, error) {
			return ai.NewStream(io.NopCloser(strings.NewReader("PNG")), "image/png"), nil
		}),
	})
	c, err := ai.New(ai.Config{
		Providers: map[string]ai.ProviderConfig{"fake": {Provider: f}},
		Models:    map[string]ai.Route{"@cf/black-forest-labs/flux-1-schnell": {Provider: "fake", Model: "flux", Task: "text-to-image"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Run(context.Background(), "@cf/black-forest-labs/flux-1-schnell", map[string]any{"prompt": "a cat"}, nil)
	s, ok := res.(*ai.Stream)
	if err != nil || !ok || s.ContentType() != "image/png" {
		t.Fatalf("%T %v", res, err)
	}
	b, _ := io.ReadAll(s)
	if string(b) != "PNG" {
		t.Fatalf("body %q", b)
	}
}

// AI-007 / AI-015: a recognised @cf model that no provider serves is a clear error naming
// the model and the configuration keys; BGE is never served by GloVe unless routed there.
func TestRun_AI007_UnservedModelSaysWhatToConfigure(t *testing.T) {
	var c ai.Client // the zero Client: embedded models only
	for _, model := range []string{"@cf/baai/bge-base-en-v1.5", "@cf/meta/llama-3.1-8b-instruct", "@cf/unknown/model"} {
		_, err := c.Run(context.Background(), model, map[string]any{"text": "x", "prompt": "x"}, nil)
		e, ok := errors.AsType[*ai.Error](err)
		if !ok || e.Code != 5007 || e.Status != 400 || !errors.Is(err, ai.ErrNoProvider) {
			t.Fatalf("%s: %v", model, err)
		}
		for _, want := range []string{"5007: No such model " + model + " or task", ai.ConfigKey, ai.EnvBaseURL, ai.EnvModels} {
			if !strings.Contains(e.Message, want) {
				t.Errorf("%s: message %q lacks %q", model, e.Message, want)
			}
		}
	}
	_, err := c.Run(context.Background(), "@cf/baai/bge-base-en-v1.5", map[string]any{"text": "x"}, nil)
	if !strings.Contains(err.Error(), ai.ModelGloVe+" (100 dimensions, not 768)") {
		t.Fatalf("bge error does not point at the embedded model honestly: %v", err)
	}
}

// AI-006 / AI-015: routing a BGE name to the embedded model is explicit, and the result
// says what it is: 100 dimensions, served by GloVe.
func TestRun_AI006_BGERoutedToGloVeIsHonest(t *testing.T) {
	cfg, err := ai.ParseConfig([]byte(`{"models": {"@cf/baai/bge-base-en-v1.5": {"provider": "embedded", "model": "@flarego/glove-6b-100d-sif"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var info ai.RequestInfo
	out, err := ai.Run[map[string]any, ai.EmbeddingOutput](context.Background(), c, "@cf/baai/bge-base-en-v1.5",
		map[string]any{"text": []string{"hello world", "goodbye"}}, &ai.RunOptions{Info: &info})
	if err != nil {
		t.Fatal(err)
	}
	if out.Shape[0] != 2 || out.Shape[1] != 100 || info.Provider != "embedded" || info.UpstreamModel != ai.ModelGloVe {
		t.Fatalf("shape %v info %+v", out.Shape, info)
	}
	models, err := c.Models(context.Background(), &ai.ModelsFilter{Search: "bge"})
	if err != nil || len(models) != 1 {
		t.Fatalf("models %v %v", models, err)
	}
	m := models[0]
	if m.Property("output_dimensions") != "100" || m.Property("upstream_model") != ai.ModelGloVe || !strings.Contains(m.Description, "Served here by "+ai.ModelGloVe) {
		t.Fatalf("catalogue entry %+v", m)
	}
}

// AI-014: models() lists what is served, in the catalogue shape, filtered and paginated.
func TestModels_AI014(t *testing.T) {
	u := newUpstream(t)
	c, err := ai.New(ai.Config{
		Providers: map[string]ai.ProviderConfig{"ollama": {BaseURL: u.URL + "/v1"}},
		Models:    map[string]ai.Route{"@cf/meta/llama-3.1-8b-instruct": {Provider: "ollama", Model: "llama3.1:8b"}},
		Default:   &ai.Route{Provider: "ollama"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	all, err := c.Models(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range all {
		names = append(names, m.Name)
	}
	want := "@cf/meta/llama-3.1-8b-instruct @flarego/extractive-qa @flarego/glove-6b-100d-sif llama3.1:8b nomic-embed-text"
	if strings.Join(names, " ") != want {
		t.Fatalf("names %v", names)
	}
	b, _ := json.Marshal(all[0])
	var shape map[string]any
	json.Unmarshal(b, &shape)
	for _, k := range []string{"id", "source", "name", "description", "task", "tags", "properties"} {
		if _, ok := shape[k]; !ok {
			t.Errorf("entry lacks %q: %s", k, b)
		}
	}
	if all[0].ID != "41975cc2-c82e-4e98-b7b8-88ffb186a545" || all[0].Task.Name != "Text Generation" || all[0].Property("served_by") != "ollama" {
		t.Fatalf("llama entry %+v", all[0])
	}
	emb, _ := c.Models(ctx, &ai.ModelsFilter{Task: "text embeddings"})
	if len(emb) != 1 || emb[0].Name != ai.ModelGloVe {
		t.Fatalf("task filter %v", emb)
	}
	meta, _ := c.Models(ctx, &ai.ModelsFilter{Author: "meta"})
	if len(meta) != 1 {
		t.Fatalf("author filter %v", meta)
	}
	page, _ := c.Models(ctx, &ai.ModelsFilter{Page: 2, PerPage: 2})
	if len(page) != 2 || page[0].Name != "@flarego/glove-6b-100d-sif" {
		t.Fatalf("page 2 %v", page)
	}
	if past, _ := c.Models(ctx, &ai.ModelsFilter{Page: 9, PerPage: 2}); len(past) != 0 {
		t.Fatalf("page 9 %v", past)
	}
}

// AI-010: the raw response is returned whatever its status.
func TestRun_AI010_ReturnRawResponse(t *testing.T) {
	c := ai.NewFake(nil).Client()
	ctx := context.Background()
	res, err := c.Run(ctx, llama, map[string]any{"prompt": "hi"}, &ai.RunOptions{ReturnRawResponse: true})
	r, ok := res.(*http.Response)
	if err != nil || !ok || r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("cf-ai-req-id") != c.LastRequestID() {
		t.Fatalf("%T %v %v", res, r, err)
	}
	b, _ := io.ReadAll(r.Body)
	if !strings.HasPrefix(string(b), `{"response":"hi"`) {
		t.Fatalf("body %s", b)
	}
	res, err = c.Run(ctx, llama, map[string]any{"prompt": "a", "messages": []any{}}, &ai.RunOptions{ReturnRawResponse: true})
	r = res.(*http.Response)
	if err != nil || r.StatusCode != 400 {
		t.Fatalf("error as raw: %v %v", r, err)
	}
	b, _ = io.ReadAll(r.Body)
	back := ai.ParseError(r.StatusCode, b)
	if back.Name != "InvalidInput" || back.Message != "1001: prompt and messages are mutually exclusive" {
		t.Fatalf("raw error body %s parses to %#v", b, back)
	}
	res, _ = c.Run(ctx, llama, map[string]any{"prompt": "a b", "stream": true}, &ai.RunOptions{ReturnRawResponse: true})
	r = res.(*http.Response)
	b, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if r.Header.Get("Content-Type") != "text/event-stream" || !strings.HasSuffix(string(b), "data: [DONE]\n\n") {
		t.Fatalf("stream as raw: %v %q", r.Header, b)
	}
}

// AI-012: the binding's rules for stream inputs.
func TestRun_AI012_StreamInputs(t *testing.T) {
	f := ai.NewFake(map[string]any{"@cf/openai/whisper": map[string]any{"text": "hello"}})
	c := f.Client()
	ctx := context.Background()
	audio := func() io.Reader { return strings.NewReader("RIFF") }
	for _, tc := range []struct {
		in   map[string]any
		opts *ai.RunOptions
		want string
	}{
		{map[string]any{"b": audio(), "a": ai.StreamInput{Body: audio(), ContentType: "audio/wav"}}, nil,
			"Multiple ReadableStreams are not supported. Found streams in keys: [a, b]"},
		{map[string]any{"audio": ai.StreamInput{Body: audio(), ContentType: "audio/wav"}}, &ai.RunOptions{Gateway: &ai.GatewayOptions{ID: "g"}},
			"AI Gateway does not support ReadableStreams yet."},
		{map[string]any{"audio": audio()}, nil, "Content-Type is required with ReadableStream inputs"},
		{map[string]any{"audio": &ai.StreamInput{Body: audio()}}, nil, "Content-Type is required with ReadableStream inputs"},
	} {
		_, err := c.Run(ctx, "@cf/openai/whisper", tc.in, tc.opts)
		e, ok := errors.AsType[*ai.Error](err)
		if !ok || e.Name != "AiInternalError" || e.Message != tc.want {
			t.Errorf("got %v, want AiInternalError %q", err, tc.want)
		}
	}
	res, err := c.Run(ctx, "@cf/openai/whisper", map[string]any{"audio": ai.StreamInput{Body: audio(), ContentType: "audio/wav"}, "language": "en"}, nil)
	if m, ok := res.(map[string]any); err != nil || !ok || m["text"] != "hello" {
		t.Fatalf("%v %v", res, err)
	}
	calls := f.Calls()
	if in := calls[len(calls)-1].Input.(map[string]any); in["language"] != "en" {
		t.Fatalf("provider got %v", in)
	}
}

// AI-009: request ids are fresh UUIDs per run.
func TestRun_AI009_RequestIDs(t *testing.T) {
	c := ai.NewFake(nil).Client()
	if c.LastRequestID() != "" || c.LastRequestHTTPStatusCode() != 0 {
		t.Fatal("a new client reports a last request")
	}
	c.Run(context.Background(), llama, map[string]any{"prompt": "a"}, nil)
	first := c.LastRequestID()
	c.Run(context.Background(), llama, map[string]any{"prompt": "a"}, nil)
	if len(first) != 36 || first[14] != '4' || first == c.LastRequestID() {
		t.Fatalf("ids %q %q", first, c.LastRequestID())
	}
	if c.AIGatewayLogID() != "" {
		t.Fatalf("log id without a gateway: %q", c.AIGatewayLogID())
	}
}

func TestRun_TypedHelperConversions(t *testing.T) {
	c := ai.NewFake(map[string]any{llama: "fixed"}).Client()
	ctx := context.Background()
	type mine struct {
		Response string `json:"response"`
	}
	m, err := ai.Run[ai.TextGenerationInput, mine](ctx, c, llama, ai.TextGenerationInput{Prompt: "x"}, nil)
	if err != nil || m.Response != "fixed" {
		t.Fatalf("%v %v", m, err)
	}
	p, err := ai.Run[ai.TextGenerationInput, *ai.TextGenerationOutput](ctx, c, llama, ai.TextGenerationInput{Prompt: "x"}, nil)
	if err != nil || p.Response != "fixed" {
		t.Fatalf("%v %v", p, err)
	}
	s, err := ai.Run[ai.TextGenerationInput, *ai.Stream](ctx, c, llama, ai.TextGenerationInput{Prompt: "x", Stream: true}, nil)
	if err != nil || s.ContentType() != ai.EventStreamContentType {
		t.Fatalf("%v %v", s, err)
	}
	s.Close()
	if _, err := ai.Run[ai.TextGenerationInput, mine](ctx, c, llama, ai.TextGenerationInput{Prompt: "x", Stream: true}, nil); err == nil {
		t.Fatal("a stream converted to a struct")
	}
}

func TestNew_RejectsBadConfig(t *testing.T) {
	for _, cfg := range []ai.Config{
		{Models: map[string]ai.Route{"m": {Provider: "nope"}}},
		{Default: &ai.Route{Provider: "nope"}},
		{Providers: map[string]ai.ProviderConfig{"embedded": {BaseURL: "http://x"}}},
		{Providers: map[string]ai.ProviderConfig{"p": {Type: "grpc", BaseURL: "http://x"}}},
		{Providers: map[string]ai.ProviderConfig{"p": {BaseURL: "not a url"}}},
		{NoEmbedded: true, Models: map[string]ai.Route{"m": {Provider: "embedded"}}},
		{Providers: map[string]ai.ProviderConfig{"p": {BaseURL: "http://x"}}, Models: map[string]ai.Route{"m": {Provider: "p", Task: "text-to-image"}}},
	} {
		if _, err := ai.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

// BenchmarkRunOverhead measures the client's own cost per run (decoding, validation,
// routing, request info) with a provider that does nothing.
func BenchmarkRunOverhead(b *testing.B) {
	c := ai.NewFake(map[string]any{llama: ai.TextGenerationOutput{Response: "ok"}}).Client()
	in := ai.TextGenerationInput{Messages: []ai.Message{{Role: "user", Content: "hello"}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Run(ctx, llama, in, nil); err != nil {
			b.Fatal(err)
		}
	}
}
