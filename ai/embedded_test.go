package ai_test

import (
	"context"
	"strings"
	"testing"

	"github.com/flarego/flarego/ai"
)

func cosine(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d
}

// AI-015: the embedded embeddings model is real: paraphrases score higher than unrelated
// sentences.
func TestEmbedded_AI015_SimilarSentencesScoreHigher(t *testing.T) {
	var c ai.Client
	pairs := [][3]string{
		{"How do I reset my password?", "I forgot my login password and need to change it.", "The weather is sunny in Paris."},
		{"The cat sat on the mat.", "A kitten rested on the rug.", "The stock market fell sharply today."},
		{"He plays guitar in a rock band.", "The musician performs with his band every weekend.", "The central bank raised interest rates."},
		{"The flight to London was delayed by fog.", "Bad weather held up planes at the airport.", "He wrote a novel about his childhood."},
	}
	for _, p := range pairs {
		out, err := ai.Run[ai.EmbeddingInput, ai.EmbeddingOutput](context.Background(), &c, ai.ModelGloVe, ai.EmbeddingInput{Text: p[:]}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sim, unrel := cosine(out.Data[0], out.Data[1]), cosine(out.Data[0], out.Data[2])
		if sim <= unrel+0.2 {
			t.Errorf("%q: paraphrase %.3f, unrelated %.3f", p[0], sim, unrel)
		}
	}
}

// AI-015: the embedded text model answers from the context it is given, and says so when
// there is none.
func TestEmbedded_AI015_ExtractiveAnswers(t *testing.T) {
	var c ai.Client
	ctx := context.Background()
	out, err := ai.Run[ai.TextGenerationInput, ai.TextGenerationOutput](ctx, &c, ai.ModelExtractiveQA, ai.TextGenerationInput{
		Messages: []ai.Message{
			{Role: "system", Content: "Use this context. Refunds are issued within 14 days of a return. " +
				"Shipping to Canada takes five business days. Our stores open at 9 am on weekdays."},
			{Role: "user", Content: "How long does shipping to Canada take?"},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Response, "Shipping to Canada takes five business days.") || out.Usage.CompletionTokens == 0 {
		t.Fatalf("answer %+v", out)
	}
	out, _ = ai.Run[ai.TextGenerationInput, ai.TextGenerationOutput](ctx, &c, ai.ModelExtractiveQA, ai.TextGenerationInput{Prompt: "What is the capital of France?"}, nil)
	if !strings.HasPrefix(out.Response, "No context was given.") || !strings.Contains(out.Response, ai.ConfigKey) {
		t.Fatalf("no-context answer %q", out.Response)
	}
	out, _ = ai.Run[ai.TextGenerationInput, ai.TextGenerationOutput](ctx, &c, ai.ModelExtractiveQA, ai.TextGenerationInput{
		Prompt: "Context: The seven dwarfs lived in a cottage in the forest.\nQuestion: Where did the dwarfs live?", MaxTokens: 3,
	}, nil)
	if out.Response != "The seven dwarfs" {
		t.Fatalf("max_tokens: %q", out.Response)
	}
}

func TestEmbedded_StreamsWordByWord(t *testing.T) {
	var c ai.Client
	res, err := c.Run(context.Background(), ai.ModelExtractiveQA, map[string]any{
		"prompt": "Context: Bees make honey.\nQuestion: What do bees make?", "stream": true,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for chunk, err := range ai.ReadEvents(res.(*ai.Stream)) {
		if err != nil {
			t.Fatal(err)
		}
		if chunk.Response != "" {
			words = append(words, chunk.Response)
		}
	}
	if strings.Join(words, "") != "Bees make honey." || len(words) != 3 {
		t.Fatalf("chunks %q", words)
	}
}

func TestEmbedded_ServesOnlyItsModels(t *testing.T) {
	c, err := ai.New(ai.Config{Models: map[string]ai.Route{"@cf/baai/bge-base-en-v1.5": {Provider: "embedded"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(context.Background(), "@cf/baai/bge-base-en-v1.5", map[string]any{"text": "x"}, nil)
	if err == nil || !strings.Contains(err.Error(), `No such model @cf/baai/bge-base-en-v1.5 or task (provider "embedded" does not serve it)`) {
		t.Fatalf("err %v", err)
	}
	hidden, _ := ai.New(ai.Config{NoEmbedded: true})
	if _, err := hidden.Run(context.Background(), ai.ModelGloVe, map[string]any{"text": "x"}, nil); err == nil {
		t.Fatal("NoEmbedded still serves the embedded model")
	}
}

// BenchmarkEmbedGloVe measures sentences embedded per second through the whole client
// (validation, routing, output), in batches of 32.
func BenchmarkEmbedGloVe(b *testing.B) {
	var c ai.Client
	texts := make([]string, 32)
	for i := range texts {
		texts[i] = "The quick brown fox jumps over the lazy dog near the river bank number " + strings.Repeat("x", i%3)
	}
	in := ai.EmbeddingInput{Text: texts}
	ctx := context.Background()
	if _, err := c.Run(ctx, ai.ModelGloVe, in, nil); err != nil { // load the model outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Run(ctx, ai.ModelGloVe, in, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "sentences/s")
}

// BenchmarkExtractiveQA measures answers per second over a 20-sentence context.
func BenchmarkExtractiveQA(b *testing.B) {
	var c ai.Client
	var ctxText strings.Builder
	for i := range 20 {
		ctxText.WriteString("Fact number " + strings.Repeat("one ", i%4+1) + "is about shipping, refunds, opening hours or the weather. ")
	}
	in := ai.TextGenerationInput{Messages: []ai.Message{{Role: "system", Content: ctxText.String()}, {Role: "user", Content: "When do the stores open?"}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Run(ctx, ai.ModelExtractiveQA, in, nil); err != nil {
			b.Fatal(err)
		}
	}
}
