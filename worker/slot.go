package worker

import (
	"io"
	"sync"
)

// slotBody frees a connection slot once, when the body is closed.
type slotBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *slotBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
