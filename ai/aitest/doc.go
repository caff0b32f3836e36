// Package aitest is the conformance suite every ai.Provider must pass: Run drives a provider
// through an *ai.Client and checks the platform's shapes and errors (CONFORMANCE AI-002 to
// AI-006, AI-009, AI-013). Test names carry the item ids they prove.
package aitest
