// Package kvtest is the conformance suite of the KV binding: every kv.Driver must pass it.
// Its tests go through *kv.Namespace, so they prove the platform's KV behaviours end to end
// for the driver under test; each test's name carries the conformance ID it proves (KV-001…).
//
//	func TestConformance(t *testing.T) {
//		kvtest.Run(t, func(t *testing.T) kv.Driver { return kv.NewMemoryDriver() })
//	}
package kvtest
