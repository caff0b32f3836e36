package ai

import (
	"context"
	"encoding/json"
	"fmt"
)

// Run is Client.Run with the input and result types checked at compile time:
//
//	out, err := ai.Run[ai.EmbeddingInput, ai.EmbeddingOutput](ctx, env.AI, ai.ModelGloVe,
//		ai.EmbeddingInput{Text: ai.Texts{"hello"}}, nil)
//
// Out may be the result type itself (TextGenerationOutput, EmbeddingOutput), a pointer to it,
// *Stream for streamed generations, or any struct the result's JSON decodes into. The zero
// Out is returned with every error; a result that cannot become Out is an error too.
func Run[In, Out any](ctx context.Context, c *Client, model string, in In, opts *RunOptions) (Out, error) {
	var out Out
	res, err := c.Run(ctx, model, in, opts)
	if err != nil {
		return out, err
	}
	switch v := res.(type) {
	case Out:
		return v, nil
	case *TextGenerationOutput:
		if p, ok := any(v).(*Out); ok {
			return *p, nil
		}
	case *EmbeddingOutput:
		if p, ok := any(v).(*Out); ok {
			return *p, nil
		}
	case *Stream:
		v.Close()
		return out, fmt.Errorf("ai: model %s returned a stream, not a %T", model, out)
	}
	b, err := json.Marshal(res)
	if err != nil {
		return out, fmt.Errorf("ai: result of %s: %w", model, err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("ai: result of %s does not fit %T: %w", model, out, err)
	}
	return out, nil
}
