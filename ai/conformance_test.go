package ai_test

import (
	"testing"

	"github.com/flarego/flarego/ai"
	"github.com/flarego/flarego/ai/aitest"
)

func TestEmbeddedConformance(t *testing.T) {
	aitest.Run(t, func(t *testing.T) aitest.Setup {
		return aitest.Setup{Provider: ai.Embedded(), TextModel: ai.ModelExtractiveQA, EmbeddingModel: ai.ModelGloVe, Dims: 100}
	})
}

func TestFakeConformance(t *testing.T) {
	aitest.Run(t, func(t *testing.T) aitest.Setup {
		return aitest.Setup{Provider: ai.NewFake(nil), TextModel: "@cf/meta/llama-3.1-8b-instruct", EmbeddingModel: "@cf/baai/bge-small-en-v1.5", Dims: 384}
	})
}
