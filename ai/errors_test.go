package ai_test

import (
	"errors"
	"testing"

	"github.com/flarego/flarego/ai"
)

// AI-008: the three shapes of an upstream error body.
func TestParseError_AI008(t *testing.T) {
	e := ai.ParseError(400, []byte(`{"internalCode":1001,"message":"InvalidInput: prompt and messages are mutually exclusive","name":"InvalidInput","description":"prompt and messages are mutually exclusive"}`))
	if e.Name != "InvalidInput" || e.Message != "1001: prompt and messages are mutually exclusive" || e.Code != 1001 || e.Status != 400 {
		t.Fatalf("internalCode body: %#v", e)
	}
	if !errors.Is(e, ai.ErrInvalidInput) || e.Error() != "InvalidInput: 1001: prompt and messages are mutually exclusive" {
		t.Fatalf("Is/Error: %v", e)
	}
	e = ai.ParseError(500, []byte(`{"errors":[{"code":5007,"message":"No such model"}]}`))
	if e.Name != "InferenceUpstreamError" || e.Message != "5007: No such model" || e.Code != 0 {
		t.Fatalf("errors[0] body: %#v", e)
	}
	e = ai.ParseError(500, []byte("Unknown error"))
	if e.Name != "InferenceUpstreamError" || e.Message != "Unknown error" || !errors.Is(e, ai.ErrUpstream) {
		t.Fatalf("text body: %#v", e)
	}
	e = ai.ParseError(500, []byte(`{"something":"else"}`))
	if e.Message != `{"something":"else"}` {
		t.Fatalf("other JSON: %#v", e)
	}
}
