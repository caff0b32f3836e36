package ai

import "encoding/json"

// TextGenerationOutput is the result of a non-streaming text generation (AI-004).
type TextGenerationOutput struct {
	// Response is the generated text.
	Response string `json:"response"`
	// ToolCalls lists the tools the model asked to call, if any.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// Usage counts tokens, when the provider reports them.
	Usage *Usage `json:"usage,omitempty"`
}

// ToolCall is one tool invocation the model asks for. Arguments is a JSON object.
type ToolCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// Usage counts the tokens of one generation.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// EmbeddingOutput is the result of a text-embeddings run: Shape is [len(Data), dims].
type EmbeddingOutput struct {
	Shape   []int       `json:"shape"`
	Data    [][]float32 `json:"data"`
	Pooling string      `json:"pooling,omitempty"`
}

// StreamChunk is one event of a streamed generation, the JSON after "data: ".
type StreamChunk struct {
	Response  string     `json:"response"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	Usage     *Usage     `json:"usage,omitempty"`
}

func newEmbeddingOutput(data [][]float32, pooling string) *EmbeddingOutput {
	dims := 0
	if len(data) > 0 {
		dims = len(data[0])
	}
	return &EmbeddingOutput{Shape: []int{len(data), dims}, Data: data, Pooling: pooling}
}
