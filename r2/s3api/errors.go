package s3api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/flarego/flarego/r2"
)

// Error is an S3 error response: an HTTP status and an <Error> document with a Code and
// a Message, plus optional extra elements (SignatureDoesNotMatch's debugging fields).
type Error struct {
	Status  int
	Code    string
	Message string
	Extra   [][2]string
	cause   error // what an InternalError hides from the client, for the log
}

// Error returns "<Code>: <Message>".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newErr(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// The endpoint's fixed errors.
var (
	errNoSuchBucket     = newErr(404, "NoSuchBucket", "The specified bucket does not exist.")
	errNoSuchKey        = newErr(404, "NoSuchKey", "The specified key does not exist.")
	errNoSuchUpload     = newErr(404, "NoSuchUpload", "The specified multipart upload does not exist.")
	errRouteNotFound    = newErr(404, "RouteNotFound", "No route matches this url.")
	errPrecondition     = newErr(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.")
	errInvalidRange     = newErr(416, "InvalidRange", "The requested range is not satisfiable")
	errMalformedXML     = newErr(400, "MalformedXML", "The XML you provided was not well formed or did not validate against our published schema.")
	errInvalidDigest    = newErr(400, "InvalidDigest", "The Content-MD5 you specified is not valid.")
	errStorageClass     = newErr(400, "InvalidStorageClass", "The storage class you specified is not valid")
	errInternal         = newErr(500, "InternalError", "We encountered an internal error. Please try again.")
	errPayloadMismatch  = newErr(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
	errBucketNotEmpty   = newErr(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.")
	errBucketExists     = newErr(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	errInvalidBucket    = newErr(400, "InvalidBucketName", "The specified bucket is not valid.")
	errIncompleteBody   = newErr(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	errInvalidPartOrder = newErr(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
)

func invalidArgument(msg string) *Error { return newErr(400, "InvalidArgument", msg) }

func notImplemented(msg string) *Error { return newErr(501, "NotImplemented", msg) }

// fromR2 maps a binding error onto the S3 error the platform's endpoint answers with.
func fromR2(err error) *Error {
	var s3 *Error
	if errors.As(err, &s3) {
		return s3
	}
	var ae *r2.ArgumentError
	if errors.As(err, &ae) {
		return invalidArgument(ae.Message)
	}
	var e *r2.Error
	if !errors.As(err, &e) {
		switch {
		case errors.Is(err, r2.ErrNoSuchBucket):
			return errNoSuchBucket
		case errors.Is(err, io.ErrUnexpectedEOF):
			// The client sent less than its Content-Length.
			return errIncompleteBody
		}
		return internal(err)
	}
	switch e.Code {
	case r2.ErrNoSuchKey.Code:
		return errNoSuchKey
	case r2.ErrNoSuchUpload.Code:
		return errNoSuchUpload
	case r2.ErrPreconditionFailed.Code:
		return errPrecondition
	case r2.ErrInvalidRange.Code:
		return errInvalidRange
	case r2.ErrBadDigest.Code:
		return newErr(400, "BadDigest", firstLine(e.Message))
	case r2.ErrEntityTooLarge.Code:
		return newErr(400, "EntityTooLarge", e.Message)
	case r2.ErrEntityTooSmall.Code:
		return newErr(400, "EntityTooSmall", e.Message)
	case r2.ErrMetadataTooLarge.Code:
		return newErr(400, "MetadataTooLarge", e.Message)
	case r2.ErrInvalidObjectName.Code:
		return newErr(400, "InvalidObjectName", e.Message)
	case r2.ErrInvalidMaxKeys.Code:
		return invalidArgument(e.Message)
	case r2.ErrInvalidPart.Code, r2.ErrBadUpload.Code:
		return newErr(400, "InvalidPart", e.Message)
	}
	return internal(err)
}

// internal hides err from the client behind R2's InternalError, keeping it for the log.
func internal(err error) *Error {
	e := *errInternal
	e.cause = err
	return &e
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// writeError sends err as S3 does: an XML document, except for HEAD, whose errors carry
// only the status (R2-065).
func writeError(w http.ResponseWriter, r *http.Request, err *Error) {
	h := w.Header()
	if r.Method == http.MethodHead {
		w.WriteHeader(err.Status)
		return
	}
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString("<Error><Code>")
	escape(&b, err.Code)
	b.WriteString("</Code><Message>")
	escape(&b, err.Message)
	b.WriteString("</Message>")
	for _, kv := range err.Extra {
		b.WriteString("<" + kv[0] + ">")
		escape(&b, kv[1])
		b.WriteString("</" + kv[0] + ">")
	}
	b.WriteString("</Error>")
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(err.Status)
	w.Write([]byte(b.String()))
}

// escape writes s as XML character data, escaping ' as &apos; like R2.
func escape(b *strings.Builder, s string) {
	for _, c := range s {
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			b.WriteRune(c)
		}
	}
}
