package queues

// NewDeferredDriver exposes the deferred store to the tests of package queues_test.
func NewDeferredDriver(open func() (Driver, error)) Driver { return openDeferred(open, false) }
