//go:build !linux

package worker

import "time"

// threadCPU has no per-thread clock here: CPU time reads as zero.
func threadCPU() time.Duration { return 0 }
