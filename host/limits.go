package host

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/flarego/flarego/worker"
)

// limitsFor computes a worker's budget from its config and the runner's switches.
func (r *Runner) limitsFor(w *workerSlot) worker.Limits {
	var l worker.Limits
	if r.opts.StrictLimits {
		l = worker.ProductionLimits
	}
	if c := w.cfg.Limits; c != nil {
		if c.CPUMs > 0 {
			l.CPU = time.Duration(c.CPUMs) * time.Millisecond
		}
		if c.Subrequests > 0 {
			l.Subrequests = c.Subrequests
		}
	}
	return l
}

// errBodyTooLarge is returned by a request body read past Limits.MaxBody.
var errBodyTooLarge = errors.New("request body too large")

// checkRequest answers 414/431 when r is over the URL or header limits (W-018) and limits the
// body: a declared length over the limit is refused at once with 413, an undeclared one
// fails the read when it passes the limit.
func checkRequest(w http.ResponseWriter, r *http.Request, l worker.Limits) bool {
	if l.MaxURL > 0 && len(r.RequestURI) > l.MaxURL {
		http.Error(w, fmt.Sprintf("URL of %d bytes exceeds the limit of %d", len(r.RequestURI), l.MaxURL), http.StatusRequestURITooLong)
		return false
	}
	if l.MaxHeaderBytes > 0 {
		n := 0
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > l.MaxHeaderBytes {
			http.Error(w, fmt.Sprintf("request headers of %d bytes exceed the limit of %d", n, l.MaxHeaderBytes), http.StatusRequestHeaderFieldsTooLarge)
			return false
		}
	}
	if l.MaxBody > 0 {
		if r.ContentLength > l.MaxBody {
			http.Error(w, fmt.Sprintf("request body of %d bytes exceeds the limit of %d", r.ContentLength, l.MaxBody), http.StatusRequestEntityTooLarge)
			return false
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &limitedBody{ReadCloser: r.Body, left: l.MaxBody}
		}
	}
	return true
}

type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}
