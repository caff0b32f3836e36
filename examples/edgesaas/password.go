package main

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

// pbkdf2Iterations is the most the platform's Web Crypto accepts for PBKDF2, so hashes made
// here verify there and the other way round.
const pbkdf2Iterations = 100_000

// hashPassword returns "pbkdf2-sha256$<iterations>$<salt>$<hash>" with a fresh salt.
func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("pbkdf2-sha256$%d$%x$%x", pbkdf2Iterations, salt, key), nil
}

// checkPassword reports whether password matches stored, comparing in constant time.
func checkPassword(stored, password string) bool {
	var iter int
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	if _, err := fmt.Sscan(parts[1], &iter); err != nil {
		return false
	}
	salt, err1 := hex.DecodeString(parts[2])
	want, err2 := hex.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}
