package glove

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Model is a quantised word-vector table with the sentence weighting applied on top. It is
// read-only after Parse and safe for concurrent use.
type Model struct {
	dims    int
	index   map[string]int32
	scales  []float32 // scale times the word's sentence weight, folded in at load
	weights []float32 // the sentence weight a/(a+p(w)) of each word
	vectors []byte    // int8 two's complement, count*dims; aliases the artifact bytes
	common  []float32
}

// sifA is the smoothing constant of the smooth-inverse-frequency weight a/(a+p(w)).
const sifA = 1e-3

// vocabSize is the vocabulary the frequency ranks come from (GloVe 6B: 400,000 words); it
// fixes the Zipf normaliser that turns a rank into a probability.
const vocabSize = 400000

// Parse decodes an artifact. The returned model keeps b (it reads the vectors in place), so b
// must not change afterwards; an embedded file never does.
func Parse(b []byte) (*Model, error) {
	const head = 4 + 1 + 2 + 4 + 4
	if len(b) < head || string(b[:4]) != magic {
		return nil, errors.New("glove: not a model artifact")
	}
	if b[4] != version {
		return nil, fmt.Errorf("glove: artifact version %d, want %d", b[4], version)
	}
	le := binary.LittleEndian
	dims := int(le.Uint16(b[5:]))
	count := int(le.Uint32(b[7:]))
	wordsN := int(le.Uint32(b[11:]))
	need := head + wordsN + 4*count + count*dims + 4*dims
	if dims == 0 || len(b) != need {
		return nil, fmt.Errorf("glove: artifact is %d bytes, layout says %d", len(b), need)
	}
	p := head
	words := b[p : p+wordsN]
	p += wordsN
	scaleBytes := b[p : p+4*count]
	p += 4 * count
	vectors := b[p : p+count*dims]
	p += count * dims
	commonBytes := b[p:]

	m := &Model{
		dims:    dims,
		index:   make(map[string]int32, count),
		scales:  make([]float32, count),
		weights: make([]float32, count),
		vectors: vectors,
		common:  make([]float32, dims),
	}
	h := harmonic(vocabSize)
	rank := 0
	for w := range bytes.SplitSeq(words, []byte{'\n'}) {
		if rank >= count {
			return nil, errors.New("glove: more words than vectors")
		}
		m.index[string(w)] = int32(rank)
		pw := 1 / (float64(rank+1) * h) // Zipf estimate of the word's probability
		weight := sifA / (sifA + pw)
		m.weights[rank] = float32(weight)
		m.scales[rank] = math.Float32frombits(le.Uint32(scaleBytes[4*rank:])) * float32(weight)
		rank++
	}
	if rank != count {
		return nil, fmt.Errorf("glove: %d words for %d vectors", rank, count)
	}
	for i := range m.common {
		m.common[i] = math.Float32frombits(le.Uint32(commonBytes[4*i:]))
	}
	return m, nil
}

func harmonic(n int) float64 {
	// ln n + γ + 1/2n is within 1e-10 of the sum for n this large.
	return math.Log(float64(n)) + 0.5772156649015329 + 1/(2*float64(n))
}

// Dims is the length of every vector the model returns.
func (m *Model) Dims() int { return m.dims }

// Words is the size of the vocabulary.
func (m *Model) Words() int { return len(m.scales) }

// Has reports whether word (lower case) is in the vocabulary.
func (m *Model) Has(word string) bool {
	_, ok := m.index[word]
	return ok
}

// Weight is the sentence weight a/(a+p(w)) of a lower-case word: near 0 for the most
// frequent words, near 1 for rare ones. Words outside the vocabulary are rarer still: 1.
func (m *Model) Weight(word string) float32 {
	i, ok := m.index[word]
	if !ok {
		return 1
	}
	return m.weights[i]
}
