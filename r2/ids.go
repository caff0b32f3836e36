package r2

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
)

// NewVersion returns a fresh object version: 32 lowercase hex characters (R2-006).
func NewVersion() string { return randomHex(16) }

// NewBlobID returns a fresh blob name for drivers: 32 lowercase hex characters, so a blob
// file's name never derives from a key.
func NewBlobID() string { return randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newUploadID returns an opaque, URL-safe multipart upload id.
func newUploadID() string {
	b := make([]byte, 48)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newPartETag returns a part's opaque etag: random, not the part's MD5 (R2-047).
func newPartETag() string { return randomHex(16) }
