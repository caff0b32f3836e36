package glove

import (
	"math"
	"slices"
	"testing"
)

func model(t testing.TB) *Model {
	t.Helper()
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func embed(m *Model, s string) []float32 {
	v := make([]float32, m.Dims())
	m.Embed(s, v)
	return v
}

func cosine(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d
}

func TestDefaultShape(t *testing.T) {
	m := model(t)
	if m.Dims() != 100 || m.Words() != 40000 {
		t.Fatalf("dims %d words %d, want 100 and 40000", m.Dims(), m.Words())
	}
	for _, w := range []string{"the", "cat", "password", "durable"} {
		if !m.Has(w) {
			t.Errorf("vocabulary lacks %q", w)
		}
	}
}

func TestEmbedIsUnitLengthAndDeterministic(t *testing.T) {
	m := model(t)
	a := embed(m, "Workers run close to users.")
	b := embed(m, "Workers run close to users.")
	if !slices.Equal(a, b) {
		t.Fatal("same text gave different vectors")
	}
	var n float64
	for _, x := range a {
		n += float64(x) * float64(x)
	}
	if math.Abs(math.Sqrt(n)-1) > 1e-5 {
		t.Fatalf("norm %v, want 1", math.Sqrt(n))
	}
}

func TestEmbedUnknownTextIsZero(t *testing.T) {
	m := model(t)
	v := make([]float32, m.Dims())
	v[0] = 7 // Embed must overwrite, not accumulate
	if known := m.Embed("zzxqv ###", v); known != 0 {
		t.Fatalf("known = %d, want 0", known)
	}
	for _, x := range v {
		if x != 0 {
			t.Fatal("vector of unknown text is not zero")
		}
	}
}

// The quality bar: on a handful of pairs, a paraphrase scores higher than an unrelated
// sentence, by a clear margin on average.
func TestEmbedSimilarBeatsUnrelated(t *testing.T) {
	m := model(t)
	cases := [][3]string{
		{"The cat sat on the mat.", "A kitten rested on the rug.", "The stock market fell sharply today."},
		{"How do I reset my password?", "I forgot my login password and need to change it.", "The weather is sunny in Paris."},
		{"The president met foreign leaders at the summit.", "World leaders gathered for talks with the head of state.", "She baked a chocolate cake for the party."},
		{"He plays guitar in a rock band.", "The musician performs with his band every weekend.", "The central bank raised interest rates."},
		{"Where can I buy fresh vegetables?", "Which shop sells organic fruit and vegetables nearby?", "The football match ended in a draw."},
		{"The patient was treated for a heart attack.", "Doctors cared for the man after his cardiac arrest.", "The new phone has a larger screen."},
		{"The flight to London was delayed by fog.", "Bad weather held up planes at the airport.", "He wrote a novel about his childhood."},
	}
	var margin float64
	for _, c := range cases {
		a := embed(m, c[0])
		sim, unrel := cosine(a, embed(m, c[1])), cosine(a, embed(m, c[2]))
		if sim <= unrel {
			t.Errorf("%q: paraphrase %.3f <= unrelated %.3f", c[0], sim, unrel)
		}
		margin += sim - unrel
	}
	if avg := margin / float64(len(cases)); avg < 0.4 {
		t.Errorf("average margin %.3f, want >= 0.4", avg)
	}
}

func TestTokens(t *testing.T) {
	var got []string
	for tok := range tokens("Don't STOP—naïve café, 42x!") {
		got = append(got, string(tok))
	}
	want := []string{"don", "t", "stop", "naïve", "café", "42x"}
	if !slices.Equal(got, want) {
		t.Fatalf("tokens = %q, want %q", got, want)
	}
	if n := CountWords("one, two three"); n != 3 {
		t.Fatalf("CountWords = %d, want 3", n)
	}
}

func TestParseRejectsDamagedArtifacts(t *testing.T) {
	if _, err := Parse([]byte("nope")); err == nil {
		t.Fatal("short input parsed")
	}
	if _, err := Parse(artifact[:len(artifact)-1]); err == nil {
		t.Fatal("truncated artifact parsed")
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	a := &Artifact{
		Dims:    2,
		Words:   []string{"alpha", "beta"},
		Scales:  []float32{0.5, 0.25},
		Vectors: []int8{127, 0, -127, 64},
		Common:  []float32{0, 1},
	}
	b, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, 2)
	if known := m.Embed("alpha", v); known != 1 {
		t.Fatalf("known = %d", known)
	}
	// alpha is (63.5, 0); the common direction (0, 1) has nothing to remove; unit length.
	if v[0] != 1 || v[1] != 0 {
		t.Fatalf("alpha = %v, want [1 0]", v)
	}
}

func BenchmarkEmbedSentence(b *testing.B) {
	m := model(b)
	v := make([]float32, m.Dims())
	const s = "The quick brown fox jumps over the lazy dog near the river bank."
	b.ReportAllocs()
	for b.Loop() {
		m.Embed(s, v)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sentences/s")
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(artifact); err != nil {
			b.Fatal(err)
		}
	}
}
