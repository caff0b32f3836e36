package ai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flarego/flarego/ai"
)

func TestCommand(t *testing.T) {
	var c ai.Client
	ctx := context.Background()
	var out bytes.Buffer
	if err := ai.Command(ctx, &c, []string{"models", "-task", "Text Embeddings"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	var models []ai.ModelInfo
	if err := json.Unmarshal(out.Bytes(), &models); err != nil || len(models) != 1 || models[0].Name != ai.ModelGloVe {
		t.Fatalf("%s %v", out.Bytes(), err)
	}

	out.Reset()
	if err := ai.Command(ctx, &c, []string{"run", ai.ModelGloVe, `{"text":["a cat","a dog"]}`}, nil, &out); err != nil {
		t.Fatal(err)
	}
	var emb ai.EmbeddingOutput
	if err := json.Unmarshal(out.Bytes(), &emb); err != nil || emb.Shape[0] != 2 || emb.Shape[1] != 100 {
		t.Fatalf("%s %v", out.Bytes(), err)
	}

	out.Reset()
	stdin := strings.NewReader(`{"prompt":"Context: Owls hunt at night.\nQuestion: When do owls hunt?","stream":true}`)
	if err := ai.Command(ctx, &c, []string{"run", "-gateway", `{"id":"g","requestTimeoutMs":60000}`, ai.ModelExtractiveQA}, stdin, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), `data: {"response":"Owls"}`) || !strings.HasSuffix(out.String(), "data: [DONE]\n\n") {
		t.Fatalf("%q", out.String())
	}

	for _, args := range [][]string{nil, {"nope"}, {"run"}, {"run", "m", "{}", "extra"}, {"models", "stray"}} {
		if err := ai.Command(ctx, &c, args, strings.NewReader(""), &out); err == nil || !strings.Contains(err.Error(), "usage:") {
			t.Errorf("%v: %v", args, err)
		}
	}
	if err := ai.Command(ctx, &c, []string{"run", "@cf/meta/llama-3.1-8b-instruct", `{"prompt":"x"}`}, nil, &out); err == nil || !strings.Contains(err.Error(), "5007") {
		t.Fatalf("unserved model: %v", err)
	}
	if err := ai.Command(ctx, &c, []string{"run", ai.ModelGloVe, `{oops`}, nil, &out); err == nil {
		t.Fatal("bad JSON accepted")
	}
}
