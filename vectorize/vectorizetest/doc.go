// Package vectorizetest holds the conformance suite every vectorize.Driver passes (Run) and
// helpers for tests and benchmarks: deterministic clustered data (Clustered) and recall.
package vectorizetest
