package host

import (
	"encoding/binary"

	"github.com/flarego/flarego/worker"
)

// WebSocket opcodes (RFC 6455 §5.2).
const (
	opText   = 0x1
	opBinary = 0x2
	opClose  = 0x8
)

// appendFrame appends m to b as one unmasked, unfragmented server frame (RFC 6455 §5.2).
func appendFrame(b []byte, m worker.Message) []byte {
	return append(appendFrameHeader(b, m), m.Data...)
}

// appendFrameHeader appends the header of m's frame: FIN and the opcode, then the payload
// length in 7, 7+16 or 7+64 bits. Compression is never negotiated (see pumpWebSocket), so
// RSV1 stays clear.
func appendFrameHeader(b []byte, m worker.Message) []byte {
	op := byte(opText)
	if m.Type == worker.MessageBinary {
		op = opBinary
	}
	b = append(b, 0x80|op)
	switch n := len(m.Data); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return b
}
