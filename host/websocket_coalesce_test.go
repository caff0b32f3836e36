package host

import (
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

func TestCoalescingConnGathersHeldWrites(t *testing.T) {
	wc := &writeCounter{}
	c := &coalescingConn{Conn: wc}

	_, err := c.Write([]byte("a"))
	require.NoError(t, err)
	require.Len(t, wc.writes, 1, "not held: straight through")

	c.hold()
	for _, s := range []string{"b", "cd", "e"} {
		n, err := c.Write([]byte(s))
		require.NoError(t, err)
		require.Equal(t, len(s), n)
	}
	require.Len(t, wc.writes, 1, "held: nothing written yet")
	require.NoError(t, c.release())
	require.Equal(t, [][]byte{[]byte("a"), []byte("bcde")}, wc.writes)

	require.NoError(t, c.release(), "releasing with nothing held writes nothing")
	require.Len(t, wc.writes, 2)
}

func TestCoalescingConnWritesWhenTheHoldIsFull(t *testing.T) {
	wc := &writeCounter{}
	c := &coalescingConn{Conn: wc}
	c.hold()
	chunk := make([]byte, maxHeld/2+1)
	_, err := c.Write(chunk)
	require.NoError(t, err)
	require.Empty(t, wc.writes)
	_, err = c.Write(chunk)
	require.NoError(t, err)
	require.Len(t, wc.writes, 1, "past maxHeld the held bytes go out")
	require.Len(t, wc.writes[0], 2*len(chunk))
	require.NoError(t, c.release())
	require.Len(t, wc.writes, 1)
}

func TestCoalescingConnKeepsTheFirstError(t *testing.T) {
	broken := errors.New("broken pipe")
	wc := &writeCounter{fail: broken}
	c := &coalescingConn{Conn: wc}
	c.hold()
	_, err := c.Write([]byte("x"))
	require.NoError(t, err)
	require.ErrorIs(t, c.release(), broken)
	wc.fail = nil
	_, err = c.Write([]byte("y"))
	require.ErrorIs(t, err, broken, "a connection that failed stays failed")
	require.Empty(t, wc.writes)
}
