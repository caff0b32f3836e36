package worker

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// NewResponse builds an *http.Response with the given status, headers (may be nil) and body
// (may be nil for no body). ContentLength is set when the body's size is known.
func NewResponse(status int, header http.Header, body io.Reader) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	resp := new(http.Response)
	*resp = responseHead(status, header, -1)
	switch b := body.(type) {
	case nil:
		resp.Body = http.NoBody
		resp.ContentLength = 0
	case *bytes.Reader:
		resp.ContentLength = int64(b.Len())
	case *strings.Reader:
		resp.ContentLength = int64(b.Len())
	case *stringBody:
		resp.ContentLength = int64(b.Len())
	case *bytes.Buffer:
		resp.ContentLength = int64(b.Len())
	}
	if resp.Body == nil {
		rc, ok := body.(io.ReadCloser)
		if !ok {
			rc = io.NopCloser(body)
		}
		resp.Body = rc
	}
	return resp
}

// Content types of the helpers. Each is a full slice (len == cap), so that Header.Add on a
// response copies instead of writing into the shared array.
var (
	textPlain = []string{"text/plain;charset=UTF-8"}
	textHTML  = []string{"text/html;charset=UTF-8"}
	appJSON   = []string{"application/json"}
)

// Text answers status with a text/plain body. It returns a nil error so that a handler can
// end with `return worker.Text(200, "ok")`.
func Text(status int, body string) (*http.Response, error) {
	return stringResponse(status, http.Header{"Content-Type": textPlain}, body), nil
}

// HTML answers status with a text/html body.
func HTML(status int, body string) (*http.Response, error) {
	return stringResponse(status, http.Header{"Content-Type": textHTML}, body), nil
}

// stringResponse is NewResponse over a string body, the response and its body made in one
// allocation: Text answers are the commonest responses there are.
func stringResponse(status int, header http.Header, body string) *http.Response {
	both := &struct {
		resp http.Response
		body stringBody
	}{}
	both.body.Reset(body)
	both.resp = responseHead(status, header, int64(len(body)))
	both.resp.Body = &both.body
	return &both.resp
}

// responseHead is an HTTP/1.1 response without a body.
func responseHead(status int, header http.Header, length int64) http.Response {
	return http.Response{
		Status:        statusLine(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		ContentLength: length,
	}
}

// stringBody is a response body over a string: a reader with a no-op Close, and a WriteTo
// for io.Copy.
type stringBody struct{ strings.Reader }

func (*stringBody) Close() error { return nil }

// JSON answers status with v encoded as JSON; the error is the encoding error, if any.
func JSON(status int, v any) (*http.Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return NewResponse(status, http.Header{"Content-Type": appJSON}, bytes.NewReader(b)), nil
}

// Redirect answers with a redirect to location; status defaults to 302 when 0.
func Redirect(status int, location string) (*http.Response, error) {
	if status == 0 {
		status = http.StatusFound
	}
	return NewResponse(status, http.Header{"Location": {location}}, nil), nil
}

// Error answers status with its standard text, or msg when given, as text/plain. It is a
// response, not a Go error: returning an error from Fetch means a 500 and a log line.
func Error(status int, msg string) (*http.Response, error) {
	if msg == "" {
		msg = http.StatusText(status)
	}
	return Text(status, msg)
}

var statusLines = func() map[int]string {
	m := map[int]string{}
	for code := 100; code < 600; code++ {
		if t := http.StatusText(code); t != "" {
			m[code] = strconv.Itoa(code) + " " + t
		}
	}
	return m
}()

// statusLine is "200 OK" for a status code, without allocating for the known ones.
func statusLine(code int) string {
	if s, ok := statusLines[code]; ok {
		return s
	}
	return strconv.Itoa(code)
}
