package s3api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// R2-061, R2-062: operations R2 does not implement answer with its templated errors.
func TestUnimplementedSurfaces_R2061_R2062(t *testing.T) {
	e := setup(t)
	for _, c := range []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", "/bucket?policy", 501, "<Message>GetBucketPolicy not implemented</Message>"},
		{"GET", "/bucket?versions", 501, "<Message>ListObjectVersions not implemented</Message>"},
		{"GET", "/bucket?policyStatus", 501, "<Message>GetGetBucketPolicyStatus not implemented</Message>"},
		{"PUT", "/bucket?junk&tagging", 501, "<Message>PutBucketTagging not implemented</Message>"},
		{"DELETE", "/bucket?policy", 501, "<Message>DeleteBucketPolicy not implemented</Message>"},
		{"DELETE", "/bucket?junk&versioning", 400, "<Message>Unsupported search param(s) &quot;junk&quot;, &quot;versioning&quot; on a DELETE bucket route</Message>"},
		{"PUT", "/bucket?junk", 400, "<Message>Unsupported search param(s) &quot;junk&quot; on a PUT bucket route</Message>"},
		{"GET", "/bucket/k?tagging", 501, "<Message>GetObjectTagging not implemented</Message>"},
		{"PUT", "/bucket/k?acl", 501, "<Message>PutObjectAcl not implemented</Message>"},
		{"PATCH", "/bucket/k", 404, "<Code>RouteNotFound</Code><Message>No route matches this url.</Message>"},
		{"POST", "/bucket", 200, ""},
		{"GET", "/bucket?versioning", 200, "<VersioningConfiguration"},
	} {
		r := do(t, e, signedRequest(t, e, c.method, c.path, nil, nil))
		require.Equal(t, c.status, r.StatusCode, "%s %s: %s", c.method, c.path, r.Body)
		require.Contains(t, r.Body, c.contains, "%s %s", c.method, c.path)
	}

	req, _ := http.NewRequest("POST", e.srv.URL+"/bucket", nil)
	r := do(t, e, req)
	require.Equal(t, 501, r.StatusCode)
	require.Contains(t, r.Body, "<Message>Presigned post requests are not yet implemented not implemented</Message>")

	r = do(t, e, signedRequest(t, e, "GET", "/bucket/k", nil, map[string]string{"X-Amz-Security-Token": "bogus"}))
	require.Equal(t, 400, r.StatusCode)
	require.Contains(t, r.Body, "<Message>X-Amz-Security-Token</Message>")

	// Browsers may preflight without signing.
	req, _ = http.NewRequest("OPTIONS", e.srv.URL+"/bucket/upload.bin", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "PUT")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	r = do(t, e, req)
	require.Equal(t, 204, r.StatusCode)
	require.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), "PUT")
	require.Equal(t, "authorization,content-type", r.Header.Get("Access-Control-Allow-Headers"))
}

// R2-060: R2's error texts for malformed authentication.
func TestAuthErrors_R2060(t *testing.T) {
	e := setup(t)
	get := func(h map[string]string) response {
		req, _ := http.NewRequest("GET", e.srv.URL+"/bucket/k", nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		return do(t, e, req)
	}
	r := get(map[string]string{"Authorization": "AWS4-HMAC-SHA256 garbage"})
	require.Equal(t, 400, r.StatusCode)
	require.Contains(t, r.Body, "Missing x-amz-content-sha256")
	sha := "UNSIGNED-PAYLOAD"
	auth := func(cred, signed string) string {
		return "AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=" + signed + ", Signature=" + "00"
	}
	r = get(map[string]string{"X-Amz-Content-Sha256": sha, "Authorization": auth(accessKey+"/20260101/auto/s3/aws4_request", "host")})
	require.Contains(t, r.Body, "<Message>No date provided in x-amz-date nor date header</Message>")
	r = get(map[string]string{"X-Amz-Content-Sha256": sha, "X-Amz-Date": "2026-06-12T00:00:00Z", "Authorization": auth(accessKey+"/20260612/auto/s3/aws4_request", "host")})
	require.Contains(t, r.Body, "<Message>Date provided in &apos;x-amz-date&apos; header (2026-06-12T00:00:00Z) didn&apos;t parse successfully</Message>")
	now := nowAmz()
	day := now[:8]
	for cred, want := range map[string]string{
		accessKey + "/" + day + "/auto":                  "Credential sigv4 header should have at least 5 slash-separated parts, not 3",
		accessKey + "/" + day + "/auto/sqs/aws4_request": "Credential service should be s3, not sqs",
		accessKey + "/" + day + "/auto/s3/wat":           "Credential termination string should be aws4_request, not wat",
		accessKey + "/19990101/auto/s3/aws4_request":     "Credential signed date 19990101 does not match " + day + " from &apos;x-amz-date&apos; header",
	} {
		r = get(map[string]string{"X-Amz-Content-Sha256": sha, "X-Amz-Date": now, "Authorization": auth(cred, "host;x-amz-date")})
		require.Equal(t, 400, r.StatusCode)
		require.Contains(t, r.Body, "<Message>"+want+"</Message>")
	}
	r = get(map[string]string{"X-Amz-Content-Sha256": sha, "X-Amz-Date": now, "Authorization": auth(accessKey+"/"+day+"/auto/s3/aws4_request", "x-amz-date")})
	require.Equal(t, 401, r.StatusCode, "SignedHeaders must include host")
	r = get(map[string]string{"X-Amz-Content-Sha256": sha, "X-Amz-Date": now, "Authorization": "Basic dXNlcjpwYXNz"})
	require.Contains(t, r.Body, "<Code>InvalidRequest</Code><Message>Please use AWS4-HMAC-SHA256</Message>")

	req, _ := http.NewRequest("GET", e.srv.URL+"/bucket/k?X-Amz-Credential="+accessKey+"%2F20260611%2Fauto%2Fs3%2Faws4_request&X-Amz-Date=20260611T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host", nil)
	r = do(t, e, req)
	require.Contains(t, r.Body, "Required search parameters X-Amz-Algorithm,  X-Amz-Signature missing")
	req, _ = http.NewRequest("GET", e.srv.URL+"/bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="+accessKey+"%2F20260612%2Fauto%2Fs3%2Faws4_request&X-Amz-Date=20260612T000000Z&X-Amz-Expires=&X-Amz-SignedHeaders=host&X-Amz-Signature=abc", nil)
	r = do(t, e, req)
	require.Contains(t, r.Body, "<Message>X-Amz-Expires should be a number</Message>")
}
