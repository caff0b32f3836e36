package s3api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func nowAmz() string { return time.Now().UTC().Format("20060102T150405Z") }
