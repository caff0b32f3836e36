// Package bookmark writes and reads D1 bookmarks: positions in a database's commit history in
// the platform's shape, "00000000-00000000-0000002a-<32 hex>". The first three groups are a
// commit sequence number in hex (most significant first), so bookmarks sort
// lexicographically from oldest to newest; the last group is a keyed hash of the number,
// so that a bookmark of one database is not taken for one of another.
package bookmark

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Len is the length of every bookmark.
const Len = 8 + 1 + 8 + 1 + 8 + 1 + 32

// ErrInvalid is returned by Parse for a string that is not a bookmark of this database.
var ErrInvalid = errors.New("invalid bookmark")

// Format returns the bookmark of commit seq in the database identified by key.
func Format(key []byte, seq uint64) string {
	sum := tag(key, seq)
	return fmt.Sprintf("%08x-%08x-%08x-%s", 0, seq>>32, seq&0xffffffff, hex.EncodeToString(sum[:16]))
}

// Parse returns the commit sequence number of bookmark s, checking that s belongs to the
// database identified by key.
func Parse(key []byte, s string) (uint64, error) {
	if !Valid(s) {
		return 0, ErrInvalid
	}
	var hi0, hi, lo uint64
	if _, err := fmt.Sscanf(s[:26], "%08x-%08x-%08x", &hi0, &hi, &lo); err != nil || hi0 != 0 {
		return 0, ErrInvalid
	}
	seq := hi<<32 | lo
	sum := tag(key, seq)
	if s[27:] != hex.EncodeToString(sum[:16]) {
		return 0, ErrInvalid
	}
	return seq, nil
}

// Valid reports whether s has the shape of a bookmark (lower-case hex groups of 8, 8, 8 and
// 32 digits joined by dashes), without checking which database it belongs to.
func Valid(s string) bool {
	if len(s) != Len {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 17 || i == 26 {
			if c != '-' {
				return false
			}
			continue
		}
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func tag(key []byte, seq uint64) [32]byte {
	h := sha256.New()
	h.Write([]byte("d1-bookmark\x00"))
	h.Write(key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	h.Write(b[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}
