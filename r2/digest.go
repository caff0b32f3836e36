package r2

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io"
	"sync"
)

type digestAlg int

const (
	algMD5 digestAlg = iota
	algSHA1
	algSHA256
	algSHA384
	algSHA512
)

func (a digestAlg) name() string {
	return [...]string{"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"}[a]
}

func (a digestAlg) size() int { return [...]int{16, 20, 32, 48, 64}[a] }

func (a digestAlg) new() hash.Hash {
	switch a {
	case algSHA1:
		return sha1.New()
	case algSHA256:
		return sha256.New()
	case algSHA384:
		return sha512.New384()
	case algSHA512:
		return sha512.New()
	}
	return md5.New()
}

func (a digestAlg) set(c *Checksums, sum []byte) {
	h := hex.EncodeToString(sum)
	switch a {
	case algMD5:
		c.MD5 = h
	case algSHA1:
		c.SHA1 = h
	case algSHA256:
		c.SHA256 = h
	case algSHA384:
		c.SHA384 = h
	case algSHA512:
		c.SHA512 = h
	}
}

// copyBufs pools the buffers bodies are streamed through: puts never hold more than one
// buffer of a body in memory, however large the body.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// ingest streams r into w through a pooled buffer, hashing as it goes: MD5 always, plus
// extra when set. It stops with ErrEntityTooLarge after limit bytes.
func ingest(w io.Writer, r io.Reader, limit int64, extra hash.Hash) (n int64, md5sum []byte, err error) {
	m := md5.New()
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	if r == nil {
		return 0, m.Sum(nil), nil
	}
	for {
		k, rerr := r.Read(buf)
		if k > 0 {
			n += int64(k)
			if n > limit {
				return n, nil, ErrEntityTooLarge
			}
			chunk := buf[:k]
			m.Write(chunk)
			if extra != nil {
				extra.Write(chunk)
			}
			if _, werr := w.Write(chunk); werr != nil {
				return n, nil, werr
			}
		}
		if rerr == io.EOF {
			return n, m.Sum(nil), nil
		}
		if rerr != nil {
			return n, nil, rerr
		}
	}
}
