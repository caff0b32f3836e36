package main

import (
	"testing"

	"github.com/flarego/flarego/ai/internal/glove"
)

func TestBuildKeepsPlainFrequentWords(t *testing.T) {
	src := &source{
		Dimensions: 2,
		Words:      []string{"the", ",", "cat", "New", "dog", "bird"},
		Vectors: map[string][]float64{
			"the": {0.5, 0.5, 0.7, 0}, ",": {1, 1, 1.4, 1}, "cat": {1, -2, 2.2, 2},
			"New": {3, 3, 4.2, 3}, "dog": {-1, 2, 2.2, 4}, "bird": {0, 1, 1, 5},
		},
	}
	a, err := build(src, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Words) != 3 || a.Words[0] != "the" || a.Words[1] != "cat" || a.Words[2] != "dog" {
		t.Fatalf("words %q", a.Words)
	}
	// cat = (1, -2): scale 2/127, so -2 quantises to -127 exactly.
	if a.Vectors[3] != -127 || a.Scales[1] != float32(2.0/127) {
		t.Fatalf("cat quantised to %v scale %v", a.Vectors[2:4], a.Scales[1])
	}
	b, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	m, err := glove.Parse(b)
	if err != nil || m.Words() != 3 || !m.Has("dog") || m.Has("bird") {
		t.Fatalf("parsed %v %v", m, err)
	}
	if _, err := build(&source{Dimensions: 3, Words: []string{"a"}, Vectors: map[string][]float64{"a": {1}}}, 1); err == nil {
		t.Fatal("a short vector was accepted")
	}
}
