package host

import (
	"bytes"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeCounter is a net.Conn that records each write it gets.
type writeCounter struct {
	net.Conn
	writes [][]byte
	fail   error
}

func (w *writeCounter) Write(p []byte) (int, error) {
	if w.fail != nil {
		return 0, w.fail
	}
	w.writes = append(w.writes, append([]byte(nil), p...))
	return len(p), nil
}

func TestSocketConnWritesTheBuffersInOrder(t *testing.T) {
	wc := &writeCounter{}
	c := &socketConn{Conn: wc}
	require.NoError(t, c.writeFrames(net.Buffers{[]byte("ab"), []byte("cd")}))
	require.Equal(t, []byte("abcd"), bytes.Join(wc.writes, nil))
}

func TestSocketConnSendsNoDataAfterClose(t *testing.T) {
	wc := &writeCounter{}
	c := &socketConn{Conn: wc}
	pong := []byte{0x80 | 0xA, 0}
	_, err := c.Write(pong)
	require.NoError(t, err)
	require.NoError(t, c.writeFrames(net.Buffers{[]byte{0x81, 1, 'x'}}), "a pong does not end the data")

	closeFrame := []byte{0x80 | opClose, 2, 0x03, 0xe8}
	_, err = c.Write(closeFrame)
	require.NoError(t, err)
	require.ErrorIs(t, c.writeFrames(net.Buffers{[]byte{0x81, 1, 'y'}}), net.ErrClosed)
	require.Len(t, wc.writes, 3, "the frame after the close frame was not written")
}

func TestSocketConnKeepsTheFirstError(t *testing.T) {
	broken := errors.New("broken pipe")
	wc := &writeCounter{fail: broken}
	c := &socketConn{Conn: wc}
	require.ErrorIs(t, c.writeFrames(net.Buffers{[]byte("x")}), broken)
	wc.fail = nil
	_, err := c.Write([]byte{0x8A, 0})
	require.ErrorIs(t, err, broken, "a connection that failed stays failed")
	require.ErrorIs(t, c.writeFrames(net.Buffers{[]byte("y")}), broken)
	require.Empty(t, wc.writes)
}
