package host

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// coalescing wraps the ResponseWriter handed to the WebSocket upgrade so that the hijacked
// connection is a *coalescingConn: the WebSocket library flushes every frame with its own
// write system call, and a burst of messages queued for one client (a broadcast to a room)
// then costs one system call per message on this side and one read per message on the
// client's. Held, the frames of a burst leave in one write.
type coalescing struct {
	http.ResponseWriter
	conn *coalescingConn
}

// Hijack takes over the connection and gives back a writer that goes through the
// coalescingConn.
func (c *coalescing) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(c.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	c.conn = &coalescingConn{Conn: nc}
	return c.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(c.conn, 4096)), nil
}

// Unwrap gives http.ResponseController the connection's own writer.
func (c *coalescing) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// coalescingConn holds the bytes written between hold and release and writes them at
// release in one call. Outside a hold, writes go straight through. Its writers (the
// message pump, and the WebSocket library answering pings or closing) may be different
// goroutines.
type coalescingConn struct {
	net.Conn
	mu      sync.Mutex
	holding bool
	pending []byte
	err     error // the first failed write; later writes fail with it
}

// maxHeld bounds the bytes held before a write goes out anyway.
const maxHeld = 64 << 10

func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if !c.holding {
		return c.Conn.Write(p)
	}
	c.pending = append(c.pending, p...)
	if len(c.pending) >= maxHeld {
		if err := c.writePending(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// hold starts gathering writes.
func (c *coalescingConn) hold() {
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
}

// release writes what was gathered and lets writes through again.
func (c *coalescingConn) release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holding = false
	return c.writePending()
}

func (c *coalescingConn) writePending() error {
	if len(c.pending) == 0 || c.err != nil {
		return c.err
	}
	_, err := c.Conn.Write(c.pending)
	c.pending = c.pending[:0]
	if cap(c.pending) > maxHeld {
		c.pending = nil
	}
	if err != nil {
		c.err = err
	}
	return err
}
