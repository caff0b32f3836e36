package s3api

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The streaming example of the S3 documentation ("Signature calculations for the
// Authorization header: transferring payload in multiple chunks"): 66,560 bytes of 'a'
// in a 65,536-byte chunk and a 1,024-byte chunk.
func exampleChunks(sig1, sig2, sigFinal string) string {
	var b strings.Builder
	b.WriteString("10000;chunk-signature=" + sig1 + "\r\n" + strings.Repeat("a", 65536) + "\r\n")
	b.WriteString("400;chunk-signature=" + sig2 + "\r\n" + strings.Repeat("a", 1024) + "\r\n")
	b.WriteString("0;chunk-signature=" + sigFinal + "\r\n\r\n")
	return b.String()
}

func exampleAuth() *auth {
	return &auth{
		key:       signingKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3"),
		amzDate:   "20130524T000000Z",
		scope:     "20130524/us-east-1/s3/aws4_request",
		signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
	}
}

func TestChunkedSignedExample(t *testing.T) {
	a := exampleAuth()
	body := exampleChunks(
		"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")
	c := &chunked{br: bufio.NewReader(strings.NewReader(body)), a: a, prev: a.signature, signed: true, chunkHash: sha256.New()}
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, strings.Repeat("a", 66560), string(got))

	// One flipped chunk signature fails the read before its end.
	bad := strings.Replace(body, "0055627c", "1055627c", 1)
	c = &chunked{br: bufio.NewReader(strings.NewReader(bad)), a: a, prev: a.signature, signed: true, chunkHash: sha256.New()}
	_, err = io.ReadAll(c)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "SignatureDoesNotMatch", e.Code)
}

func TestChunkedUnsignedTrailer(t *testing.T) {
	data := "hello, trailing checksum"
	sum := crc32.ChecksumIEEE([]byte(data))
	crc := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	body := "5\r\nhello\r\n13\r\n, trailing checksum\r\n0\r\nx-amz-checksum-crc32:" + crc + "\r\n\r\n"
	mk := func(s string) *chunked {
		return &chunked{br: bufio.NewReader(strings.NewReader(s)), a: &auth{}, trailer: true,
			sum: &checksum{name: "x-amz-checksum-crc32", h: crc32.NewIEEE()}}
	}
	got, err := io.ReadAll(mk(body))
	require.NoError(t, err)
	require.Equal(t, data, string(got))

	_, err = io.ReadAll(mk(strings.Replace(body, crc, "AAAAAA==", 1)))
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "BadDigest", e.Code)

	_, err = io.ReadAll(mk("5\r\nhel"))
	require.True(t, errors.As(err, &e))
	require.Equal(t, "IncompleteBody", e.Code)
}

// CRC-64/NVME's check value.
func TestCRC64NVME(t *testing.T) {
	h := checksumAlgs["x-amz-checksum-crc64nvme"]()
	h.Write([]byte("123456789"))
	require.Equal(t, []byte{0xae, 0x8b, 0x14, 0x86, 0x0a, 0x79, 0x98, 0x88}, sumBytes(h))
	require.True(t, bytes.Equal(sumBytes(h), sumBytes(h)))
}
