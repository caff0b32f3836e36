// Package r2test is the conformance suite every r2.Driver must pass, plus test helpers.
//
// A driver package runs it with a constructor for fresh, empty drivers:
//
//	func TestDriver(t *testing.T) {
//		r2test.Run(t, func(t testing.TB) r2.Driver { return mydriver.New(t.TempDir()) })
//	}
//
// Test names carry the CONFORMANCE IDs they prove (R2-001 to R2-059). A driver that also
// implements BlobCounter gets its freeing of overwritten and deleted data checked.
// Recorder is a Notifier fake that keeps the event notifications a bucket sends.
//
// R2-059 (uploads expire after seven days) runs its driver inside a testing/synctest
// bubble to move the clock: a driver must work there, which rules out real network
// connections made by the driver under test.
package r2test
