package ai

import (
	"context"
	"iter"
)

// Provider runs models: the driver under a Client, the way database/sql drives a database
// through driver.Driver. The Client has already validated the input against the task's schema
// and applied defaults it documents; model is the provider's own name for the model (after the
// configuration's mapping). A provider that lacks a task returns an error wrapping
// ErrUnsupported. Errors should be *Error (see ParseError) so callers get the platform's
// names, codes and statuses; other errors are reported as InferenceUpstreamError.
//
// Optional capabilities are further interfaces: StreamingProvider, ModelLister, TaskRunner.
type Provider interface {
	// Generate runs a text-generation model.
	Generate(ctx context.Context, model string, in *TextGenerationInput) (*TextGenerationOutput, error)
	// Embed runs a text-embeddings model; the output holds one vector per input text.
	Embed(ctx context.Context, model string, in *EmbeddingInput) (*EmbeddingOutput, error)
}

// StreamingProvider streams generations token by token. Without it the Client streams a
// finished generation split into words.
type StreamingProvider interface {
	// GenerateStream yields the generation's chunks; an error before the first chunk means
	// the request failed, one later means the stream broke.
	GenerateStream(ctx context.Context, model string, in *TextGenerationInput) iter.Seq2[StreamChunk, error]
}

// ModelLister reports the models a provider can serve under their own names; the Client
// lists them in Models when the provider is the configuration's default route.
type ModelLister interface {
	ListModels(ctx context.Context) ([]ModelInfo, error)
}

// TaskRunner runs models of tasks without typed inputs (images, speech, translation, ...)
// and inputs holding StreamInput fields. It returns a JSON-serialisable value, or a *Stream
// for binary results.
type TaskRunner interface {
	RunTask(ctx context.Context, model string, input map[string]any) (any, error)
}
