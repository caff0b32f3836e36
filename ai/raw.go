package ai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// rawResponse builds the response the platform's service would have sent for a run, for
// RunOptions.ReturnRawResponse: error statuses are responses too, not errors. Errors that
// never reach the service (aborts, refused inputs) stay errors.
func rawResponse(res any, err error, info *RequestInfo) (any, error) {
	h := http.Header{}
	h.Set("cf-ai-req-id", info.ID)
	if info.GatewayLogID != "" {
		h.Set("cf-aig-log-id", info.GatewayLogID)
	}
	if info.CacheStatus != "" {
		h.Set("cf-aig-cache-status", info.CacheStatus)
	}
	if err != nil {
		e, ok := errors.AsType[*Error](err)
		if !ok || e.Status == 0 {
			return nil, err
		}
		h.Set("Content-Type", "application/json")
		return response(e.Status, h, io.NopCloser(bytes.NewReader(e.body()))), nil
	}
	if s, ok := res.(*Stream); ok {
		h.Set("Content-Type", s.ContentType())
		return response(http.StatusOK, h, s), nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("ai: encoding the raw response: %w", err)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	r := response(http.StatusOK, h, io.NopCloser(bytes.NewReader(b)))
	r.ContentLength = int64(len(b))
	return r, nil
}

func response(status int, h http.Header, body io.ReadCloser) *http.Response {
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          body,
		ContentLength: -1,
	}
}
