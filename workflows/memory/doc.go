// Package memory is a Workflows storage driver kept in maps: fast, private to one engine and
// gone when the process exits. Use it in unit tests; the embedded default is package
// workflows/sqlite. Every record is copied on the way in and out, so callers never share
// memory with the store.
package memory
