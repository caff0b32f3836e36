package engine

import "math"

// dot is the inner product, unrolled four ways so that the four sums are independent and
// the loop runs near the machine's float throughput without assembly.
func dot(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= n; i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// l2sq is the squared Euclidean distance, unrolled like dot.
func l2sq(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= n; i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < n; i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// normalise scales v to unit length in place; a zero vector stays zero.
func normalise(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}

// Metric selects the distance. Internally every metric is a distance where smaller is closer.
type Metric uint8

// The metrics.
const (
	Cosine Metric = iota
	Euclidean
	Dot
)

// distFunc returns the internal distance for m: 1-cos for cosine (vectors are unit length),
// squared L2 for euclidean, the negative inner product for dot.
func distFunc(m Metric) func(a, b []float32) float32 {
	switch m {
	case Euclidean:
		return l2sq
	case Dot:
		return func(a, b []float32) float32 { return -dot(a, b) }
	default:
		return func(a, b []float32) float32 { return 1 - dot(a, b) }
	}
}

// Score turns an internal distance into the platform's score (VZ-016).
func (m Metric) Score(d float32) float64 {
	switch m {
	case Euclidean:
		return math.Sqrt(math.Max(float64(d), 0))
	case Dot:
		return float64(d)
	default:
		return 1 - float64(d)
	}
}
