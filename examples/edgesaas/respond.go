package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/flarego/flarego/worker"
)

// maxJSONBody bounds the JSON bodies the API reads.
const maxJSONBody = 1 << 20

// decode reads a JSON body into a T.
func decode[T any](req *http.Request) (T, error) {
	var v T
	dec := json.NewDecoder(io.LimitReader(req.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, fmt.Errorf("invalid JSON body: %w", err)
	}
	return v, nil
}

// fail answers {"error": msg} with status. Client mistakes get a message; server failures
// are returned as Go errors instead, which the runner logs and answers with a 500.
func fail(status int, msg string) (*http.Response, error) {
	return worker.JSON(status, map[string]string{"error": msg})
}
