// Package bridge converts between the vectorize package's types and the engine's, for the
// drivers that sit on both.
package bridge
