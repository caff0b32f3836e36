package durableobject

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// ID identifies one Durable Object within a namespace (DO-001…DO-006). It is 32 bytes,
// written as 64 lowercase hex digits. The zero ID is not valid; make IDs with
// Namespace.IDFromName, NewUniqueID or IDFromString. IDs are comparable values.
//
// The scheme is the platform's local one (DO-003): the namespace key is SHA-256 of the
// namespace's unique key; a named ID is the first 16 bytes of HMAC-SHA256(key, name) followed
// by the first 16 bytes of HMAC-SHA256(key, those 16 bytes); a unique ID is 16 random bytes
// followed by the same kind of 16-byte MAC. The MAC is what lets IDFromString reject an ID
// minted by another namespace.
type ID struct {
	b    [32]byte
	name string
}

// String returns the 64 lowercase hex digits (DO-002).
func (id ID) String() string { return hex.EncodeToString(id.b[:]) }

// Name is the name the ID was derived from by IDFromName, or "" (DO-001, DO-004).
func (id ID) Name() string { return id.name }

// Equal reports whether two IDs are the same 32 bytes, whatever their names (DO-006).
func (id ID) Equal(other ID) bool { return id.b == other.b }

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id.b == [32]byte{} }

// nsKey derives IDs for one namespace. Its keyed MACs are pooled: making an HMAC costs more
// than using one.
type nsKey struct {
	key  [32]byte
	macs sync.Pool // of hash.Hash keyed with key
}

func newNSKey(uniqueKey string) *nsKey {
	k := &nsKey{key: sha256.Sum256([]byte(uniqueKey))}
	k.macs.New = func() any { return hmac.New(sha256.New, k.key[:]) }
	return k
}

// sum16 is the first 16 bytes of HMAC-SHA256(key, b), written into dst.
func (k *nsKey) sum16(dst, b []byte) {
	m := k.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(b)
	var out [sha256.Size]byte
	copy(dst, m.Sum(out[:0]))
	k.macs.Put(m)
}

func (k *nsKey) fromName(name string) ID {
	var id ID
	k.sum16(id.b[:16], []byte(name))
	k.sum16(id.b[16:], id.b[:16])
	id.name = name
	return id
}

func (k *nsKey) unique() ID {
	var id ID
	rand.Read(id.b[:16])
	k.sum16(id.b[16:], id.b[:16])
	return id
}

func (k *nsKey) valid(id ID) bool {
	var mac [16]byte
	k.sum16(mac[:], id.b[:16])
	return hmac.Equal(id.b[16:], mac[:])
}

// parse validates s as an ID of this namespace (DO-005). Upper-case hex is accepted.
func (k *nsKey) parse(s string) (ID, error) {
	var id ID
	if len(s) != 64 {
		return ID{}, ErrIDFormat
	}
	if _, err := hex.Decode(id.b[:], []byte(s)); err != nil {
		return ID{}, ErrIDFormat
	}
	if !k.valid(id) {
		return ID{}, ErrIDNamespace
	}
	return id, nil
}
