// Package wal reads committed transactions out of a SQLite write-ahead log, as SQLite's own
// recovery does: a frame counts only if its salts match the header's and its checksum
// continues the chain, and a transaction only once its commit frame is read. Frames of a
// transaction still being written, or left over from an earlier generation of the file,
// are never returned.
//
// File format: https://www.sqlite.org/fileformat2.html#the_write_ahead_log
package wal

import (
	"encoding/binary"
	"errors"
	"io"
)

// Sizes of the file header and of each frame header.
const (
	HeaderSize      = 32
	FrameHeaderSize = 24
)

const (
	magicLE = 0x377f0682 // checksums over little-endian words
	magicBE = 0x377f0683 // checksums over big-endian words
)

// Header is a WAL file header: one generation of the log, named by its salts.
type Header struct {
	PageSize      uint32
	CheckpointSeq uint32
	Salt1, Salt2  uint32
	Sum1, Sum2    uint32
	bigEndian     bool
}

// Cursor is a position in a generation: the number of frames before it and the checksum
// chain at that point.
type Cursor struct {
	Salt1, Salt2 uint32
	Frame        uint32
	Sum1, Sum2   uint32
}

// Start returns the cursor before the generation's first frame.
func (h Header) Start() Cursor {
	return Cursor{Salt1: h.Salt1, Salt2: h.Salt2, Sum1: h.Sum1, Sum2: h.Sum2}
}

// Same reports whether c is a position in h's generation.
func (h Header) Same(c Cursor) bool { return c.Salt1 == h.Salt1 && c.Salt2 == h.Salt2 }

// ErrNoLog means the file holds no valid header: no log, or one not yet written.
var ErrNoLog = errors.New("wal: no valid header")

// ReadHeader reads and checks the header of the log in r.
func ReadHeader(r io.ReaderAt) (Header, error) {
	var b [HeaderSize]byte
	if _, err := r.ReadAt(b[:], 0); err != nil {
		if errors.Is(err, io.EOF) {
			return Header{}, ErrNoLog
		}
		return Header{}, err
	}
	be := binary.BigEndian
	var h Header
	switch be.Uint32(b[0:]) {
	case magicLE:
	case magicBE:
		h.bigEndian = true
	default:
		return Header{}, ErrNoLog
	}
	h.PageSize = be.Uint32(b[8:])
	if h.PageSize == 1 {
		h.PageSize = 65536
	}
	h.CheckpointSeq = be.Uint32(b[12:])
	h.Salt1, h.Salt2 = be.Uint32(b[16:]), be.Uint32(b[20:])
	h.Sum1, h.Sum2 = be.Uint32(b[24:]), be.Uint32(b[28:])
	if s1, s2 := checksum(b[:24], 0, 0, h.bigEndian); s1 != h.Sum1 || s2 != h.Sum2 {
		return Header{}, ErrNoLog
	}
	if h.PageSize < 512 || h.PageSize > 65536 || h.PageSize&(h.PageSize-1) != 0 {
		return Header{}, ErrNoLog
	}
	return h, nil
}

// FrameFunc receives one frame: its page number and content (valid only during the call),
// and, for the last frame of a transaction, the database size in pages after it (0 for
// other frames).
type FrameFunc func(pgno uint32, page []byte, commit uint32) error

// Scan calls fn for each valid frame after from, in order, and returns the cursor after the
// last commit frame it read (from itself when there was none). Frames after the last
// commit belong to a transaction not yet committed: fn has seen them, and must drop them.
func Scan(r io.ReaderAt, h Header, from Cursor, fn FrameFunc) (Cursor, error) {
	var s Scanner
	return s.Scan(r, h, from, fn)
}

// Scanner is Scan with a read buffer kept between calls. The zero value is ready to use; it
// is not safe for concurrent use.
type Scanner struct {
	buf []byte
}

// Scan is the package's Scan.
func (s *Scanner) Scan(r io.ReaderAt, h Header, from Cursor, fn FrameFunc) (Cursor, error) {
	frameSize := int64(FrameHeaderSize + h.PageSize)
	end := from
	cur := from
	// Read a few frames first and more once they prove valid: past the end of the log the
	// file holds stale frames of earlier generations, which should not be copied in bulk.
	chunk := int64(4)
	for {
		if need := int(frameSize * chunk); cap(s.buf) < need {
			s.buf = make([]byte, need)
		}
		buf := s.buf[:frameSize*chunk]
		n, err := r.ReadAt(buf, HeaderSize+int64(cur.Frame)*frameSize)
		if err != nil && !errors.Is(err, io.EOF) {
			return end, err
		}
		frames := int64(n) / frameSize
		for i := range frames {
			f := buf[i*frameSize : (i+1)*frameSize]
			be := binary.BigEndian
			pgno, commit := be.Uint32(f[0:]), be.Uint32(f[4:])
			if be.Uint32(f[8:]) != h.Salt1 || be.Uint32(f[12:]) != h.Salt2 || pgno == 0 {
				return end, nil
			}
			s1, s2 := checksum(f[:8], cur.Sum1, cur.Sum2, h.bigEndian)
			s1, s2 = checksum(f[FrameHeaderSize:], s1, s2, h.bigEndian)
			if s1 != be.Uint32(f[16:]) || s2 != be.Uint32(f[20:]) {
				return end, nil
			}
			cur.Frame++
			cur.Sum1, cur.Sum2 = s1, s2
			if err := fn(pgno, f[FrameHeaderSize:], commit); err != nil {
				return end, err
			}
			if commit != 0 {
				end = cur
			}
		}
		if frames < chunk {
			return end, nil
		}
		chunk = min(chunk*4, 256)
	}
}

// checksum continues SQLite's WAL checksum over b, whose length is a multiple of 8.
func checksum(b []byte, s1, s2 uint32, bigEndian bool) (uint32, uint32) {
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	for i := 0; i+8 <= len(b); i += 8 {
		s1 += order.Uint32(b[i:]) + s2
		s2 += order.Uint32(b[i+4:]) + s1
	}
	return s1, s2
}
