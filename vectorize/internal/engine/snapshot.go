package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"
)

// The snapshot format, little-endian throughout:
//
//	magic "FGVZSNP1"
//	header: dims u32, metric u8, M u32, seq u64, nodes u32, entry i64, maxLevel u32
//	namespaces: count u32, then each: len u16, bytes
//	columns: count u32, then each: name (u16 len, bytes), type u8, created u64,
//	         then per node: kind u8 and its payload (string: u16 len + bytes; number: f64; bool: u8)
//	tombstones: count u32, then each: id (u8 len, bytes), seq u64
//	nodes: each: id (u8 len, bytes), ns u32, seq u64, dead u8, level u8,
//	       then per level: count u16, u32 links
//	padding: zeros up to a multiple of 64 bytes from the start
//	vectors: nodes × dims f32, in node order
//	trailer: CRC-32C of everything before it, u32
//
// Vectors come last and aligned, so that a snapshot mapped into memory serves its vectors in
// place: opening a large index then costs about as much as checking the file, not copying it.
const snapMagic = "FGVZSNP2"

// maxSnapshotNodes bounds the node count a snapshot may claim (twice the platform's
// per-index limit, leaving room for replaced vectors).
const maxSnapshotNodes = 10_000_000

// castagnoli is the CRC-32C table of snapshot checksums, made on first use, not at start.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// ErrCorrupt is returned by Load for a snapshot that fails its checks.
var ErrCorrupt = errors.New("engine: corrupt snapshot")

// Save writes a snapshot of the engine. Writers wait while it runs; queries do not. seq is
// called once no write is in flight and returns the sequence number the snapshot covers:
// every write at or below it is in the snapshot (the owner replays later ones on Load).
func (e *Engine) Save(w io.Writer, seq func() uint64) error {
	e.writers.Lock()
	defer e.writers.Unlock()
	e.mu.RLock()
	defer e.mu.RUnlock()
	crc := crc32.New(castagnoli())
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<20)
	s := &sw{w: bw}
	nodes := *e.nodes.Load()
	s.bytes([]byte(snapMagic))
	s.u32(uint32(e.dims))
	s.u8(uint8(e.metric))
	s.u32(uint32(e.opt.M))
	s.u64(seq())
	s.u32(uint32(len(nodes)))
	s.u64(uint64(e.entry))
	s.u32(uint32(e.maxLevel))
	s.u32(uint32(len(e.nsNames)))
	for _, ns := range e.nsNames {
		s.str16(ns)
	}
	s.u32(uint32(len(e.cols)))
	for name, c := range e.cols {
		s.str16(name)
		s.u8(uint8(c.typ))
		s.u64(c.created)
		for _, v := range c.vals {
			s.u8(uint8(v.k))
			switch v.k {
			case kString:
				s.str16(v.s)
			case kNumber:
				s.u64(math.Float64bits(v.f))
			case kBool:
				s.bool(v.b)
			}
		}
	}
	s.u32(uint32(len(e.tomb)))
	for id, seq := range e.tomb {
		s.str8(id)
		s.u64(seq)
	}
	for i, n := range nodes {
		s.str8(n.id)
		s.u32(n.ns)
		s.u64(n.seq)
		s.bool(n.dead.Load())
		s.u8(uint8(n.level))
		for l := range n.links {
			links := e.neighbors(uint32(i), l)
			s.u16(uint16(len(links)))
			for _, x := range links {
				s.u32(x)
			}
		}
	}
	if pad := (64 - s.n%64) % 64; pad > 0 {
		s.bytes(make([]byte, pad))
	}
	for _, n := range nodes {
		s.floats(n.vec)
	}
	if s.err != nil {
		return s.err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	var tail [4]byte
	binary.LittleEndian.PutUint32(tail[:], crc.Sum32())
	_, err := w.Write(tail[:])
	return err
}

// Load reads a snapshot written by Save and returns the engine and the sequence number it
// covers. dims and metric must match the snapshot's.
func Load(r io.Reader, dims int, metric Metric, opt Options) (*Engine, uint64, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, err
	}
	return LoadBytes(b, dims, metric, opt)
}

// LoadBytes is Load from a snapshot held in memory, typically a read-only mapping of the
// file: the vectors are used in place (on little-endian machines), so b must stay mapped and
// unchanged for as long as the engine is used.
func LoadBytes(b []byte, dims int, metric Metric, opt Options) (*Engine, uint64, error) {
	if len(b) < len(snapMagic)+4 {
		return nil, 0, fmt.Errorf("%w: too short", ErrCorrupt)
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli()) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	s := &sr{b: body}
	if string(s.bytes(len(snapMagic))) != snapMagic {
		return nil, 0, fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	if d, m := int(s.u32()), Metric(s.u8()); s.err == nil && (d != dims || m != metric) {
		return nil, 0, fmt.Errorf("%w: snapshot is %d dims metric %d, index is %d dims metric %d", ErrCorrupt, d, m, dims, metric)
	}
	opt.M = int(s.u32())
	e := New(dims, metric, opt)
	seq := s.u64()
	count := int(s.u32())
	e.entry = int64(s.u64())
	e.maxLevel = int(s.u32())
	nns := int(s.u32())
	if s.err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrCorrupt, s.err)
	}
	// Bounds before allocating by counts read from the file.
	if count > maxSnapshotNodes || nns > count+1 || e.maxLevel > 64 || opt.M < 2 || opt.M > 1024 {
		return nil, 0, fmt.Errorf("%w: header out of range", ErrCorrupt)
	}
	e.nsNames = make([]string, 0, nns)
	for range nns {
		name := s.str16()
		e.nsIDs[name] = uint32(len(e.nsNames))
		e.nsNames = append(e.nsNames, name)
	}
	e.nsCount = make([]int, nns)
	e.nsMembers = make([][]uint32, nns)
	ncols := int(s.u32())
	if ncols > 1024 {
		return nil, 0, fmt.Errorf("%w: header out of range", ErrCorrupt)
	}
	for range ncols {
		if s.err != nil {
			break
		}
		name := s.str16()
		c := newColumn(kind(s.u8()), s.u64(), count)
		for i := range c.vals {
			v := value{k: kind(s.u8())}
			switch v.k {
			case kString:
				v.s = s.str16()
			case kNumber:
				v.f = math.Float64frombits(s.u64())
			case kBool:
				v.b = s.bool()
			}
			c.vals[i] = v
			if v.k != kNone {
				c.post[v] = append(c.post[v], uint32(i))
			}
		}
		e.cols[name] = c
	}
	ntomb := int(s.u32())
	for range ntomb {
		if s.err != nil {
			break
		}
		id := s.str8()
		e.tomb[id] = s.u64()
	}
	nodes := make([]*node, count)
	cs := make([]*chunk, (count+vecChunk-1)/vecChunk)
	for c := range cs {
		cs[c] = &chunk{}
	}
	e.chunks.Store(&cs)
	e.nodes.Store(&nodes) // for setLinks; the loop fills it before anyone else sees it
	for i := range nodes {
		if s.err != nil {
			break
		}
		n := &node{id: s.str8(), ns: s.u32(), seq: s.u64()}
		n.dead.Store(s.bool())
		n.level = int32(s.u8())
		n.links = make([]atomic.Pointer[[]uint32], n.level+1)
		nodes[i] = n
		for l := range n.links {
			links := make([]uint32, int(s.u16()))
			for j := range links {
				links[j] = s.u32()
			}
			if len(links) > e.maxLinks(l) {
				return nil, 0, fmt.Errorf("%w: too many links", ErrCorrupt)
			}
			e.setLinks(uint32(i), l, links)
		}
		if int(n.ns) >= nns {
			return nil, 0, fmt.Errorf("%w: namespace out of range", ErrCorrupt)
		}
		e.nsMembers[n.ns] = append(e.nsMembers[n.ns], uint32(i))
		e.nsOf = append(e.nsOf, n.ns)
		if int(i/64) >= len(e.deadOf) {
			e.deadOf = append(e.deadOf, 0)
		}
		if n.dead.Load() {
			e.deadOf.set(uint32(i))
			cs[i/vecChunk].dead[(i%vecChunk)/64].Or(1 << (i % 64))
		}
		if !n.dead.Load() {
			e.ids[n.id] = uint32(i)
			e.live++
			e.nsCount[n.ns]++
		}
		e.maxSeq = max(e.maxSeq, n.seq)
		nodes[i] = n
	}
	s.skip((64 - s.off%64) % 64)
	chunks := s.vectorChunks(count, dims)
	if s.err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrCorrupt, s.err)
	}
	if s.off != len(body) {
		return nil, 0, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(body)-s.off)
	}
	e.vecs.Store(&chunks)
	for i, n := range nodes {
		if n != nil {
			n.vec = e.vec(uint32(i))
		}
	}
	for i, n := range nodes {
		for l := range n.links {
			for _, x := range e.neighbors(uint32(i), l) {
				if int(x) >= count {
					return nil, 0, fmt.Errorf("%w: link out of range", ErrCorrupt)
				}
			}
		}
	}
	if e.entry >= int64(count) || count == 0 && e.entry != -1 {
		return nil, 0, fmt.Errorf("%w: entry out of range", ErrCorrupt)
	}
	e.maxSeq = max(e.maxSeq, seq)
	e.nodes.Store(&nodes)
	return e, seq, nil
}

// PruneTombstones forgets deletes at or below seq: once every write up to seq is applied, no
// older write can arrive that a tombstone would have to refuse.
func (e *Engine) PruneTombstones(seq uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id, t := range e.tomb {
		if t <= seq {
			delete(e.tomb, id)
		}
	}
}

var littleEndian = func() bool { x := uint16(1); return *(*byte)(unsafe.Pointer(&x)) == 1 }()

type sw struct {
	w   *bufio.Writer
	buf [8]byte
	n   int
	err error
}

func (s *sw) bytes(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
		s.n += len(b)
	}
}
func (s *sw) u8(v uint8) { s.buf[0] = v; s.bytes(s.buf[:1]) }
func (s *sw) bool(v bool) {
	if v {
		s.u8(1)
	} else {
		s.u8(0)
	}
}
func (s *sw) u16(v uint16) { binary.LittleEndian.PutUint16(s.buf[:], v); s.bytes(s.buf[:2]) }
func (s *sw) u32(v uint32) { binary.LittleEndian.PutUint32(s.buf[:], v); s.bytes(s.buf[:4]) }
func (s *sw) u64(v uint64) { binary.LittleEndian.PutUint64(s.buf[:], v); s.bytes(s.buf[:8]) }
func (s *sw) str8(v string) {
	s.u8(uint8(len(v)))
	s.bytes([]byte(v))
}
func (s *sw) str16(v string) {
	s.u16(uint16(len(v)))
	s.bytes([]byte(v))
}
func (s *sw) floats(v []float32) {
	if littleEndian && len(v) > 0 {
		s.bytes(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*4))
		return
	}
	for _, x := range v {
		s.u32(math.Float32bits(x))
	}
}

// sr reads a snapshot from memory; past the end it records an error and yields zeros.
type sr struct {
	b   []byte
	off int
	err error
}

func (s *sr) take(n int) []byte {
	if s.err != nil || n < 0 || s.off+n > len(s.b) {
		if s.err == nil {
			s.err = io.ErrUnexpectedEOF
		}
		return make([]byte, max(n, 0))
	}
	p := s.b[s.off : s.off+n]
	s.off += n
	return p
}

func (s *sr) skip(n int)         { s.take(n) }
func (s *sr) bytes(n int) []byte { return s.take(n) }
func (s *sr) u8() uint8          { return s.take(1)[0] }
func (s *sr) bool() bool         { return s.u8() != 0 }
func (s *sr) u16() uint16        { return binary.LittleEndian.Uint16(s.take(2)) }
func (s *sr) u32() uint32        { return binary.LittleEndian.Uint32(s.take(4)) }
func (s *sr) u64() uint64        { return binary.LittleEndian.Uint64(s.take(8)) }
func (s *sr) str8() string       { return string(s.take(int(s.u8()))) }
func (s *sr) str16() string      { return string(s.take(int(s.u16()))) }

// vectorChunks returns count vectors as chunks of vecChunk. Full chunks are views of the
// snapshot when its bytes can serve as float32 in place; the last, partial chunk is always a
// copy with room for the vectors written after loading.
func (s *sr) vectorChunks(count, dims int) [][]float32 {
	raw := s.take(count * dims * 4)
	if s.err != nil {
		return nil
	}
	var view []float32
	if littleEndian && len(raw) > 0 && uintptr(unsafe.Pointer(&raw[0]))%4 == 0 {
		view = unsafe.Slice((*float32)(unsafe.Pointer(&raw[0])), count*dims)
	} else {
		view = make([]float32, count*dims)
		for i := range view {
			view[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	}
	chunks := make([][]float32, (count+vecChunk-1)/vecChunk)
	for c := range chunks {
		lo, hi := c*vecChunk*dims, min((c+1)*vecChunk, count)*dims
		if hi-lo == vecChunk*dims {
			chunks[c] = view[lo:hi:hi]
		} else {
			chunks[c] = make([]float32, vecChunk*dims)
			copy(chunks[c], view[lo:hi])
		}
	}
	return chunks
}
