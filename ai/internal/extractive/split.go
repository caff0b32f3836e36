package extractive

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits text into sentences: at '.', '!' or '?' followed by white space, and at
// line breaks (so bullet lists and one-fact-per-line context split per line). Sentences are
// trimmed; empty ones are dropped.
func Sentences(text string) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	start := 0
	for i, r := range text {
		switch {
		case r == '\n':
			add(text[start:i])
			start = i + 1
		case r == '.' || r == '!' || r == '?':
			next := i + 1
			for next < len(text) && strings.ContainsRune(`"')]`, rune(text[next])) {
				next++
			}
			if next == len(text) {
				continue
			}
			if r2, _ := utf8.DecodeRuneInString(text[next:]); unicode.IsSpace(r2) {
				add(text[start:next])
				start = next
			}
		}
	}
	add(text[start:])
	return out
}

// SplitQuestion separates a prompt into its context and its question. A "Question:" label
// (any case) marks the question, and an optional "Context:" label before it is dropped;
// otherwise the last sentence that ends in '?' is the question; otherwise the last sentence
// is. What is left is the context.
func SplitQuestion(prompt string) (context, question string) {
	lower := strings.ToLower(prompt)
	if i := strings.LastIndex(lower, "question:"); i >= 0 {
		context = prompt[:i]
		if j := strings.Index(strings.ToLower(context), "context:"); j >= 0 {
			context = context[j+len("context:"):]
		}
		return strings.TrimSpace(context), strings.TrimSpace(prompt[i+len("question:"):])
	}
	sents := Sentences(prompt)
	if len(sents) == 0 {
		return "", ""
	}
	q := len(sents) - 1
	for i := len(sents) - 1; i >= 0; i-- {
		if strings.HasSuffix(sents[i], "?") {
			q = i
			break
		}
	}
	rest := append(append([]string(nil), sents[:q]...), sents[q+1:]...)
	return strings.Join(rest, " "), sents[q]
}
