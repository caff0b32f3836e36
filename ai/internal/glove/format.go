package glove

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The artifact layout, little-endian:
//
//	magic   [4]byte  "FGLV"
//	version uint8    1
//	dims    uint16
//	count   uint32
//	wordsN  uint32   length of the word block
//	words   [wordsN]byte   count words joined by '\n', most frequent first
//	scales  [count]float32 per-vector scale: value = scale * int8
//	vectors [count*dims]int8
//	common  [dims]float32  unit "common discourse" direction removed from sentence vectors
//
// Words are stored in the corpus-frequency order of the source, which is what the
// sentence weighting reads frequencies from.
const (
	magic   = "FGLV"
	version = 1
)

// Artifact is the decoded content of a model file, as the generator writes it.
type Artifact struct {
	Dims    int
	Words   []string
	Scales  []float32
	Vectors []int8 // len(Words)*Dims
	Common  []float32
}

// Encode writes a in the artifact layout.
func (a *Artifact) Encode() ([]byte, error) {
	if a.Dims <= 0 || a.Dims > math.MaxUint16 {
		return nil, fmt.Errorf("glove: dims %d out of range", a.Dims)
	}
	n := len(a.Words)
	if len(a.Scales) != n || len(a.Vectors) != n*a.Dims || len(a.Common) != a.Dims {
		return nil, errors.New("glove: artifact sections disagree in size")
	}
	var words bytes.Buffer
	for i, w := range a.Words {
		if w == "" || bytes.IndexByte([]byte(w), '\n') >= 0 {
			return nil, fmt.Errorf("glove: word %d (%q) is empty or holds a newline", i, w)
		}
		if i > 0 {
			words.WriteByte('\n')
		}
		words.WriteString(w)
	}
	var out bytes.Buffer
	out.WriteString(magic)
	out.WriteByte(version)
	le := binary.LittleEndian
	out.Write(le.AppendUint16(nil, uint16(a.Dims)))
	out.Write(le.AppendUint32(nil, uint32(n)))
	out.Write(le.AppendUint32(nil, uint32(words.Len())))
	out.Write(words.Bytes())
	for _, s := range a.Scales {
		out.Write(le.AppendUint32(nil, math.Float32bits(s)))
	}
	for _, v := range a.Vectors {
		out.WriteByte(byte(v))
	}
	for _, c := range a.Common {
		out.Write(le.AppendUint32(nil, math.Float32bits(c)))
	}
	return out.Bytes(), nil
}
