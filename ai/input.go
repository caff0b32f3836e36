package ai

import (
	"encoding/json"
	"errors"
	"io"
)

// TextGenerationInput is the input of a text-generation model (AI-002): either Prompt or
// Messages, never both. Optional numbers are pointers so that an explicit 0 differs from
// "not set"; write them as new(0.2).
type TextGenerationInput struct {
	// Prompt is the text to complete, 1 to 131,072 characters. Exclusive with Messages.
	Prompt string `json:"prompt,omitempty"`
	// Raw asks for the prompt to be sent without a chat template.
	Raw bool `json:"raw,omitempty"`
	// Messages is the conversation so far. Exclusive with Prompt.
	Messages []Message `json:"messages,omitempty"`
	// MaxTokens bounds the generated tokens; 0 means the platform's default, 256.
	MaxTokens int `json:"max_tokens,omitempty"`
	// Temperature is in [0, 5]; nil means the platform's default, 0.6.
	Temperature *float64 `json:"temperature,omitempty"`
	// TopP is in [0, 2].
	TopP *float64 `json:"top_p,omitempty"`
	// TopK is in [1, 50].
	TopK *int `json:"top_k,omitempty"`
	// Seed is in [1, 9999999999].
	Seed *int64 `json:"seed,omitempty"`
	// RepetitionPenalty, FrequencyPenalty and PresencePenalty are in [0, 2].
	RepetitionPenalty *float64 `json:"repetition_penalty,omitempty"`
	FrequencyPenalty  *float64 `json:"frequency_penalty,omitempty"`
	PresencePenalty   *float64 `json:"presence_penalty,omitempty"`
	// Stream asks for a text/event-stream result (a *Stream) instead of a
	// *TextGenerationOutput.
	Stream bool `json:"stream,omitempty"`
	// Tools the model may call; see ToolCall in the output.
	Tools []Tool `json:"tools,omitempty"`
}

// Defaults the platform applies when a field is left out.
const (
	DefaultMaxTokens   = 256
	DefaultTemperature = 0.6
)

// Message is one turn of a conversation. Role is "system", "user", "assistant" or "tool".
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	// Name and ToolCallID identify the tool a "tool" message answers; optional.
	Name       string `json:"name,omitempty"`
	ToolCallID string `json:"tool_call_id,omitempty"`
}

// Tool describes a function the model may call. Both of the platform's shapes are accepted:
// {name, description, parameters} and {type: "function", function: {...}}.
type Tool struct {
	Type        string          `json:"type,omitempty"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Function    *ToolFunction   `json:"function,omitempty"`
}

// ToolFunction is the inner object of a {type: "function"} tool.
type ToolFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// Spec returns the tool's name, description and JSON-schema parameters whichever shape it
// was written in.
func (t Tool) Spec() (name, description string, parameters json.RawMessage) {
	if t.Function != nil {
		return t.Function.Name, t.Function.Description, t.Function.Parameters
	}
	return t.Name, t.Description, t.Parameters
}

// EmbeddingInput is the input of a text-embeddings model (AI-006).
type EmbeddingInput struct {
	// Text is one string or a batch of 1 to 100; each must be non-empty.
	Text Texts `json:"text"`
	// Pooling is "mean" (the default when empty) or "cls".
	Pooling string `json:"pooling,omitempty"`
}

// Texts is the "text" field of an embeddings input: JSON accepts a string or an array of
// strings; Go code sets a slice.
type Texts []string

// UnmarshalJSON accepts "one" as well as ["one", "two"].
func (t *Texts) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = Texts{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("'/text' must be a string or an array of strings")
	}
	*t = many
	return nil
}

// StreamInput is a binary input field (audio, images) given as a reader, the binding's
// ReadableStream input. A bare io.Reader in an input map counts as a StreamInput without a
// content type, which the binding refuses (AI-012).
type StreamInput struct {
	Body        io.Reader
	ContentType string
}
