package s3api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/s3api"
)

const (
	accessKey = "AKIDLOCALTESTKEY0000"
	secretKey = "local-test-secret-key"
)

type env struct {
	srv   *httptest.Server
	store *r2.Store
	c     *s3.Client
}

func setup(t *testing.T) *env {
	t.Helper()
	store := r2.NewMemoryStore(r2.Options{})
	t.Cleanup(func() { store.Close() })
	_, err := store.Bucket(context.Background(), "bucket")
	require.NoError(t, err)
	h := s3api.New(store, []s3api.Credentials{{AccessKeyID: accessKey, SecretAccessKey: secretKey}},
		&s3api.Options{VirtualHosts: []string{"localhost"}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{srv: srv, store: store, c: client(srv, secretKey, "auto", true)}
}

func client(srv *httptest.Server, secret, region string, pathStyle bool) *s3.Client {
	addr := srv.Listener.Addr().String()
	// Every host name dials the test server, so virtual-hosted names resolve.
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	_, port, _ := net.SplitHostPort(addr)
	return s3.New(s3.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		BaseEndpoint: aws.String("http://localhost:" + port),
		UsePathStyle: pathStyle,
		HTTPClient:   &http.Client{Transport: tr},
	})
}

func (e *env) bucket(t *testing.T) *r2.Bucket {
	b, err := e.store.Lookup(context.Background(), "bucket")
	require.NoError(t, err)
	return b
}

func apiCode(t *testing.T, err error) (string, int) {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	var re interface{ HTTPStatusCode() int }
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

var ctx = context.Background()

// R2-063 (quoted MD5 ETag), R2-065 (NoSuchKey XML, bodiless HEAD errors), R2-066 (delete 204).
func TestSDK_PutGetHeadDelete_R2063_R2065(t *testing.T) {
	e := setup(t)
	data := []byte("0123456789")
	put, err := e.c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("bucket"), Key: aws.String("dir/file.txt"), Body: bytes.NewReader(data),
		ContentType: aws.String("text/markdown"), CacheControl: aws.String("max-age=60"),
		Metadata: map[string]string{"hello": "world"},
	})
	require.NoError(t, err)
	sum := md5.Sum(data)
	require.Equal(t, `"`+hex.EncodeToString(sum[:])+`"`, aws.ToString(put.ETag))

	get, err := e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dir/file.txt")})
	require.NoError(t, err)
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	require.Equal(t, data, got)
	require.Equal(t, "text/markdown", aws.ToString(get.ContentType))
	require.Equal(t, "max-age=60", aws.ToString(get.CacheControl))
	require.Equal(t, map[string]string{"hello": "world"}, get.Metadata)
	require.Equal(t, "bytes", aws.ToString(get.AcceptRanges))

	// The binding sees what the S3 API wrote.
	obj, err := e.bucket(t).Head(ctx, "dir/file.txt")
	require.NoError(t, err)
	require.Equal(t, "text/markdown", obj.HTTPMetadata.ContentType)
	require.Equal(t, map[string]string{"hello": "world"}, obj.CustomMetadata)

	head, err := e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dir/file.txt")})
	require.NoError(t, err)
	require.EqualValues(t, 10, aws.ToInt64(head.ContentLength))

	_, err = e.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dir/file.txt")})
	require.NoError(t, err)
	_, err = e.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dir/file.txt")})
	require.NoError(t, err, "R2-066: deleting a missing key succeeds")

	_, err = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dir/file.txt")})
	code, status := apiCode(t, err)
	require.Equal(t, "NoSuchKey", code)
	require.Equal(t, 404, status)
	_, err = e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dir/file.txt")})
	code, status = apiCode(t, err)
	require.Equal(t, "NotFound", code, "HEAD errors have no body")
	require.Equal(t, 404, status)
}

func TestSDK_SpecialKeys(t *testing.T) {
	e := setup(t)
	for _, key := range []string{"späcial dir/key with spaces+(parens)&'quote.txt", "literal 100%/a%2Bb.txt", "a//b/../c", "~tilde*star!"} {
		_, err := e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Body: strings.NewReader(key)})
		require.NoError(t, err, key)
		get, err := e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
		require.NoError(t, err, key)
		got, _ := io.ReadAll(get.Body)
		get.Body.Close()
		require.Equal(t, key, string(got))
		_, err = e.bucket(t).Head(ctx, key)
		require.NoError(t, err, "stored under the decoded key %q", key)
	}
}

func TestSDK_ListObjects_R2062(t *testing.T) {
	e := setup(t)
	for _, k := range []string{"a", "b/1", "b/2", "c", "d/1", "e"} {
		_, err := e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(k), Body: strings.NewReader(k)})
		require.NoError(t, err)
	}
	var keys, prefixes []string
	p := s3.NewListObjectsV2Paginator(e.c, &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, aws.ToInt32(page.KeyCount), int32(2))
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, cp := range page.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(cp.Prefix))
		}
	}
	require.Equal(t, []string{"a", "c", "e"}, keys)
	require.Equal(t, []string{"b/", "d/"}, prefixes)

	v2, err := e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), StartAfter: aws.String("b/1")})
	require.NoError(t, err)
	require.Equal(t, "b/2", aws.ToString(v2.Contents[0].Key))

	// ListObjects (v1) pages with markers, common prefixes included.
	keys, prefixes = nil, nil
	marker := ""
	for range 10 {
		page, err := e.c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bucket"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), Marker: aws.String(marker)})
		require.NoError(t, err)
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, cp := range page.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		marker = aws.ToString(page.NextMarker)
	}
	require.Equal(t, []string{"a", "c", "e"}, keys)
	require.Equal(t, []string{"b/", "d/"}, prefixes)

	// encoding-type=url, as the aws CLI asks.
	enc, err := e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), Prefix: aws.String("b/"), EncodingType: types.EncodingTypeUrl})
	require.NoError(t, err)
	require.Equal(t, "b%2F1", aws.ToString(enc.Contents[0].Key))
}

// R2-069: multipart ETag, second complete NoSuchUpload, EntityTooSmall; R2-055 over S3.
func TestSDK_Multipart_R2069(t *testing.T) {
	e := setup(t)
	key := aws.String("big.bin")
	up, err := e.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bucket"), Key: key, ContentType: aws.String("application/x-test")})
	require.NoError(t, err)
	chunks := [][]byte{bytes.Repeat([]byte("a"), 5<<20), bytes.Repeat([]byte("b"), 5<<20), []byte("tail")}
	var parts []types.CompletedPart
	for i, c := range chunks {
		p, err := e.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bucket"), Key: key, UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(c)})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.ETag})
	}
	lp, err := e.c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("bucket"), Key: key, UploadId: up.UploadId})
	require.NoError(t, err)
	require.Len(t, lp.Parts, 3)
	lu, err := e.c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bucket")})
	require.NoError(t, err)
	require.Len(t, lu.Uploads, 1)
	require.Equal(t, aws.ToString(up.UploadId), aws.ToString(lu.Uploads[0].UploadId))

	done, err := e.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bucket"), Key: key,
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
	require.Regexp(t, `^"[0-9a-f]{32}-3"$`, aws.ToString(done.ETag))

	get, err := e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: key, Range: aws.String("bytes=5242878-5242881")})
	require.NoError(t, err)
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	require.Equal(t, "aabb", string(got))
	require.Equal(t, "application/x-test", aws.ToString(get.ContentType))

	_, err = e.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bucket"), Key: key,
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	code, status := apiCode(t, err)
	require.Equal(t, "NoSuchUpload", code)
	require.Equal(t, 404, status)

	// Non-final parts below the minimum.
	small, err := e.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bucket"), Key: key})
	require.NoError(t, err)
	parts = nil
	for i := range 2 {
		p, err := e.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bucket"), Key: key, UploadId: small.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader("tiny")})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.ETag})
	}
	_, err = e.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bucket"), Key: key,
		UploadId: small.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	code, status = apiCode(t, err)
	require.Equal(t, "EntityTooSmall", code)
	require.Equal(t, 400, status)
	_, err = e.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("bucket"), Key: key, UploadId: small.UploadId})
	require.NoError(t, err)
	_, err = e.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bucket"), Key: key,
		UploadId: aws.String("unknown"), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	code, _ = apiCode(t, err)
	require.Equal(t, "NoSuchUpload", code, "R2-055: an unknown upload is NoSuchUpload over S3")
}

func TestSDK_Presigned_R2060(t *testing.T) {
	e := setup(t)
	ps := s3.NewPresignClient(e.c)
	put, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("p.txt")},
		s3.WithPresignExpires(time.Hour))
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPut, put.URL, strings.NewReader("uploaded"))
	for k, v := range put.SignedHeader {
		req.Header[k] = v
	}
	res := do(t, e, req)
	require.Equal(t, 200, res.StatusCode, res.Body)

	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("p.txt")})
	require.NoError(t, err)
	req, _ = http.NewRequest(http.MethodGet, get.URL, nil)
	res = do(t, e, req)
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "uploaded", res.Body)

	// Tampered, expired, and too long.
	req, _ = http.NewRequest(http.MethodGet, strings.Replace(get.URL, "p.txt", "q.txt", 1), nil)
	res = do(t, e, req)
	require.Equal(t, 403, res.StatusCode)
	require.Contains(t, res.Body, "<Code>SignatureDoesNotMatch</Code>")
	require.Contains(t, res.Body, "<CanonicalRequest>")

	old, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("p.txt")},
		s3.WithPresignExpires(time.Minute), func(o *s3.PresignOptions) {
			o.Presigner = signedAt{v4.NewSigner(), time.Now().Add(-time.Hour)}
		})
	require.NoError(t, err)
	req, _ = http.NewRequest(http.MethodGet, old.URL, nil)
	res = do(t, e, req)
	require.Equal(t, 403, res.StatusCode)
	require.Contains(t, res.Body, "<Code>ExpiredRequest</Code>")

	req, _ = http.NewRequest(http.MethodGet, strings.Replace(get.URL, "X-Amz-Expires=900", "X-Amz-Expires=700000", 1), nil)
	res = do(t, e, req)
	require.Equal(t, 400, res.StatusCode)
	require.Contains(t, res.Body, "X-Amz-Expires must be less than a week")
}

// signedAt presigns as of a fixed time.
type signedAt struct {
	s    *v4.Signer
	when time.Time
}

func (p signedAt) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, opts ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return p.s.PresignHTTP(ctx, creds, r, payloadHash, service, region, p.when, opts...)
}

type response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

func do(t *testing.T, e *env, req *http.Request) response {
	t.Helper()
	res, err := e.srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

func TestSDK_BadSignatureRefused_R2060(t *testing.T) {
	e := setup(t)
	bad := client(e.srv, "wrong-secret", "auto", true)
	_, err := bad.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("k")})
	code, status := apiCode(t, err)
	require.Equal(t, "SignatureDoesNotMatch", code)
	require.Equal(t, 403, status)
	var ae smithy.APIError
	errors.As(err, &ae)
	require.Equal(t, "The request signature we calculated does not match the signature you provided. Check your secret access key and signing method.", ae.ErrorMessage())

	unknown := s3.New(s3.Options{Region: "auto", Credentials: credentials.NewStaticCredentialsProvider("UNKNOWN", secretKey, ""),
		BaseEndpoint: aws.String(e.srv.URL), UsePathStyle: true})
	_, err = unknown.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("k")})
	code, status = apiCode(t, err)
	require.Equal(t, "Unauthorized", code)
	require.Equal(t, 401, status)

	res, err := http.Get(e.srv.URL + "/bucket/k")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, 400, res.StatusCode)
	require.Contains(t, string(body), "<Code>InvalidArgument</Code><Message>Authorization</Message>")

	// Skewed clocks are refused.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/bucket/k", nil)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	require.NoError(t, v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey},
		req, "UNSIGNED-PAYLOAD", "s3", "auto", time.Now().Add(-20*time.Minute)))
	r := do(t, e, req)
	require.Equal(t, 403, r.StatusCode)
	require.Contains(t, r.Body, "<Code>RequestTimeTooSkewed</Code>")
}

// R2-060: auto, us-east-1 and the empty region name the same buckets.
func TestRegionAliases_R2060(t *testing.T) {
	e := setup(t)
	for _, region := range []string{"auto", "us-east-1"} {
		c := client(e.srv, secretKey, region, true)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(region), Body: strings.NewReader("x")})
		require.NoError(t, err, region)
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/bucket/auto", nil)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	require.NoError(t, v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey},
		req, "UNSIGNED-PAYLOAD", "s3", "", time.Now()))
	r := do(t, e, req)
	require.Equal(t, 200, r.StatusCode, r.Body)
	require.Equal(t, "x", r.Body)
}

func TestVirtualHostedStyle(t *testing.T) {
	e := setup(t)
	c := client(e.srv, secretKey, "auto", false)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("vh/key"), Body: strings.NewReader("virtual")})
	require.NoError(t, err)
	obj, err := e.bucket(t).Get(ctx, "vh/key", nil)
	require.NoError(t, err)
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	require.Equal(t, "virtual", string(got))
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket")})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1)
}

// R2-067: 304 and 412; R2-070: the binding's conditions seen as S3 statuses.
func TestConditionalRequests_R2067_R2070(t *testing.T) {
	e := setup(t)
	put, err := e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("c"), Body: strings.NewReader("x")})
	require.NoError(t, err)
	_, err = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("c"), IfNoneMatch: put.ETag})
	_, status := apiCode(t, err)
	require.Equal(t, 304, status)
	_, err = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("c"), IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
	code, status := apiCode(t, err)
	require.Equal(t, "PreconditionFailed", code)
	require.Equal(t, 412, status)
	get, err := e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("c"), IfMatch: put.ETag})
	require.NoError(t, err)
	get.Body.Close()
	_, err = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("c"), IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
	_, status = apiCode(t, err)
	require.Equal(t, 304, status)
	_, err = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("c"), IfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))})
	_, status = apiCode(t, err)
	require.Equal(t, 412, status)

	_, err = e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("c"), Body: strings.NewReader("y"), IfNoneMatch: aws.String("*")})
	code, status = apiCode(t, err)
	require.Equal(t, "PreconditionFailed", code)
	require.Equal(t, 412, status)
	_, err = e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("new"), Body: strings.NewReader("y"), IfNoneMatch: aws.String("*")})
	require.NoError(t, err)
}

// R2-068: 206 with Content-Range, suffixes, 416, 400 for malformed, HEAD with Range.
func TestRanges_R2068(t *testing.T) {
	e := setup(t)
	_, err := e.bucket(t).Put(ctx, "r", strings.NewReader("0123456789"), nil)
	require.NoError(t, err)
	get := func(method, rng string) response {
		req, _ := http.NewRequest(method, e.srv.URL+"/bucket/r", nil)
		req.Header.Set("Range", rng)
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		require.NoError(t, v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey},
			req, "UNSIGNED-PAYLOAD", "s3", "auto", time.Now()))
		return do(t, e, req)
	}
	r := get("GET", "bytes=2-4")
	require.Equal(t, 206, r.StatusCode)
	require.Equal(t, "234", r.Body)
	require.Equal(t, "bytes 2-4/10", r.Header.Get("Content-Range"))
	r = get("GET", "bytes=-3")
	require.Equal(t, "789", r.Body)
	require.Equal(t, "bytes 7-9/10", r.Header.Get("Content-Range"))
	r = get("GET", "bytes=7-")
	require.Equal(t, "789", r.Body)
	for _, bad := range []string{"bytes=10-", "bytes=99999-", "bytes=-0"} {
		r = get("GET", bad)
		require.Equal(t, 416, r.StatusCode, bad)
		require.Contains(t, r.Body, "<Code>InvalidRange</Code>")
	}
	r = get("GET", "bytes=zzz")
	require.Equal(t, 400, r.StatusCode)
	require.Contains(t, r.Body, "&apos;bytes=-suffix&apos;.&apos;</Message>")
	r = get("GET", "bytes=5-2")
	require.Equal(t, 400, r.StatusCode)
	require.Contains(t, r.Body, "<Message>range must be positive.</Message>")
	r = get("HEAD", "bytes=0-4")
	require.Equal(t, 206, r.StatusCode)
	require.Equal(t, "bytes 0-4/10", r.Header.Get("Content-Range"))
	require.Equal(t, "5", r.Header.Get("Content-Length"))
	require.Empty(t, r.Body)
}

// signedRequest makes a request signed with a literal payload hash.
func signedRequest(t *testing.T, e *env, method, path string, body []byte, headers map[string]string) *http.Request {
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	hash := sha256hex(body)
	if h := req.Header.Get("X-Amz-Content-Sha256"); h != "" {
		hash = h
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	require.NoError(t, v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey},
		req, hash, "s3", "auto", time.Now()))
	return req
}

// R2-063: Content-MD5 (BadDigest, InvalidDigest) and x-amz-storage-class.
func TestPutChecks_R2063(t *testing.T) {
	e := setup(t)
	md5b64 := func(s string) string {
		sum := md5.Sum([]byte(s))
		return b64(sum[:])
	}
	r := do(t, e, signedRequest(t, e, "PUT", "/bucket/m", []byte("data"), map[string]string{"Content-MD5": md5b64("data")}))
	require.Equal(t, 200, r.StatusCode, r.Body)
	r = do(t, e, signedRequest(t, e, "PUT", "/bucket/m", []byte("data"), map[string]string{"Content-MD5": md5b64("other")}))
	require.Equal(t, 400, r.StatusCode)
	require.Contains(t, r.Body, "<Code>BadDigest</Code>")
	r = do(t, e, signedRequest(t, e, "PUT", "/bucket/m", []byte("data"), map[string]string{"Content-MD5": "not-base64!!!"}))
	require.Equal(t, 400, r.StatusCode)
	require.Contains(t, r.Body, "<Code>InvalidDigest</Code>")
	r = do(t, e, signedRequest(t, e, "PUT", "/bucket/m", []byte("data"), map[string]string{"X-Amz-Storage-Class": "STANDARD"}))
	require.Equal(t, 200, r.StatusCode)
	r = do(t, e, signedRequest(t, e, "PUT", "/bucket/ia", []byte("data"), map[string]string{"X-Amz-Storage-Class": "STANDARD_IA"}))
	require.Equal(t, 200, r.StatusCode)
	obj, err := e.bucket(t).Head(ctx, "ia")
	require.NoError(t, err)
	require.Equal(t, r2.StorageInfrequentAccess, obj.StorageClass)
	r = do(t, e, signedRequest(t, e, "PUT", "/bucket/m", []byte("data"), map[string]string{"X-Amz-Storage-Class": "GLACIER"}))
	require.Equal(t, 400, r.StatusCode)
	require.Contains(t, r.Body, "<Code>InvalidStorageClass</Code>")

	// A body that does not match its signed hash writes nothing.
	r = do(t, e, signedRequest(t, e, "PUT", "/bucket/h", []byte("actual body"), map[string]string{"X-Amz-Content-Sha256": sha256hex([]byte("other body"))}))
	require.Equal(t, 400, r.StatusCode)
	require.Contains(t, r.Body, "<Code>XAmzContentSHA256Mismatch</Code>")
	_, err = e.bucket(t).Head(ctx, "h")
	require.ErrorIs(t, err, r2.ErrNotFound)
	r = do(t, e, signedRequest(t, e, "PUT", "/bucket/h", []byte("any"), map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}))
	require.Equal(t, 200, r.StatusCode)

	r = do(t, e, signedRequest(t, e, "PUT", "/bucket/t", []byte("x"), map[string]string{"X-Amz-Tagging": "a=b"}))
	require.Equal(t, 501, r.StatusCode)
	require.Contains(t, r.Body, "Header &apos;x-amz-tagging&apos; with value &apos;a=b&apos; not implemented")
}

// R2-064: POST to a key is PutObject and the body wins over x-amz-copy-source.
func TestPostIsPut_R2064(t *testing.T) {
	e := setup(t)
	_, err := e.bucket(t).Put(ctx, "src", strings.NewReader("source content"), nil)
	require.NoError(t, err)
	r := do(t, e, signedRequest(t, e, "POST", "/bucket/posted", []byte("body wins"), map[string]string{"X-Amz-Copy-Source": "bucket/src"}))
	require.Equal(t, 200, r.StatusCode, r.Body)
	obj, err := e.bucket(t).Get(ctx, "posted", nil)
	require.NoError(t, err)
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	require.Equal(t, "body wins", string(got))
}

// R2-066: DeleteObjects reports missing keys, ignores Quiet, refuses bad lists.
func TestDeleteObjects_R2066(t *testing.T) {
	e := setup(t)
	_, err := e.bucket(t).Put(ctx, "a", strings.NewReader("a"), nil)
	require.NoError(t, err)
	out, err := e.c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bucket"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("missing")}}, Quiet: aws.Bool(true)}})
	require.NoError(t, err)
	require.Len(t, out.Deleted, 2, "missing keys are reported as deleted and Quiet is ignored")
	_, err = e.bucket(t).Head(ctx, "a")
	require.ErrorIs(t, err, r2.ErrNotFound)

	for _, doc := range []string{
		`<Delete></Delete>`,
		`<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>`,
		`<Delete><Object><Key>a</Key>`,
		`<Delete>` + strings.Repeat(`<Object><Key>k</Key></Object>`, 1001) + `</Delete>`,
	} {
		r := do(t, e, signedRequest(t, e, "POST", "/bucket?delete", []byte(doc), nil))
		require.Equal(t, 400, r.StatusCode, doc[:min(len(doc), 60)])
		require.Contains(t, r.Body, "<Code>MalformedXML</Code>")
	}
}

func TestCopyObject(t *testing.T) {
	e := setup(t)
	_, err := e.bucket(t).Put(ctx, "src", strings.NewReader("copy me"), &r2.PutOptions{
		HTTPMetadata: &r2.HTTPMetadata{ContentType: "text/plain"}, CustomMetadata: map[string]string{"a": "1"}})
	require.NoError(t, err)
	out, err := e.c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dst"), CopySource: aws.String("bucket/src")})
	require.NoError(t, err)
	sum := md5.Sum([]byte("copy me"))
	require.Equal(t, `"`+hex.EncodeToString(sum[:])+`"`, aws.ToString(out.CopyObjectResult.ETag))
	head, err := e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dst")})
	require.NoError(t, err)
	require.Equal(t, "text/plain", aws.ToString(head.ContentType))
	require.Equal(t, map[string]string{"a": "1"}, head.Metadata)

	_, err = e.c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dst2"), CopySource: aws.String("bucket/src"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/html"), Metadata: map[string]string{"b": "2"}})
	require.NoError(t, err)
	head, err = e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dst2")})
	require.NoError(t, err)
	require.Equal(t, "text/html", aws.ToString(head.ContentType))
	require.Equal(t, map[string]string{"b": "2"}, head.Metadata)

	_, err = e.c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dst3"), CopySource: aws.String("bucket/missing")})
	code, _ := apiCode(t, err)
	require.Equal(t, "NoSuchKey", code)
}

func TestBuckets_R2061(t *testing.T) {
	e := setup(t)
	_, err := e.c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("second")})
	require.NoError(t, err)
	_, err = e.c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("second")})
	code, status := apiCode(t, err)
	require.Equal(t, "BucketAlreadyOwnedByYou", code)
	require.Equal(t, 409, status)
	list, err := e.c.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	var names []string
	for _, b := range list.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	require.Equal(t, []string{"bucket", "second"}, names)
	_, err = e.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("second")})
	require.NoError(t, err)
	_, err = e.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nope")})
	_, status = apiCode(t, err)
	require.Equal(t, 404, status)
	loc, err := e.c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("bucket")})
	require.NoError(t, err)
	require.EqualValues(t, "auto", loc.LocationConstraint)
	enc, err := e.c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("bucket")})
	require.NoError(t, err)
	require.EqualValues(t, "AES256", enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm)

	_, err = e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("second"), Key: aws.String("k"), Body: strings.NewReader("x")})
	require.NoError(t, err)
	_, err = e.c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("second")})
	code, _ = apiCode(t, err)
	require.Equal(t, "BucketNotEmpty", code)
	_, err = e.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("second"), Key: aws.String("k")})
	require.NoError(t, err)
	_, err = e.c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("second")})
	require.NoError(t, err)

	_, err = e.c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("bucket")})
	code, status = apiCode(t, err)
	require.Equal(t, "NotImplemented", code)
	require.Equal(t, 501, status)
	_, err = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("k")})
	code, _ = apiCode(t, err)
	require.Equal(t, "NoSuchBucket", code)
}

func TestUploadPartCopy(t *testing.T) {
	e := setup(t)
	src := bytes.Repeat([]byte("0123456789"), 1<<20)
	_, err := e.bucket(t).Put(ctx, "src", bytes.NewReader(src), nil)
	require.NoError(t, err)
	up, err := e.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bucket"), Key: aws.String("dst")})
	require.NoError(t, err)
	var parts []types.CompletedPart
	for i, rng := range []string{"bytes=0-5242879", "bytes=5242880-10485759"} {
		p, err := e.c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("bucket"), Key: aws.String("dst"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String("bucket/src"), CopySourceRange: aws.String(rng)})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.CopyPartResult.ETag})
	}
	_, err = e.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bucket"), Key: aws.String("dst"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
	obj, err := e.bucket(t).Get(ctx, "dst", nil)
	require.NoError(t, err)
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	require.Equal(t, src, got)
}

func TestEventsThroughS3(t *testing.T) {
	e := setup(t)
	var got []string
	e.bucket(t).SetNotifications(r2.NotifierFunc(func(_ context.Context, q string, ev r2.Event) error {
		got = append(got, fmt.Sprintf("%s %s %s", q, ev.Action, ev.Object.Key))
		return nil
	}), r2.NotificationRule{Queue: "q"})
	_, err := e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("a"), Body: strings.NewReader("x")})
	require.NoError(t, err)
	_, err = e.c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bucket"), Key: aws.String("b"), CopySource: aws.String("bucket/a")})
	require.NoError(t, err)
	_, err = e.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bucket"), Key: aws.String("a")})
	require.NoError(t, err)
	require.Equal(t, []string{"q PutObject a", "q CopyObject b", "q DeleteObject a"}, got)
}
