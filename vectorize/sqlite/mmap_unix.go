//go:build unix

package sqlite

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps a file read-only. The engine serves snapshot vectors from the mapping, so an
// index opens without copying them; release unmaps it once the engine is no longer used.
func mapFile(path string) ([]byte, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size <= 0 || size != int64(int(size)) {
		return nil, nil, fmt.Errorf("vectorize/sqlite: %s: unusable size %d", path, size)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
