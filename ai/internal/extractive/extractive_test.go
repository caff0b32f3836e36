package extractive

import (
	"slices"
	"testing"

	"github.com/flarego/flarego/ai/internal/glove"
)

func TestSentences(t *testing.T) {
	got := Sentences("Dr. Smith arrived. Was it late? Yes!\n- item one\n\n- item two (final).")
	want := []string{"Dr.", "Smith arrived.", "Was it late?", "Yes!", "- item one", "- item two (final)."}
	if !slices.Equal(got, want) {
		t.Fatalf("Sentences = %q\nwant %q", got, want)
	}
}

func TestSplitQuestion(t *testing.T) {
	for _, tc := range []struct{ in, ctx, q string }{
		{"Context: Paris is in France.\nQuestion: Where is Paris?", "Paris is in France.", "Where is Paris?"},
		{"Paris is in France. Where is Paris? Answer briefly.", "Paris is in France. Answer briefly.", "Where is Paris?"},
		{"Tell me about Paris", "", "Tell me about Paris"},
		{"", "", ""},
	} {
		ctx, q := SplitQuestion(tc.in)
		if ctx != tc.ctx || q != tc.q {
			t.Errorf("SplitQuestion(%q) = %q, %q; want %q, %q", tc.in, ctx, q, tc.ctx, tc.q)
		}
	}
}

func TestAnswerPicksTheRelevantSentence(t *testing.T) {
	m, err := glove.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx := "The office opens at nine in the morning. Parking is free for visitors. " +
		"The cafeteria serves vegetarian lunch every day. Our support team answers emails within two days."
	got := Answer(m, "What food does the cafeteria serve for lunch?", ctx)
	if len(got) == 0 || !slices.Contains(got, "The cafeteria serves vegetarian lunch every day.") {
		t.Fatalf("Answer = %q", got)
	}
	if len(got) > MaxSentences {
		t.Fatalf("answer has %d sentences, max %d", len(got), MaxSentences)
	}
	if Answer(m, "zzqx", ctx) != nil {
		t.Fatal("a question with no known word got an answer")
	}
	if Answer(m, "What is for lunch?") != nil {
		t.Fatal("no context, yet an answer")
	}
}
