// Package memory is the in-memory vectorize driver, for tests and for runs without
// persistence: the same search engine as the sqlite driver, nothing on disk.
//
//	idx, _ := memory.NewIndex(vectorize.Config{Dimensions: 768, Metric: vectorize.Cosine})
//	env := Env{Docs: idx}
package memory
