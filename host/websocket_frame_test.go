package host

import (
	"bytes"
	"testing"

	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

// The header forms of RFC 6455 §5.2, checked byte for byte; the examples of §5.7 among them.
func TestAppendFrameHeader(t *testing.T) {
	for _, c := range []struct {
		name string
		m    worker.Message
		want []byte
	}{
		{"text of 5 bytes", worker.Message{Type: worker.MessageText, Data: []byte("Hello")}, []byte{0x81, 0x05}},
		{"empty text", worker.Message{Type: worker.MessageText}, []byte{0x81, 0x00}},
		{"125 bytes: the last 7-bit length", worker.Message{Type: worker.MessageBinary, Data: make([]byte, 125)}, []byte{0x82, 125}},
		{"126 bytes: the first 16-bit length", worker.Message{Type: worker.MessageBinary, Data: make([]byte, 126)}, []byte{0x82, 126, 0x00, 126}},
		{"256 bytes", worker.Message{Type: worker.MessageBinary, Data: make([]byte, 256)}, []byte{0x82, 0x7e, 0x01, 0x00}},
		{"65535 bytes: the last 16-bit length", worker.Message{Type: worker.MessageBinary, Data: make([]byte, 65535)}, []byte{0x82, 126, 0xff, 0xff}},
		{"65536 bytes: the first 64-bit length", worker.Message{Type: worker.MessageBinary, Data: make([]byte, 65536)}, []byte{0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, appendFrameHeader(nil, c.m))
			frame := appendFrame([]byte("before"), c.m)
			require.True(t, bytes.HasPrefix(frame, []byte("before")))
			require.Equal(t, append(append([]byte("before"), c.want...), c.m.Data...), frame)
		})
	}
}
