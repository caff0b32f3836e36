// Package s3api serves R2 buckets over the subset of the S3 API the platform's R2
// implements, so that the AWS SDKs, the aws CLI and rclone work against local buckets.
//
//	h := s3api.New(store, []s3api.Credentials{{AccessKeyID: id, SecretAccessKey: secret}}, nil)
//	http.ListenAndServe("127.0.0.1:9000", h)
//
// New takes the buckets to serve (an *r2.Store, or any Buckets; LookupFunc adapts a plain
// lookup function) and the access keys it accepts. The handler may be mounted under a
// path prefix with http.StripPrefix: signatures are checked against the path the client
// sent. Mount it where no router cleans paths (ServeMux would rewrite keys such as
// "a//b" or "x/../y").
//
// # Requests
//
// Every request is authenticated with AWS Signature Version 4, in the Authorization
// header or as a presigned URL (R2-060). The region may be auto, us-east-1 or empty (all
// name the same buckets); clocks may differ by 15 minutes; presigned URLs last at most
// 604,800 seconds. Payloads are verified as they stream: a signed SHA-256, aws-chunked
// bodies with chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, with or without a
// trailer), unsigned chunked bodies with a trailing checksum, Content-MD5, and
// x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 and -sha256. A body that fails a
// check writes nothing. Error codes and texts follow R2's endpoint; HEAD errors carry no
// body (R2-065).
//
// Buckets are addressed path-style (/bucket/key) or, for host names listed in
// Options.VirtualHosts, virtual-hosted style (bucket.localhost/key).
//
// Operations (R2-061, R2-062): ListBuckets, HeadBucket, CreateBucket and DeleteBucket
// (when the Buckets can), GetBucketLocation (auto), GetBucketEncryption (AES256),
// GetBucketVersioning (never versioned); HeadObject, GetObject (ranges, conditions,
// response-* overrides), PutObject (POST to a key too, R2-064), DeleteObject,
// DeleteObjects, CopyObject (COPY or REPLACE metadata, copy-source conditions),
// ListObjects and ListObjectsV2 (delimiter, markers, continuation tokens, start-after,
// encoding-type=url), CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads and ListParts.
// Subresources R2 does not implement (ACLs, tagging, policies, object lock...) answer
// 501 NotImplemented with R2's "<Operation> not implemented"; GetObject with partNumber
// does too. x-amz-storage-class STANDARD_IA stores an InfrequentAccess object, as R2
// does (the local simulator answers 501). CORS preflights are answered for any origin, so browser code can use
// presigned URLs from a local front end.
//
// # Clients
//
// These commands were run against the handler serving a disk store on ENDPOINT with the
// key pair KEY_ID / SECRET (any names; the runner prints its own).
//
// The aws CLI:
//
//	export AWS_ACCESS_KEY_ID=KEY_ID AWS_SECRET_ACCESS_KEY=SECRET AWS_DEFAULT_REGION=auto
//	aws --endpoint-url "$ENDPOINT" s3 mb s3://demo
//	aws --endpoint-url "$ENDPOINT" s3 cp ./hello.txt s3://demo/dir/hello.txt
//	aws --endpoint-url "$ENDPOINT" s3 ls s3://demo --recursive
//	aws --endpoint-url "$ENDPOINT" s3 cp s3://demo/dir/hello.txt -
//	aws --endpoint-url "$ENDPOINT" s3 cp ./big.bin s3://demo/big.bin      # multipart above 8 MiB
//	aws --endpoint-url "$ENDPOINT" s3 cp s3://demo/big.bin ./big.copy
//	aws --endpoint-url "$ENDPOINT" s3api head-object --bucket demo --key big.bin
//	aws --endpoint-url "$ENDPOINT" s3 presign s3://demo/big.bin --expires-in 600
//	aws --endpoint-url "$ENDPOINT" s3 rm s3://demo/dir/hello.txt
//
// rclone, with a remote configured from the environment (if AWS_CA_BUNDLE is set, unset
// it: rclone refuses a CA bundle on a plain-HTTP endpoint):
//
//	export RCLONE_CONFIG_LOCALR2_TYPE=s3 RCLONE_CONFIG_LOCALR2_PROVIDER=Cloudflare \
//	  RCLONE_CONFIG_LOCALR2_ACCESS_KEY_ID=KEY_ID RCLONE_CONFIG_LOCALR2_SECRET_ACCESS_KEY=SECRET \
//	  RCLONE_CONFIG_LOCALR2_ENDPOINT="$ENDPOINT" RCLONE_CONFIG_LOCALR2_REGION=auto
//	rclone mkdir localr2:photos
//	rclone copy ./tree localr2:photos/tree
//	rclone ls localr2:photos
//	rclone check ./tree localr2:photos/tree
//	rclone cat localr2:photos/tree/a.txt
//	rclone copyto --s3-upload-cutoff 5M --s3-chunk-size 5M ./big.bin localr2:photos/big.bin
//	rclone purge localr2:photos
//
// The AWS SDK for Go v2 (see the package's tests for every operation):
//
//	client := s3.New(s3.Options{
//		Region:       "auto",
//		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
//		BaseEndpoint: aws.String(endpoint),
//		UsePathStyle: true,
//	})
package s3api
