package disk

// WaitSweep waits for the sweep Open started, for tests.
func (d *Driver) WaitSweep() { d.sweeping.Wait() }

// LookAtFiles makes the read cache look for other processes' writes now, as it does by
// itself every 100 ms, for tests.
func (d *Driver) LookAtFiles() {
	if d.cache != nil {
		d.cache.writes.LookNow()
	}
}
