package s3api

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Payload modes of x-amz-content-sha256 besides a literal hash.
const (
	streamingSigned         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTraler = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// body returns the request's payload, decoded from aws-chunked when the client streamed
// it, and verified as it is read: its signed SHA-256, its chunk signatures and any
// x-amz-checksum-* header or trailer. A failed check surfaces as a read error carrying
// the S3 error, so a put that reads it writes nothing.
func body(r *http.Request, a *auth) (io.Reader, *Error) {
	var rd io.Reader = r.Body
	if r.Body == nil {
		rd = http.NoBody
	}
	var sum *checksum
	switch p := a.payloadHash; p {
	case unsignedBody:
	case streamingSigned, streamingSignedTrailer, streamingUnsignedTraler:
		c := &chunked{br: bufio.NewReaderSize(rd, 64<<10), a: a, prev: a.signature,
			signed: p != streamingUnsignedTraler, trailer: p != streamingSigned}
		if c.trailer {
			name := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Amz-Trailer")))
			if name != "" {
				alg, ok := checksumAlgs[name]
				if !ok {
					return nil, invalidArgument("Unsupported trailer " + name)
				}
				c.sum = &checksum{name: name, h: alg()}
			}
		}
		if c.signed {
			c.chunkHash = sha256.New()
		}
		rd = c
	default:
		if len(p) != 64 || strings.Trim(p, "0123456789abcdef") != "" {
			return nil, invalidArgument("Invalid x-amz-content-sha256 value")
		}
		want, _ := hex.DecodeString(p)
		rd = &verifying{r: rd, h: sha256.New(), want: want, fail: errPayloadMismatch}
	}
	// A checksum header covers the decoded payload.
	for name, alg := range checksumAlgs {
		if v := r.Header.Get(name); v != "" {
			want, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, invalidArgument("Invalid " + name + " header")
			}
			sum = &checksum{name: name, h: alg(), want: want}
			rd = &verifying{r: rd, h: sum.h, want: want,
				fail: newErr(400, "BadDigest", "The "+strings.ToUpper(strings.TrimPrefix(name, "x-amz-checksum-"))+" you specified did not match the calculated checksum.")}
			break
		}
	}
	return rd, nil
}

// checksumAlgs are the flexible checksums S3 clients send, by header name.
var checksumAlgs = map[string]func() hash.Hash{
	"x-amz-checksum-crc32":     func() hash.Hash { return crc32.NewIEEE() },
	"x-amz-checksum-crc32c":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"x-amz-checksum-crc64nvme": func() hash.Hash { return crc64.New(crc64NVME()) },
	"x-amz-checksum-sha1":      sha1.New,
	"x-amz-checksum-sha256":    sha256.New,
}

// crc64NVME is CRC-64/NVME's table (reflected polynomial 0x9a6c9329ac4bc9b5), made on first
// use: MakeTable also builds the package's own tables, work a process that never checks a
// CRC-64 should not do at start.
var crc64NVME = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(0x9a6c9329ac4bc9b5) })

type checksum struct {
	name string
	h    hash.Hash
	want []byte
}

// sumBytes is the digest as S3 encodes it: the big-endian value for CRCs.
func sumBytes(h hash.Hash) []byte {
	switch v := h.(type) {
	case hash.Hash32:
		return binary.BigEndian.AppendUint32(nil, v.Sum32())
	case hash.Hash64:
		return binary.BigEndian.AppendUint64(nil, v.Sum64())
	}
	return h.Sum(nil)
}

// verifying hashes what passes through and fails at EOF on a mismatch.
type verifying struct {
	r    io.Reader
	h    hash.Hash
	want []byte
	fail *Error
}

func (v *verifying) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF && !bytes.Equal(sumBytes(v.h), v.want) {
		return n, v.fail
	}
	return n, err
}

// chunked decodes aws-chunked: "<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n" up to
// a zero-size chunk, then optional trailers and an empty line. Signed chunks chain their
// signatures from the request's.
type chunked struct {
	br        *bufio.Reader
	a         *auth
	prev      string
	signed    bool
	trailer   bool
	left      int64
	started   bool
	chunkSig  string
	chunkHash hash.Hash
	sum       *checksum
	err       error
}

var errChunk = newErr(400, "IncompleteBody", "The request body is not valid aws-chunked encoding.")

func chunkSigMismatch() *Error {
	return newErr(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your secret access key and signing method.")
}

func (c *chunked) Read(p []byte) (int, error) {
	for c.err == nil && c.left == 0 {
		c.err = c.nextChunk()
	}
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.br.Read(p[:min(int64(len(p)), c.left)])
	c.left -= int64(n)
	if c.chunkHash != nil {
		c.chunkHash.Write(p[:n])
	}
	if c.sum != nil {
		c.sum.h.Write(p[:n])
	}
	if err == io.EOF {
		err = errChunk
	}
	if err != nil {
		c.err = err
	}
	return n, nil
}

// nextChunk ends the current chunk and reads the next header, or the end.
func (c *chunked) nextChunk() error {
	if c.started {
		if err := c.expect("\r\n"); err != nil {
			return err
		}
		if err := c.checkChunk(); err != nil {
			return err
		}
	}
	c.started = true
	line, err := c.line()
	if err != nil {
		return err
	}
	size, ext, _ := strings.Cut(line, ";")
	n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
	if err != nil || n < 0 {
		return errChunk
	}
	c.chunkSig = ""
	if sig, ok := strings.CutPrefix(strings.TrimSpace(ext), "chunk-signature="); ok {
		c.chunkSig = sig
	}
	if c.signed && c.chunkSig == "" {
		return errChunk
	}
	if c.chunkHash != nil {
		c.chunkHash.Reset()
	}
	if n > 0 {
		c.left = n
		return nil
	}
	if err := c.checkChunk(); err != nil {
		return err
	}
	return c.finish()
}

// checkChunk verifies the signature of the chunk just read.
func (c *chunked) checkChunk() error {
	if !c.signed {
		return nil
	}
	toSign := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.a.amzDate + "\n" + c.a.scope + "\n" + c.prev + "\n" +
		emptySHA256 + "\n" + hex.EncodeToString(c.chunkHash.Sum(nil))
	sig := hex.EncodeToString(hmacSHA256(c.a.key, toSign))
	if sig != c.chunkSig {
		return chunkSigMismatch()
	}
	c.prev = sig
	return nil
}

// finish reads the trailers after the last chunk and checks them.
func (c *chunked) finish() error {
	var canonical strings.Builder
	trailerSig := ""
	for {
		line, err := c.line()
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return errChunk
		}
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if name == "x-amz-trailer-signature" {
			trailerSig = value
			continue
		}
		canonical.WriteString(name + ":" + value + "\n")
		if c.sum != nil && name == c.sum.name {
			want, err := base64.StdEncoding.DecodeString(value)
			if err != nil {
				return invalidArgument("Invalid " + name + " trailer")
			}
			c.sum.want = want
		}
	}
	if c.signed && c.trailer {
		toSign := "AWS4-HMAC-SHA256-TRAILER\n" + c.a.amzDate + "\n" + c.a.scope + "\n" + c.prev + "\n" +
			sha256Hex(canonical.String())
		if hex.EncodeToString(hmacSHA256(c.a.key, toSign)) != trailerSig {
			return chunkSigMismatch()
		}
	}
	if c.sum != nil && c.sum.want != nil && !bytes.Equal(sumBytes(c.sum.h), c.sum.want) {
		return newErr(400, "BadDigest", "The "+strings.ToUpper(strings.TrimPrefix(c.sum.name, "x-amz-checksum-"))+" you specified did not match the calculated checksum.")
	}
	return io.EOF
}

func (c *chunked) expect(s string) error {
	buf := make([]byte, len(s))
	if _, err := io.ReadFull(c.br, buf); err != nil || string(buf) != s {
		return errChunk
	}
	return nil
}

// line reads one CRLF-terminated line of at most 4 KiB.
func (c *chunked) line() (string, error) {
	var b []byte
	for {
		part, isPrefix, err := c.br.ReadLine()
		if err != nil {
			return "", errChunk
		}
		b = append(b, part...)
		if len(b) > 4096 {
			return "", errChunk
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}
