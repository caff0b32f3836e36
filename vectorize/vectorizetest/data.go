package vectorizetest

import (
	"math"
	"math/rand/v2"
)

// Dataset is synthetic embedding-like data: Gaussian clusters in a low-dimensional latent
// space, mapped to Dims dimensions by a fixed random projection, plus a little noise. Real
// text embeddings have this shape (many dimensions, far fewer degrees of freedom), so recall
// measured on it means something, unlike uniform noise where every point is equally far.
type Dataset struct {
	Dims int
	// Vectors and Queries are drawn from the same distribution; queries are not in Vectors.
	Vectors [][]float32
	Queries [][]float32
	// Category is a label in 0..9 per vector, independent of its cluster, for filter tests.
	Category []int
}

// Clustered generates n vectors and nq queries of dims dimensions, the same for the same seed.
func Clustered(n, nq, dims int, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	latent := min(dims, 32)
	const clusters = 64
	centers := make([][]float64, clusters)
	for c := range centers {
		centers[c] = make([]float64, latent)
		for j := range centers[c] {
			centers[c][j] = rng.NormFloat64() * 2
		}
	}
	proj := make([]float64, dims*latent)
	scale := 1 / math.Sqrt(float64(latent))
	for i := range proj {
		proj[i] = rng.NormFloat64() * scale
	}
	sample := func() []float32 {
		c := centers[rng.IntN(clusters)]
		z := make([]float64, latent)
		for j := range z {
			z[j] = c[j] + rng.NormFloat64()
		}
		v := make([]float32, dims)
		for i := range v {
			row := proj[i*latent : (i+1)*latent]
			var s float64
			for j, x := range z {
				s += row[j] * x
			}
			v[i] = float32(s + rng.NormFloat64()*0.05)
		}
		return v
	}
	d := &Dataset{Dims: dims, Vectors: make([][]float32, n), Queries: make([][]float32, nq), Category: make([]int, n)}
	for i := range d.Vectors {
		d.Vectors[i] = sample()
		d.Category[i] = rng.IntN(10)
	}
	for i := range d.Queries {
		d.Queries[i] = sample()
	}
	return d
}

// Recall is the share of want found in got (both lists of ids), as recall@len(want).
func Recall(got, want []string) float64 {
	if len(want) == 0 {
		return 1
	}
	in := make(map[string]bool, len(got))
	for _, id := range got {
		in[id] = true
	}
	n := 0
	for _, id := range want {
		if in[id] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}
