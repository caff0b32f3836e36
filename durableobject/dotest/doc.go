// Package dotest is the conformance suite of package durableobject: Run checks, through a real
// Engine, every behaviour of the platform's Durable Objects that the package implements, over
// any Driver. Subtests are named after the CONFORMANCE items they prove (DO-001 …), so a
// failure points at the platform behaviour that broke.
//
//	func TestMemoryDriver(t *testing.T) {
//		dotest.Run(t, func(t *testing.T) durableobject.Driver { return durableobject.MemoryDriver() })
//	}
//
// Tests that depend on time run inside testing/synctest bubbles, so newDriver may be called
// inside a bubble: it must not share state with drivers it made before.
package dotest
