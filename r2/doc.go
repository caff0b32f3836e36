// Package r2 is the R2 object storage binding: the platform's R2Bucket as a Go type.
//
// A worker declares a bucket in its Env and calls it with the invocation's context:
//
//	type Env struct {
//		Files *r2.Bucket `binding:"FILES"`
//	}
//
//	obj, err := env.Files.Put(ctx, "avatars/ada.png", req.Body, &r2.PutOptions{
//		HTTPMetadata: &r2.HTTPMetadata{ContentType: "image/png"},
//	})
//
// Unit tests use r2.NewMemory() in a struct-literal Env. The runner opens buckets from
// its persistence directory with the disk driver (package r2/disk) and serves them over
// the S3 API too (package r2/s3api), so a binding, the S3 endpoint and the r2 CLI
// subcommands (package r2/r2cli) all see the same objects.
//
// # Shape
//
// *Bucket does everything the platform specifies (key and size limits, checksums,
// conditions, ranges, listing with cursors and delimiters, multipart rules, error texts)
// over a small Driver that only stores records and blobs. Drivers: the in-memory one
// here (NewMemoryDriver) and the embedded disk driver (r2/disk: blobs as files, index in
// SQLite). Every driver passes the same conformance suite, r2/r2test.Run. A Store holds
// the buckets of one runner by name.
//
// Bodies are streamed: Put reads its io.Reader through one pooled buffer while hashing,
// so a 1 GiB upload holds about a megabyte of heap. A Get body from the disk driver hands
// file sections to net/http as *os.File readers, which lets the server use sendfile.
//
// Every operation is one subrequest of the invocation its context belongs to
// (worker.Subrequest) and fails with worker.ErrSubrequestLimit once the budget is spent.
//
// # Errors
//
// The platform's R2 errors are *Error values whose text is the platform's
// "<op>: <message> (<code>)"; compare them with errors.Is against the sentinels
// (ErrInvalidObjectName, ErrNoSuchUpload, ...), which match by code. Calls the platform
// rejects with a TypeError or RangeError return an *ArgumentError whose text is the
// platform's, matching ErrInvalidArgument.
//
// Where the platform resolves null, Go returns an error: Head and Get of a missing key
// return an error matching ErrNotFound (R2-001); a Put whose condition fails returns an
// error matching ErrPreconditionFailed (R2-024); a Get whose condition fails returns the
// object's metadata with a nil Body together with ErrPreconditionFailed (R2-023).
//
// # Limits and local choices
//
// Custom metadata is capped at the documented 8,192 bytes (R2-015, §12); set
// Options.MetadataLimit = MiniflareMetadataLimit with Options.MiniflareMetadataRule for
// the local simulator's 2,048-unit rule. Multipart parts must be 5 MiB except the last
// (Options.MinPartSize lowers it for tests). Uploads left in progress expire after 7
// days. A listing with Include returns at most 100 objects per page, as the simulator
// does, so that clients exercise the loop on Truncated (R2-037). ListOptions.Limit 0 is
// the default of 1,000, where the platform rejects an explicit 0 (R2-032). Keys must be
// valid UTF-8 (JavaScript strings always are). Event notifications (Bucket.SetNotifications)
// carry the platform's message shape and are handed to a Notifier after the write.
//
// # Conformance
//
// The suite in r2/r2test proves R2-001 to R2-059 by ID against both drivers; r2/s3api's
// tests prove R2-060 to R2-070 with the AWS SDK for Go. Items that do not apply to Go:
//
//   - R2-009's body helpers (arrayBuffer, text, json, blob, bodyUsed): Body is an
//     io.ReadCloser.
//   - R2-017's binary checksum forms (ArrayBuffer lengths): checksums are given as hex.
//   - R2-021's non-integer offsets: ranges are int64.
//   - R2-036's behaviour for compatibility dates before 2022-08-04: Include is always
//     honoured.
//   - R2-042 beyond the key's shape: objects are not encrypted locally, so SSE-C keys
//     are checked (32 bytes, or 64 hex characters) and otherwise ignored.
//   - R2-044: a Go value cannot be structured-cloned; *Bucket is shared by pointer.
package r2
