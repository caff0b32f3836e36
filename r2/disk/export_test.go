package disk

// WaitSweep waits for the sweep Open started, for tests.
func (d *Driver) WaitSweep() { d.sweeping.Wait() }
