package worker

import (
	"context"
	"net/http"
	"time"
)

// maxOpenConnections is how many outbound fetches one invocation may have open at once;
// further ones wait for a slot (W-017).
const maxOpenConnections = 6

var outbound = &http.Client{
	Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	},
}

// Fetch makes an outbound HTTP request on behalf of the invocation ctx belongs to: it counts
// as a subrequest (W-016), adds the CF-Worker header (W-034) and waits for one of the
// invocation's six connection slots (W-017). The caller closes the response body, which
// frees the slot.
func Fetch(ctx context.Context, req *http.Request) (*http.Response, error) {
	if err := Subrequest(ctx); err != nil {
		return nil, err
	}
	name := "worker"
	if c := ContextFrom(ctx); c != nil && c.inv.workerName != "" {
		name = c.inv.workerName
	}
	req = req.Clone(ctx)
	if req.Header.Get("CF-Worker") == "" {
		req.Header.Set("CF-Worker", name+".example.com")
	}
	m, _ := ctx.Value(meterKey{}).(*meter)
	if m != nil {
		select {
		case m.connSlots() <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	resp, err := outbound.Do(req)
	if m == nil {
		return resp, err
	}
	if err != nil {
		<-m.connSlots()
		return nil, err
	}
	resp.Body = &slotBody{ReadCloser: resp.Body, release: func() { <-m.connSlots() }}
	return resp, nil
}
