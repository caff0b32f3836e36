package ai

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net/http"
	"strings"
	"sync"
)

// Stream is a run's body when it is not JSON: the text/event-stream of a streamed
// generation (AI-005), or the bytes of an image or audio model. It is an io.ReadCloser a
// handler can return as a response body; Close releases the provider's stream and must be
// called if the body is not read to the end.
type Stream struct {
	body        io.ReadCloser
	contentType string
}

// NewStream wraps body as a run's result with its content type. Providers of non-JSON tasks
// return it from RunTask.
func NewStream(body io.ReadCloser, contentType string) *Stream {
	return &Stream{body: body, contentType: contentType}
}

// Read reads the body.
func (s *Stream) Read(p []byte) (int, error) { return s.body.Read(p) }

// Close releases the body.
func (s *Stream) Close() error { return s.body.Close() }

// ContentType is the body's media type: "text/event-stream" for streamed generations.
func (s *Stream) ContentType() string { return s.contentType }

// Response wraps the stream as a 200 response with its Content-Type, ready for a handler to
// return.
func (s *Stream) Response() *http.Response {
	h := http.Header{}
	h.Set("Content-Type", s.contentType)
	return response(http.StatusOK, h, s)
}

// EventStreamContentType is the content type of streamed generations.
const EventStreamContentType = "text/event-stream"

// newEventStream serialises chunks as the platform's server-sent events: one
// `data: {"response":"…"}` event per chunk, then `data: [DONE]`. Chunks are pulled as the
// reader is read, so a slow reader slows the provider down instead of buffering.
// next and stop are a pulled chunk sequence (iter.Pull2); cancel, when set, is called first
// on Close to unblock a provider waiting on the network.
func newEventStream(next func() (StreamChunk, error, bool), stop, cancel func()) *Stream {
	return NewStream(&sseReader{next: next, stop: stop, cancel: cancel}, EventStreamContentType)
}

var errStreamClosed = errors.New("ai: read from a closed stream")

type sseReader struct {
	cancel func()
	mu     sync.Mutex
	next   func() (StreamChunk, error, bool)
	stop   func()
	buf    bytes.Buffer
	done   bool
	err    error
}

func (r *sseReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == errStreamClosed {
		return 0, r.err
	}
	for r.buf.Len() == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		chunk, err, ok := r.next()
		switch {
		case !ok:
			r.buf.WriteString("data: [DONE]\n\n")
			r.done = true
			r.stop()
			if r.cancel != nil {
				r.cancel()
			}
		case err != nil:
			r.err = err
			r.stop()
		default:
			r.buf.WriteString("data: ")
			b, _ := json.Marshal(chunk)
			r.buf.Write(b)
			r.buf.WriteString("\n\n")
		}
	}
	return r.buf.Read(p)
}

func (r *sseReader) Close() error {
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = errStreamClosed
	r.buf.Reset()
	r.stop()
	return nil
}

// ReadEvents parses a text/event-stream of a streamed generation (what a *Stream of a text
// model carries) back into chunks. Iteration ends at `data: [DONE]`, at the end of r, or with
// the first malformed event as an error.
func ReadEvents(r io.Reader) iter.Seq2[StreamChunk, error] {
	return func(yield func(StreamChunk, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
		for sc.Scan() {
			line := sc.Text()
			data, ok := strings.CutPrefix(line, "data:")
			if !ok {
				continue // blank separators, comments, event names
			}
			data = strings.TrimSpace(data)
			if data == "[DONE]" {
				return
			}
			var c StreamChunk
			if err := json.Unmarshal([]byte(data), &c); err != nil {
				yield(StreamChunk{}, errors.New("ai: malformed stream event: "+data))
				return
			}
			if !yield(c, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(StreamChunk{}, err)
		}
	}
}

// chunksOf splits a finished generation into a stream of word-sized chunks, for providers
// that cannot stream: the client still gives the caller a well-formed event stream.
func chunksOf(out *TextGenerationOutput) iter.Seq2[StreamChunk, error] {
	return func(yield func(StreamChunk, error) bool) {
		rest := out.Response
		for rest != "" {
			// A chunk is a word with the spaces before it, as token streams look.
			i := len(rest) - len(strings.TrimLeft(rest, " "))
			n := len(rest)
			if j := strings.IndexByte(rest[i:], ' '); j >= 0 {
				n = i + j
			}
			if !yield(StreamChunk{Response: rest[:n]}, nil) {
				return
			}
			rest = rest[n:]
		}
		if len(out.ToolCalls) > 0 || out.Usage != nil {
			yield(StreamChunk{ToolCalls: out.ToolCalls, Usage: out.Usage}, nil)
		}
	}
}
