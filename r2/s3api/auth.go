package s3api

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AWS Signature Version 4, as R2's endpoint checks it: the Authorization header or
// presigned query parameters, any region (auto, us-east-1 and the empty region are the
// same bucket), at most 15 minutes of clock skew, presigned URLs valid for at most a week
// (R2-060). Error codes and texts follow R2's endpoint.

const (
	algorithm      = "AWS4-HMAC-SHA256"
	maxSkew        = 15 * time.Minute
	maxPresignSecs = 604800
	amzDateLayout  = "20060102T150405Z"
	unsignedBody   = "UNSIGNED-PAYLOAD"
	emptySHA256    = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// Credentials is an access key pair the endpoint accepts.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

// auth is an authenticated request's signing context, which aws-chunked bodies chain
// their chunk signatures from.
type auth struct {
	key         []byte // the signing key
	amzDate     string
	scope       string
	signature   string
	payloadHash string
}

func unauthorized() *Error { return newErr(401, "Unauthorized", "Unauthorized") }

func useSigV4() *Error { return newErr(400, "InvalidRequest", "Please use "+algorithm) }

// signingKeys caches derived keys: four HMACs per secret, day and region.
var signingKeys sync.Map

func signingKey(secret, date, region, service string) []byte {
	id := secret + "\x00" + date + "\x00" + region + "\x00" + service
	if k, ok := signingKeys.Load(id); ok {
		return k.([]byte)
	}
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	signingKeys.Store(id, k)
	return k
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// uriEncode is SigV4's UriEncode: everything but RFC 3986 unreserved characters is
// percent-encoded with uppercase hex; '/' too unless keepSlash.
func uriEncode(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&15])
	}
	return b.String()
}

type credential struct {
	accessKey, date, region, service string
}

// parseCredential checks "<key>/<date>/<region>/s3/aws4_request" in R2's order. Slashes
// in the access key are allowed: the last four parts are the scope.
func parseCredential(s string) (credential, *Error) {
	parts := strings.Split(s, "/")
	if len(parts) < 5 {
		return credential{}, invalidArgument("Credential sigv4 header should have at least 5 slash-separated parts, not " + strconv.Itoa(len(parts)))
	}
	n := len(parts)
	c := credential{accessKey: strings.Join(parts[:n-4], "/"), date: parts[n-4], region: parts[n-3], service: parts[n-2]}
	if c.service != "s3" {
		return c, invalidArgument("Credential service should be s3, not " + c.service)
	}
	if parts[n-1] != "aws4_request" {
		return c, invalidArgument("Credential termination string should be aws4_request, not " + parts[n-1])
	}
	return c, nil
}

func (c credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/aws4_request"
}

func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(amzDateLayout, s)
	return t, err == nil
}

// authenticate checks the request's signature and returns its signing context.
func (h *Handler) authenticate(r *http.Request) (*auth, *Error) {
	if a := r.Header.Get("Authorization"); a != "" {
		return h.authHeader(r, a)
	}
	if r.URL.Query().Has("X-Amz-Credential") {
		return h.authPresigned(r)
	}
	return nil, invalidArgument("Authorization")
}

func (h *Handler) authHeader(r *http.Request, authorization string) (*auth, *Error) {
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		return nil, newErr(400, "InvalidRequest", "Missing x-amz-content-sha256")
	}
	amzDate, source := r.Header.Get("X-Amz-Date"), "'x-amz-date' header"
	if amzDate == "" {
		amzDate, source = r.Header.Get("Date"), "'date' header"
	}
	if amzDate == "" {
		return nil, invalidArgument("No date provided in x-amz-date nor date header")
	}
	when, ok := parseAmzDate(amzDate)
	if !ok {
		return nil, invalidArgument("Date provided in " + source + " (" + amzDate + ") didn't parse successfully")
	}
	if d := time.Since(when); d > maxSkew || d < -maxSkew {
		return nil, newErr(403, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.")
	}
	fields := map[string]string{}
	rest, ok := strings.CutPrefix(authorization, algorithm+" ")
	if ok {
		for part := range strings.SplitSeq(rest, ",") {
			k, v, found := strings.Cut(part, "=")
			if found {
				fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	credField, signedField, signature := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	if credField == "" || signedField == "" || signature == "" {
		return nil, useSigV4()
	}
	cred, secret, err := h.checkScope(credField, amzDate)
	if err != nil {
		return nil, err
	}
	signed, err := signedHeaders(signedField)
	if err != nil {
		return nil, err
	}
	a, err := verify(r, cred, secret, amzDate, signed, payload, false, signature)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (h *Handler) authPresigned(r *http.Request) (*auth, *Error) {
	q := r.URL.Query()
	var missing []string
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if !q.Has(p) {
			missing = append(missing, p)
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		return nil, invalidArgument("Required search parameter " + missing[0] + " missing")
	default:
		return nil, invalidArgument("Required search parameters " + strings.Join(missing, ",  ") + " missing")
	}
	if q.Get("X-Amz-Algorithm") != algorithm {
		return nil, useSigV4()
	}
	amzDate := q.Get("X-Amz-Date")
	when, ok := parseAmzDate(amzDate)
	if !ok {
		return nil, invalidArgument("Date provided in X-Amz-Date (" + amzDate + ") didn't parse successfully")
	}
	cred, secret, err := h.checkScope(q.Get("X-Amz-Credential"), amzDate)
	if err != nil {
		return nil, err
	}
	exp := strings.TrimSpace(q.Get("X-Amz-Expires"))
	expires, perr := strconv.ParseFloat(exp, 64)
	if exp == "" || perr != nil {
		return nil, invalidArgument("X-Amz-Expires should be a number")
	}
	if expires > maxPresignSecs {
		return nil, invalidArgument("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than " + strconv.Itoa(maxPresignSecs) + " seconds")
	}
	if expires < 1 || time.Now().After(when.Add(time.Duration(expires*float64(time.Second)))) {
		return nil, newErr(403, "ExpiredRequest", "Request has expired")
	}
	signed, err := signedHeaders(q.Get("X-Amz-SignedHeaders"))
	if err != nil {
		return nil, err
	}
	payload := unsignedBody
	if v := q.Get("X-Amz-Content-Sha256"); v != "" {
		payload = v
	}
	return verify(r, cred, secret, amzDate, signed, payload, true, q.Get("X-Amz-Signature"))
}

// checkScope parses the credential, matches its date against the request's and looks
// up the access key.
func (h *Handler) checkScope(field, amzDate string) (credential, string, *Error) {
	cred, err := parseCredential(field)
	if err != nil {
		return cred, "", err
	}
	if !strings.HasPrefix(amzDate, cred.date) {
		return cred, "", invalidArgument("Credential signed date " + cred.date + " does not match " + amzDate[:min(8, len(amzDate))] + " from 'x-amz-date' header")
	}
	secret, ok := h.keys[cred.accessKey]
	if !ok {
		return cred, "", unauthorized()
	}
	return cred, secret, nil
}

// signedHeaders splits the list, which must include host.
func signedHeaders(field string) ([]string, *Error) {
	names := strings.Split(strings.ToLower(field), ";")
	if !slices.Contains(names, "host") {
		return nil, unauthorized()
	}
	return names, nil
}

// verify recomputes the signature. The canonical URI is the path as sent; if that does
// not match, the path re-encoded the SigV4 way is tried, for clients that send
// characters unescaped which they escaped when signing.
func verify(r *http.Request, cred credential, secret, amzDate string, signed []string, payload string, presigned bool, provided string) (*auth, *Error) {
	key := signingKey(secret, cred.date, cred.region, cred.service)
	scope := cred.scope()
	query := canonicalQuery(r.URL.RawQuery, presigned)
	headers := canonicalHeaders(r, signed)
	raw := rawPath(r)
	var first *Error
	for i, path := range []string{raw, reencodePath(raw)} {
		if i == 1 && path == raw {
			break
		}
		canonical := r.Method + "\n" + path + "\n" + query + "\n" + headers + "\n" + strings.Join(signed, ";") + "\n" + payload
		toSign := algorithm + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonical)
		sig := hex.EncodeToString(hmacSHA256(key, toSign))
		if subtle.ConstantTimeCompare([]byte(sig), []byte(provided)) == 1 {
			return &auth{key: key, amzDate: amzDate, scope: scope, signature: sig, payloadHash: payload}, nil
		}
		if first == nil {
			first = &Error{Status: 403, Code: "SignatureDoesNotMatch",
				Message: "The request signature we calculated does not match the signature you provided. Check your secret access key and signing method.",
				Extra: [][2]string{
					{"StringToSign", toSign}, {"StringToSignBytes", byteDump(toSign)},
					{"CanonicalRequest", canonical}, {"CanonicalRequestBytes", byteDump(canonical)},
					{"SignatureProvided", provided},
				}}
		}
	}
	return nil, first
}

func byteDump(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{s[i]}))
	}
	return b.String()
}

// rawPath is the request path exactly as the client sent it, even when a router
// rewrote r.URL on the way here.
func rawPath(r *http.Request) string {
	p := r.RequestURI
	if p == "" {
		p = r.URL.EscapedPath()
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		if u, err := url.Parse(p); err == nil {
			p = u.EscapedPath()
		}
	}
	if p == "" {
		p = "/"
	}
	return p
}

func reencodePath(raw string) string {
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return raw
	}
	return uriEncode(decoded, true)
}

func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var pairs []kv
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, kv{uriEncode(k, false), uriEncode(v, false)})
	}
	slices.SortFunc(pairs, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = r.Header.Values("Content-Length")
			if len(values) == 0 && r.ContentLength >= 0 {
				values = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		case "transfer-encoding":
			values = r.Header.Values("Transfer-Encoding")
			if len(values) == 0 {
				values = r.TransferEncoding
			}
		default:
			values = r.Header.Values(name)
		}
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strings.Join(strings.Fields(v), " "))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
