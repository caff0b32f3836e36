package queues

import (
	"crypto/rand"
	"encoding/hex"
)

// newID returns a message id: 32 lowercase hex digits, as the local simulator makes them.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
