package r2

import (
	"encoding/hex"
	"strconv"
	"unicode/utf8"
)

// Limits from the platform's documentation.
const (
	// MaxKeyLength is the longest key, in UTF-8 bytes (R2-002).
	MaxKeyLength = 1024
	// MaxListLimit is the largest page List returns (R2-031).
	MaxListLimit = 1000
	// MaxPutSize is the largest single upload: a Put or one part (R2-043).
	MaxPutSize = 5<<30 - 5<<20
	// MaxParts is the most parts a multipart upload holds (R2-059).
	MaxParts = 10000
	// MinPartSize is the smallest non-final part (R2-052).
	MinPartSize = 5 << 20
	// MetadataLimit is the platform's documented object metadata size (R2-015).
	MetadataLimit = 8192
	// MiniflareMetadataLimit is the local simulator's custom metadata cap.
	MiniflareMetadataLimit = 2048
)

// checkKey enforces the key rules every operation shares (R2-002, R2-003): at most
// MaxKeyLength bytes of valid UTF-8. The empty key is valid.
func checkKey(op, key string) error {
	if len(key) > MaxKeyLength || !utf8.ValidString(key) {
		return withOp(ErrInvalidObjectName, op)
	}
	return nil
}

// metadataSize measures custom metadata. The default counts UTF-8 bytes of every key and
// value against the documented 8,192-byte limit; the Miniflare rule counts UTF-16 code
// units, doubled for a string holding any unit >= 256 (R2-015).
func (b *Bucket) checkMetadata(op string, m map[string]string) error {
	limit := b.opts.MetadataLimit
	if limit == 0 {
		limit = MetadataLimit
	}
	if limit < 0 {
		return nil
	}
	n := 0
	for k, v := range m {
		if b.opts.MiniflareMetadataRule {
			n += utf16Size(k) + utf16Size(v)
		} else {
			n += len(k) + len(v)
		}
	}
	if n > limit {
		return withOp(ErrMetadataTooLarge, op)
	}
	return nil
}

func utf16Size(s string) int {
	units, wide := 0, false
	for _, r := range s {
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		if r >= 256 {
			wide = true
		}
	}
	if wide {
		return units * 2
	}
	return units
}

func (b *Bucket) storageClass(s string) (string, error) {
	switch s {
	case "":
		if b.opts.DefaultStorageClass != "" {
			return b.opts.DefaultStorageClass, nil
		}
		return StorageStandard, nil
	case StorageStandard, StorageInfrequentAccess:
		return s, nil
	}
	return "", typeError("Unsupported storage class: " + s)
}

// checkSSEC checks an SSE-C key's shape (R2-042).
func checkSSEC(key string) error {
	if key == "" {
		return nil
	}
	if len(key) == 64 {
		if _, err := hex.DecodeString(key); err == nil {
			return nil
		}
	}
	if len(key) == 32 {
		return nil
	}
	return plainError("SSE-C Key must be 32 bytes in length")
}

// wantedDigest is the checksum a put asked to verify.
type wantedDigest struct {
	alg  digestAlg
	want []byte
}

// requestedDigest validates the hash options (R2-017): at most one, of the right length,
// valid hex.
func requestedDigest(o *PutOptions) (*wantedDigest, error) {
	if o == nil {
		return nil, nil
	}
	var got *wantedDigest
	for _, c := range []struct {
		alg digestAlg
		hex string
	}{{algMD5, o.MD5}, {algSHA1, o.SHA1}, {algSHA256, o.SHA256}, {algSHA384, o.SHA384}, {algSHA512, o.SHA512}} {
		if c.hex == "" {
			continue
		}
		if got != nil {
			return nil, typeError("You cannot specify multiple hashing algorithms.")
		}
		name := c.alg.name()
		if len(c.hex) != c.alg.size()*2 {
			return nil, typeError(name + " is " + strconv.Itoa(c.alg.size()*2) +
				" hex characters, not " + strconv.Itoa(len(c.hex)))
		}
		b, err := hex.DecodeString(c.hex)
		if err != nil {
			return nil, typeError("Provided " + name + " wasn't a valid hex string")
		}
		got = &wantedDigest{alg: c.alg, want: b}
	}
	return got, nil
}
