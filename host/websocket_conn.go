package host

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// hijacking wraps the ResponseWriter handed to the WebSocket upgrade so that the hijacked
// connection is a *socketConn, which the message pump then writes data frames to itself
// (see pumpOut) while the WebSocket library keeps reading and answering control frames.
type hijacking struct {
	http.ResponseWriter
	conn *socketConn
}

// Hijack takes over the connection and gives back a writer that goes through the
// socketConn.
func (h *hijacking) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	h.conn = &socketConn{Conn: nc}
	// Control frames are at most 139 bytes: with this buffer each one the library flushes
	// reaches Write whole.
	return h.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(h.conn, 4096)), nil
}

// Unwrap gives http.ResponseController the connection's own writer.
func (h *hijacking) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// socketConn is a WebSocket connection written by two parties, one write at a time: the
// WebSocket library, which writes only control frames (pong, close), each in one Write, and
// the message pump, which writes runs of data frames with writeFrames.
type socketConn struct {
	net.Conn
	mu        sync.Mutex
	closeSent bool  // a close frame went out: no data frame may follow it
	err       error // the first failed write; later writes fail with it
}

// Write is the library's: one control frame.
func (c *socketConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if len(p) > 0 && p[0]&0x0f == opClose {
		c.closeSent = true
	}
	n, err := c.Conn.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// writeFrames writes whole data frames (see appendFrame), the buffers in order in one
// call. After a close frame it writes nothing and fails with net.ErrClosed.
func (c *socketConn) writeFrames(b net.Buffers) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if c.closeSent {
		return net.ErrClosed
	}
	var err error
	if len(b) == 1 {
		_, err = c.Conn.Write(b[0])
	} else {
		_, err = b.WriteTo(c.Conn)
	}
	if err != nil {
		c.err = err
		return err
	}
	return nil
}
