// Package workflowstest holds the conformance suite every Workflows storage driver must
// pass, and helpers for testing workflows.
//
// Run runs the whole suite against a driver: the driver contract itself (atomic updates,
// ordering, the scheduler's queries) and then every platform behaviour of the engine over
// that driver, each test named after the CONFORMANCE item it proves (WF-001 …). Engine
// tests run inside testing/synctest bubbles, so sleeps of hours and retry delays take no
// real time.
//
// Set WORKFLOWSTEST_LOG=1 to see the engines' logs on stderr.
//
// NewEngine starts an in-memory engine for a workflow under test, for users' own tests.
package workflowstest
