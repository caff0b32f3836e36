package glove

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// Embed writes the sentence vector of text into dst (len(dst) must be Dims) and returns how
// many of its words the vocabulary knows. The vector is the smooth-inverse-frequency weighted
// sum of the known words' vectors, with the common discourse direction projected out, scaled
// to unit length. Text with no known word gives the zero vector.
func (m *Model) Embed(text string, dst []float32) int {
	if len(dst) != m.dims {
		panic("glove: Embed destination has the wrong length")
	}
	clear(dst)
	known := 0
	for tok := range tokens(text) {
		i, ok := m.index[string(tok)]
		if !ok {
			continue
		}
		known++
		s := m.scales[i]
		row := m.vectors[int(i)*m.dims : int(i+1)*m.dims]
		for d, q := range row {
			dst[d] += s * float32(int8(q))
		}
	}
	if known == 0 {
		return 0
	}
	var dot float32
	for d, c := range m.common {
		dot += dst[d] * c
	}
	var norm float64
	for d, c := range m.common {
		dst[d] -= dot * c
		norm += float64(dst[d]) * float64(dst[d])
	}
	if norm == 0 {
		return known
	}
	inv := float32(1 / math.Sqrt(norm))
	for d := range dst {
		dst[d] *= inv
	}
	return known
}

// tokens yields the lower-cased runs of letters and digits of text, the way the vocabulary
// was tokenised (punctuation and apostrophes split words; "don't" gives "don" and "t"). The
// yielded slice is valid only until the callback returns, which keeps the loop free of
// allocations for words up to 64 bytes.
func tokens(text string) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		var arr [64]byte
		tok := arr[:0]
		for _, r := range text {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				tok = utf8.AppendRune(tok, unicode.ToLower(r))
				continue
			}
			if len(tok) > 0 {
				if !yield(tok) {
					return
				}
				tok = arr[:0]
			}
		}
		if len(tok) > 0 {
			yield(tok)
		}
	}
}

// CountWords returns how many tokens text splits into, known to the vocabulary or not; callers
// use it as the token count of usage reports.
func CountWords(text string) int {
	n := 0
	for range tokens(text) {
		n++
	}
	return n
}
