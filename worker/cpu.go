package worker

import (
	"runtime"
	"time"
)

// MeasureCPU runs fn with its goroutine locked to one OS thread and returns the CPU time
// that thread spent in fn: user plus system time of the work fn did itself, not time spent
// blocked. The runner wraps every handler call in it; the result is logged per invocation
// and checked against Limits.CPU (W-012, W-014).
func MeasureCPU(fn func()) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	fn()
	return threadCPU() - start
}
