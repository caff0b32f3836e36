package s3api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/flarego/flarego/r2"
)

// Buckets are the buckets the endpoint serves. *r2.Store implements it.
type Buckets interface {
	// Lookup returns an existing bucket, or an error matching r2.ErrNoSuchBucket.
	Lookup(ctx context.Context, name string) (*r2.Bucket, error)
	// List returns every bucket, for ListBuckets.
	List(ctx context.Context) ([]r2.BucketInfo, error)
}

// BucketCreator is the optional interface of Buckets that can make buckets
// (CreateBucket). *r2.Store implements it.
type BucketCreator interface {
	Create(ctx context.Context, name string) (*r2.Bucket, error)
}

// BucketDeleter is the optional interface of Buckets that can remove empty buckets
// (DeleteBucket). *r2.Store implements it.
type BucketDeleter interface {
	DeleteBucket(ctx context.Context, name string) error
}

// LookupFunc adapts a function to Buckets, with an empty ListBuckets.
type LookupFunc func(ctx context.Context, name string) (*r2.Bucket, error)

// Lookup calls f.
func (f LookupFunc) Lookup(ctx context.Context, name string) (*r2.Bucket, error) { return f(ctx, name) }

// List returns no buckets.
func (f LookupFunc) List(context.Context) ([]r2.BucketInfo, error) { return nil, nil }

// Options tune the endpoint. The zero value serves path-style addressing only.
type Options struct {
	// VirtualHosts are the host names (without port) under which "<bucket>.<host>"
	// addresses a bucket, virtual-hosted style, e.g. "localhost" for
	// http://my-bucket.localhost:8787/key.
	VirtualHosts []string
	// AccountID is reported as the owner in listings.
	AccountID string
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
}

// Handler is the S3-compatible endpoint over a set of buckets: the subset of the S3
// API the platform's R2 implements (R2-060..R2-070). Every request must be signed with
// one of its Credentials (AWS Signature Version 4).
type Handler struct {
	buckets Buckets
	keys    map[string]string
	opts    Options
}

// New returns an endpoint serving buckets to clients holding one of creds.
func New(buckets Buckets, creds []Credentials, opts *Options) *Handler {
	h := &Handler{buckets: buckets, keys: map[string]string{}}
	if opts != nil {
		h.opts = *opts
	}
	if h.opts.Logger == nil {
		h.opts.Logger = slog.New(slog.DiscardHandler)
	}
	if h.opts.AccountID == "" {
		h.opts.AccountID = r2.DefaultAccountID
	}
	for _, c := range creds {
		h.keys[c.AccessKeyID] = c.SecretAccessKey
	}
	return h
}

// request is one S3 call, addressed and authenticated.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	a      *auth
	bucket string
	key    string
	hasKey bool
	query  url.Values
	b      *r2.Bucket
}

// ServeHTTP authenticates the request and runs the S3 operation it names.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Cross-origin use is always allowed, so that browsers can use presigned URLs from a
	// local front end; preflights need no signature.
	if r.Header.Get("Origin") != "" {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Expose-Headers", "*")
	}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE")
		if hdrs := r.Header.Get("Access-Control-Request-Headers"); hdrs != "" {
			w.Header().Set("Access-Control-Allow-Headers", hdrs)
		}
		w.Header().Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	bucket, key, hasKey := h.address(r)
	q := r.URL.Query()
	// A bucket-level POST without any authentication is a browser form upload, which R2
	// recognises but does not implement (its message, doubled words included).
	if bucket != "" && !hasKey && r.Method == http.MethodPost && !q.Has("delete") &&
		r.Header.Get("Authorization") == "" && !q.Has("X-Amz-Credential") {
		writeError(w, r, notImplemented("Presigned post requests are not yet implemented not implemented"))
		return
	}
	a, err := h.authenticate(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if r.Header.Get("X-Amz-Security-Token") != "" {
		writeError(w, r, invalidArgument("X-Amz-Security-Token"))
		return
	}
	req := &request{w: w, r: r, a: a, bucket: bucket, key: key, hasKey: hasKey, query: q}
	if bucket == "" {
		h.serveService(req)
		return
	}
	if err := h.serveBucketOrObject(req); err != nil {
		if err.cause != nil {
			h.opts.Logger.Error("r2/s3api: internal error", "method", r.Method, "bucket", bucket, "key", key, "error", err.cause)
		}
		writeError(w, r, err)
	}
}

// address finds the bucket and key: virtual-hosted style when the Host is
// "<bucket>.<one of VirtualHosts>", path style otherwise ("/<bucket>/<key>").
func (h *Handler) address(r *http.Request) (bucket, key string, hasKey bool) {
	path := r.URL.Path
	host := r.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	host = strings.ToLower(host)
	for _, vh := range h.opts.VirtualHosts {
		if b, ok := strings.CutSuffix(host, "."+strings.ToLower(vh)); ok && b != "" {
			key = strings.TrimPrefix(path, "/")
			return b, key, key != ""
		}
	}
	rest := strings.TrimPrefix(path, "/")
	bucket, key, hasKey = strings.Cut(rest, "/")
	return bucket, key, hasKey && key != ""
}

func (h *Handler) serveService(req *request) {
	if req.r.Method != http.MethodGet {
		writeError(req.w, req.r, errRouteNotFound)
		return
	}
	h.listBuckets(req)
}

func (h *Handler) serveBucketOrObject(req *request) *Error {
	r := req.r
	if !req.hasKey && r.Method == http.MethodPut && len(nonAuthParams(req.query)) == 0 {
		return h.createBucket(req)
	}
	if !r2.ValidBucketName(req.bucket) {
		return errNoSuchBucket
	}
	b, err := h.buckets.Lookup(r.Context(), req.bucket)
	if err != nil {
		return fromR2(err)
	}
	req.b = b
	if !req.hasKey {
		return h.serveBucket(req)
	}
	return h.serveObject(req)
}

// nonAuthParams are the query parameters other than presigning ones.
func nonAuthParams(q url.Values) []string {
	var out []string
	for k := range q {
		if !strings.HasPrefix(k, "X-Amz-") && k != "x-id" {
			out = append(out, k)
		}
	}
	return out
}

// paramNames are the query's parameter names in request order, without duplicates.
func paramNames(raw string) []string {
	var out []string
	for part := range strings.SplitSeq(raw, "&") {
		k, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err == nil && k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// Bucket subresources R2 does not implement, answered with its templated error.
var bucketGetUnimplemented = map[string]string{
	"versions": "ListObjectVersions", "policy": "GetBucketPolicy", "website": "GetBucketWebsite",
	"notification": "GetBucketNotificationConfiguration", "requestPayment": "GetBucketRequestPayment",
	"logging": "GetBucketLogging", "accelerate": "GetBucketAccelerateConfiguration",
	"publicAccessBlock": "GetPublicAccessBlock", "ownershipControls": "GetBucketOwnershipControls",
	"intelligent-tiering": "GetBucketIntelligentTieringConfiguration", "inventory": "GetBucketInventoryConfiguration",
	"metrics": "GetBucketMetricsConfiguration", "analytics": "GetBucketAnalyticsConfiguration",
	"policyStatus": "GetGetBucketPolicyStatus", "acl": "GetBucketAcl", "tagging": "GetBucketTagging",
	"replication": "GetBucketReplication", "object-lock": "GetObjectLockConfiguration",
}

var bucketPutUnimplemented = map[string]string{
	"accelerate": "PutBucketAccelerateConfiguration", "acl": "PutBucketAcl", "analytics": "PutBucketAnalyticsConfiguration",
	"intelligent-tiering": "PutBucketIntelligentTieringConfiguration", "inventory": "PutBucketInventoryConfiguration",
	"logging": "PutBucketLogging", "metrics": "PutBucketMetricsConfiguration", "notification": "PutBucketNotificationConfiguration",
	"object-lock": "PutObjectLockConfiguration", "ownershipControls": "PutBucketOwnershipControls", "policy": "PutBucketPolicy",
	"publicAccessBlock": "PutPublicAccessBlock", "replication": "PutBucketReplication", "requestPayment": "PutBucketRequestPayment",
	"tagging": "PutBucketTagging", "website": "PutBucketWebsite", "cors": "PutBucketCors", "encryption": "PutBucketEncryption",
	"lifecycle": "PutBucketLifecycleConfiguration", "versioning": "PutBucketVersioning",
}

var bucketDeleteUnimplemented = map[string]string{
	"analytics": "DeleteBucketAnalyticsConfiguration", "intelligent-tiering": "DeleteBucketIntelligentTieringConfiguration",
	"inventory": "DeleteBucketInventoryConfiguration", "metrics": "DeleteBucketMetricsConfiguration",
	"ownershipControls": "DeleteBucketOwnershipControls", "policy": "DeleteBucketPolicy", "replication": "DeleteBucketReplication",
	"tagging": "DeleteBucketTagging", "website": "DeleteBucketWebsite", "cors": "DeleteBucketCors",
	"encryption": "DeleteBucketEncryption", "lifecycle": "DeleteBucketLifecycle",
}

// bucketMutation answers a bucket PUT or DELETE with parameters: a recognised
// subresource gets R2's templated error, other parameters are refused together.
func bucketMutation(req *request, known map[string]string) *Error {
	var quoted []string
	for _, k := range paramNames(req.r.URL.RawQuery) {
		if op, ok := known[k]; ok {
			return notImplemented(op + " not implemented")
		}
		if !strings.HasPrefix(k, "X-Amz-") && k != "x-id" {
			quoted = append(quoted, `"`+k+`"`)
		}
	}
	return invalidArgument("Unsupported search param(s) " + strings.Join(quoted, ", ") + " on a " + req.r.Method + " bucket route")
}

var objectUnimplemented = map[string]map[string]string{
	"tagging":    {"GET": "GetObjectTagging", "PUT": "PutObjectTagging"},
	"acl":        {"GET": "GetObjectAcl", "PUT": "PutObjectAcl"},
	"attributes": {"GET": "GetObjectAttributes"},
	"torrent":    {"GET": "GetObjectTorrent"},
	"retention":  {"GET": "GetObjectRetention", "PUT": "PutObjectRetention"},
	"legal-hold": {"GET": "GetObjectLegalHold", "PUT": "PutObjectLegalHold"},
}

func (h *Handler) serveBucket(req *request) *Error {
	q := req.query
	switch req.r.Method {
	case http.MethodHead:
		req.w.WriteHeader(http.StatusOK)
		return nil
	case http.MethodGet:
		switch {
		case q.Has("location"):
			writeXML(req.w, 200, locationConstraint{Xmlns: xmlns, Region: "auto"})
			return nil
		case q.Has("encryption"):
			writeXML(req.w, 200, encryptionConfiguration{Xmlns: xmlns, Algorithm: "AES256"})
			return nil
		case q.Has("uploads"):
			return h.listUploads(req)
		case q.Has("versioning"):
			// Buckets are never versioned; saying so keeps tools that ask (rclone) quiet.
			writeXML(req.w, 200, versioningConfiguration{Xmlns: xmlns})
			return nil
		case q.Has("cors"):
			return newErr(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist")
		case q.Has("lifecycle"):
			return newErr(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
		}
		for k := range q {
			if op, ok := bucketGetUnimplemented[k]; ok {
				return notImplemented(op + " not implemented")
			}
		}
		if q.Get("list-type") == "2" {
			return h.listObjectsV2(req)
		}
		return h.listObjectsV1(req)
	case http.MethodPost:
		if q.Has("delete") {
			return h.deleteObjects(req)
		}
		req.w.WriteHeader(http.StatusOK)
		return nil
	case http.MethodPut:
		return bucketMutation(req, bucketPutUnimplemented)
	case http.MethodDelete:
		if len(nonAuthParams(q)) == 0 {
			return h.deleteBucket(req)
		}
		return bucketMutation(req, bucketDeleteUnimplemented)
	}
	return errRouteNotFound
}

func (h *Handler) serveObject(req *request) *Error {
	q, r := req.query, req.r
	for k := range q {
		if op, ok := objectUnimplemented[k][r.Method]; ok {
			return notImplemented(op + " not implemented")
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if r.Method == http.MethodGet && q.Has("uploadId") {
			return h.listParts(req)
		}
		if r.Method == http.MethodGet && q.Has("uploads") {
			return h.listUploads(req)
		}
		if q.Has("partNumber") {
			return notImplemented("partNumber not implemented")
		}
		return h.getObject(req)
	case http.MethodPut:
		if q.Has("uploadId") && q.Has("partNumber") {
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				return h.uploadPartCopy(req)
			}
			return h.uploadPart(req)
		}
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			return h.copyObject(req)
		}
		return h.putObject(req)
	case http.MethodPost:
		if q.Has("uploads") {
			return h.createUpload(req)
		}
		if q.Has("uploadId") {
			return h.completeUpload(req)
		}
		// R2 treats a POST to a key as PutObject; the body wins over a copy source
		// (R2-064).
		return h.putObject(req)
	case http.MethodDelete:
		if q.Has("uploadId") {
			return h.abortUpload(req)
		}
		if err := req.b.Delete(r.Context(), req.key); err != nil {
			return fromR2(err)
		}
		req.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return errRouteNotFound
}
