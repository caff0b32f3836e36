package main

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
)

// room is the machine's ceiling for the WebSocket fan-out: every message a member sends goes
// to every member, sender included, with as little work as a server can do. Frames are read
// and written by hand, a member's waiting frames leave in one write, and nothing else is
// done. It speaks only what the load client uses: unfragmented messages and close.
type room struct {
	mu      sync.Mutex
	members map[*member]struct{}
}

// member is one socket of the room and the frames waiting for it.
type member struct {
	conn    net.Conn
	mu      sync.Mutex
	waiting []byte
	kick    chan struct{}
}

// websocketGUID is the fixed key suffix of the opening handshake (RFC 6455 §1.3).
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func (rm *room) serveHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if key == "" {
		http.Error(w, "expected a WebSocket upgrade", http.StatusUpgradeRequired)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	sum := sha1.Sum([]byte(key + websocketGUID))
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
	if err := brw.Flush(); err != nil {
		conn.Close()
		return
	}
	m := &member{conn: conn, kick: make(chan struct{}, 1)}
	rm.mu.Lock()
	rm.members[m] = struct{}{}
	rm.mu.Unlock()
	go m.write()
	rm.read(m, brw.Reader)
	rm.mu.Lock()
	delete(rm.members, m)
	rm.mu.Unlock()
	close(m.kick)
	conn.Close()
}

// read takes the member's messages and hands each to every member until the client closes.
func (rm *room) read(m *member, br *bufio.Reader) {
	for {
		op, payload, err := readFrame(br)
		if err != nil {
			return
		}
		frame := append(appendHeader(make([]byte, 0, len(payload)+10), op, len(payload)), payload...)
		if op == 0x8 { // close: answered with the same code and reason
			m.send(frame)
			return
		}
		rm.mu.Lock()
		for peer := range rm.members {
			peer.send(frame)
		}
		rm.mu.Unlock()
	}
}

// send queues frame and wakes the member's writer if it was idle.
func (m *member) send(frame []byte) {
	m.mu.Lock()
	idle := len(m.waiting) == 0
	m.waiting = append(m.waiting, frame...)
	m.mu.Unlock()
	if idle {
		select {
		case m.kick <- struct{}{}:
		default:
		}
	}
}

// write sends the waiting frames, all of them in one write, each time it is woken.
func (m *member) write() {
	var out []byte
	for range m.kick {
		m.mu.Lock()
		out, m.waiting = m.waiting, out[:0]
		m.mu.Unlock()
		if len(out) > 0 {
			if _, err := m.conn.Write(out); err != nil {
				m.conn.Close()
				return
			}
		}
	}
}

// readFrame reads one masked client frame (RFC 6455 §5.2) and returns its opcode and
// unmasked payload.
func readFrame(br *bufio.Reader) (byte, []byte, error) {
	var h [8]byte
	if _, err := io.ReadFull(br, h[:2]); err != nil {
		return 0, nil, err
	}
	if h[0]&0x80 == 0 || h[1]&0x80 == 0 {
		return 0, nil, errors.New("fragmented or unmasked frame")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(br, h[:2]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(br, h[:8]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	if n > 1<<20 {
		return 0, nil, errors.New("message too large")
	}
	var mask [4]byte
	if _, err := io.ReadFull(br, mask[:]); err != nil {
		return 0, nil, err
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(br, payload); err != nil {
		return 0, nil, err
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return h[0] & 0x0f, payload, nil
}

// appendHeader appends an unmasked server frame header for a final frame of n bytes.
func appendHeader(b []byte, op byte, n int) []byte {
	b = append(b, 0x80|op)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
}
