package ai

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/flarego/flarego/ai/internal/extractive"
	"github.com/flarego/flarego/ai/internal/glove"
)

// embedded serves the models shipped inside the module: ModelGloVe and ModelExtractiveQA.
// It needs nothing installed and no network; the word vectors load on first use.
type embedded struct{}

// Answers of the extractive model when it has nothing to quote. They say what the model is,
// so nobody mistakes them for a generative model's failure.
const (
	noContextAnswer = "No context was given. " + ModelExtractiveQA + " answers only by quoting sentences of " +
		"the prompt or messages; to get generated answers, route this model name to a generative provider " +
		"under " + ConfigKey + "."
	noMatchAnswer = "Nothing in the given context relates to the question."
)

func (embedded) model() (*glove.Model, error) {
	m, err := glove.Default()
	if err != nil {
		return nil, internalError("the embedded word vectors failed to load: " + err.Error())
	}
	return m, nil
}

func unknownToProvider(provider, model string) *Error {
	return noSuchModel(fmt.Sprintf("No such model %s or task (provider %q does not serve it)", model, provider))
}

func (e embedded) Embed(ctx context.Context, model string, in *EmbeddingInput) (*EmbeddingOutput, error) {
	if model != ModelGloVe {
		return nil, unknownToProvider(EmbeddedProvider, model)
	}
	m, err := e.model()
	if err != nil {
		return nil, err
	}
	data := make([][]float32, len(in.Text))
	flat := make([]float32, len(in.Text)*m.Dims())
	for i, t := range in.Text {
		if i%16 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		data[i] = flat[i*m.Dims() : (i+1)*m.Dims() : (i+1)*m.Dims()]
		m.Embed(t, data[i])
	}
	// The weighting is neither mean nor CLS pooling; the field echoes the request so that
	// code written for BGE keeps working when configured onto this model.
	return newEmbeddingOutput(data, in.Pooling), nil
}

func (e embedded) Generate(ctx context.Context, model string, in *TextGenerationInput) (*TextGenerationOutput, error) {
	if model != ModelExtractiveQA {
		return nil, unknownToProvider(EmbeddedProvider, model)
	}
	m, err := e.model()
	if err != nil {
		return nil, err
	}
	question, contexts, all := questionAndContext(in)
	var response string
	switch {
	case strings.TrimSpace(strings.Join(contexts, "")) == "":
		response = noContextAnswer
	default:
		sents := extractive.Answer(m, question, contexts...)
		if len(sents) == 0 {
			response = noMatchAnswer
		} else {
			response = strings.Join(sents, " ")
		}
	}
	response = limitWords(response, cmp.Or(in.MaxTokens, DefaultMaxTokens))
	prompt, completion := glove.CountWords(all), glove.CountWords(response)
	return &TextGenerationOutput{
		Response: response,
		Usage:    &Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion},
	}, nil
}

// questionAndContext finds the question (the prompt's, or the last user message's) and the
// text to answer it from (the rest of the prompt, every other message).
func questionAndContext(in *TextGenerationInput) (question string, contexts []string, all string) {
	if len(in.Messages) == 0 {
		ctx, q := extractive.SplitQuestion(in.Prompt)
		return q, []string{ctx}, in.Prompt
	}
	last := -1
	for i, msg := range in.Messages {
		if msg.Role == "user" {
			last = i
		}
	}
	var b strings.Builder
	for i, msg := range in.Messages {
		b.WriteString(msg.Content)
		b.WriteByte('\n')
		if i == last {
			ctx, q := extractive.SplitQuestion(msg.Content)
			question = q
			contexts = append(contexts, ctx)
			continue
		}
		contexts = append(contexts, msg.Content)
	}
	return question, contexts, b.String()
}

// limitWords keeps the first n words of s (the extractive model's stand-in for max_tokens).
func limitWords(s string, n int) string {
	fields := strings.Fields(s)
	if len(fields) <= n {
		return s
	}
	return strings.Join(fields[:n], " ")
}

// Embedded returns the provider of the models shipped inside the module (ModelGloVe and
// ModelExtractiveQA), the one every Client has under the name "embedded". Use it to serve
// those models from another configuration or to wrap it.
func Embedded() Provider { return embedded{} }
