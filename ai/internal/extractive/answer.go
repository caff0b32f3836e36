package extractive

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Embedder turns text into a unit-length vector of Dims numbers and reports how many of its
// words the model knew (zero means the vector carries nothing). Weight tells how informative
// a lower-case word is, from 0 (the, of) to 1 (rare words).
type Embedder interface {
	Dims() int
	Embed(text string, dst []float32) (known int)
	Weight(word string) float32
}

// MaxSentences bounds an answer: the best sentence, plus up to two more whose score is close
// to it (at least Closeness times the best).
const (
	MaxSentences = 3
	Closeness    = 0.8
)

// Answer returns the sentences of contexts that best answer question, in the order they
// appear in the contexts, or nil when no sentence shares anything with the question.
//
// A sentence's score is the cosine of its vector with the question's plus the weighted share
// of the question's words it contains (after stripping common suffixes, so "returns" meets
// "return"): the embedding finds related words, the overlap rewards the exact ones.
func Answer(e Embedder, question string, contexts ...string) []string {
	dims := e.Dims()
	q := make([]float32, dims)
	qKnown := e.Embed(question, q)
	qStems := stems(e, question)
	if qKnown == 0 && len(qStems) == 0 {
		return nil
	}
	var qWeight float32
	for _, w := range qStems {
		qWeight += w
	}
	type scored struct {
		pos   int
		text  string
		score float32
	}
	var cands []scored
	v := make([]float32, dims)
	seen := map[string]bool{}
	for _, c := range contexts {
		for _, s := range Sentences(c) {
			if seen[s] {
				continue
			}
			seen[s] = true
			var score float32
			if e.Embed(s, v) > 0 {
				for i := range v {
					score += v[i] * q[i]
				}
			}
			if qWeight > 0 {
				var shared float32
				for st := range stems(e, s) {
					shared += qStems[st]
				}
				score += shared / qWeight
			}
			cands = append(cands, scored{len(cands), s, score})
		}
	}
	if len(cands) == 0 {
		return nil
	}
	slices.SortStableFunc(cands, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	if cands[0].score <= 0 {
		return nil
	}
	keep := cands[:1]
	for _, c := range cands[1:] {
		if len(keep) == MaxSentences || c.score < Closeness*cands[0].score {
			break
		}
		keep = append(keep, c)
	}
	slices.SortFunc(keep, func(a, b scored) int { return cmp.Compare(a.pos, b.pos) })
	out := make([]string, len(keep))
	for i, c := range keep {
		out[i] = c.text
	}
	return out
}

// stems maps the stems of text's words to the words' weights.
func stems(e Embedder, text string) map[string]float32 {
	out := map[string]float32{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		out[stem(w)] = max(out[stem(w)], e.Weight(w))
	}
	return out
}

// stem strips one common English suffix from words long enough to have one.
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}
