// Package queuestest is the conformance suite of queue drivers: Run checks that a
// queues.Driver stores, leases, settles and counts messages the way the Engine relies on.
// Every driver runs it:
//
//	func TestDriver(t *testing.T) {
//		queuestest.Run(t, func(t testing.TB) queues.Driver { return mydriver.New(t.TempDir()) })
//	}
package queuestest
