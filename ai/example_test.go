package ai_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/flarego/flarego/ai"
)

// Embeddings from the embedded GloVe model: offline, no configuration.
func Example() {
	var AI ai.Client // in a worker: env.AI
	out, err := ai.Run[ai.EmbeddingInput, ai.EmbeddingOutput](context.Background(), &AI, ai.ModelGloVe,
		ai.EmbeddingInput{Text: ai.Texts{"The cat sat on the mat.", "A kitten rested on the rug."}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Shape, out.Pooling)
	// Output: [2 100] mean
}

// The extractive model answers by quoting the context it is given.
func ExampleRun_extractive() {
	var AI ai.Client
	out, err := ai.Run[ai.TextGenerationInput, ai.TextGenerationOutput](context.Background(), &AI, ai.ModelExtractiveQA,
		ai.TextGenerationInput{Messages: []ai.Message{
			{Role: "system", Content: "Orders ship within two days. Returns are free for thirty days. Support answers by email."},
			{Role: "user", Content: "How long do I have to return an item?"},
		}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Response)
	// Output: Returns are free for thirty days.
}

// A streamed generation is a text/event-stream body a handler can return as it is.
func ExampleClient_Run_stream() {
	AI := ai.NewFake(map[string]any{"@cf/meta/llama-3.1-8b-instruct": "Hi there"}).Client()
	res, err := AI.Run(context.Background(), "@cf/meta/llama-3.1-8b-instruct",
		map[string]any{"prompt": "Say hi", "stream": true}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp := res.(*ai.Stream).Response() // what a Fetch handler returns
	defer resp.Body.Close()
	fmt.Println(resp.Header.Get("Content-Type"))
	io.Copy(os.Stdout, resp.Body)
	// Output:
	// text/event-stream
	// data: {"response":"Hi"}
	//
	// data: {"response":" there"}
	//
	// data: [DONE]
}

// Unit tests give the worker a fake with canned outputs and check what it was asked.
func ExampleNewFake() {
	fake := ai.NewFake(map[string]any{
		"@cf/meta/llama-3.1-8b-instruct": ai.TextGenerationOutput{Response: "42"},
	})
	AI := fake.Client()
	out, _ := ai.Run[map[string]any, ai.TextGenerationOutput](context.Background(), AI,
		"@cf/meta/llama-3.1-8b-instruct", map[string]any{"prompt": "The answer?"}, nil)
	fmt.Println(out.Response, len(fake.Calls()))
	// Output: 42 1
}

// Routing platform model names to a local Ollama server, and one BGE name to the embedded
// model (explicitly: its vectors have 100 dimensions, not 768).
func ExampleLoadConfig() {
	cfg, err := ai.LoadConfig([]byte(`{
		"providers": {"ollama": {"type": "openai", "base_url": "http://127.0.0.1:11434/v1"}},
		"models": {
			"@cf/meta/llama-3.1-8b-instruct": {"provider": "ollama", "model": "llama3.1:8b"},
			"@cf/baai/bge-base-en-v1.5": {"provider": "embedded", "model": "@flarego/glove-6b-100d-sif"}
		}
	}`), os.Getenv)
	if err != nil {
		fmt.Println(err)
		return
	}
	AI, err := ai.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	models, _ := AI.Models(context.Background(), &ai.ModelsFilter{Author: "baai"})
	fmt.Println(models[0].Name, models[0].Property("output_dimensions"), models[0].Property("served_by"))
	// Output: @cf/baai/bge-base-en-v1.5 100 embedded
}
