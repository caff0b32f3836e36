package ai_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/flarego/flarego/ai"
)

// AI-005: the stream can be returned as a handler's response body as it is.
func TestStream_AI005_AsResponse(t *testing.T) {
	c := ai.NewFake(map[string]any{llama: "Hello, world"}).Client()
	res, err := c.Run(context.Background(), llama, map[string]any{"prompt": "hi", "stream": true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := res.(*ai.Stream).Response()
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %v", r.StatusCode, r.Header)
	}
	b, _ := io.ReadAll(r.Body)
	want := "data: {\"response\":\"Hello,\"}\n\ndata: {\"response\":\" world\"}\n\ndata: [DONE]\n\n"
	if string(b) != want {
		t.Fatalf("body %q", b)
	}
}

func TestStream_CloseEarlyStopsTheProvider(t *testing.T) {
	c := ai.NewFake(map[string]any{llama: strings.Repeat("word ", 1000)}).Client()
	res, _ := c.Run(context.Background(), llama, map[string]any{"prompt": "hi", "stream": true}, nil)
	s := res.(*ai.Stream)
	buf := make([]byte, 10)
	if _, err := s.Read(buf); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := s.Read(buf); err == nil {
		t.Fatal("read after close succeeded")
	}
}

func TestReadEvents(t *testing.T) {
	in := ": comment\nevent: message\ndata: {\"response\":\"a\"}\n\ndata:{\"response\":\"b\"}\n\ndata: [DONE]\n\ndata: {\"response\":\"after\"}\n\n"
	var got []string
	for c, err := range ai.ReadEvents(strings.NewReader(in)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Response)
	}
	if strings.Join(got, ",") != "a,b" {
		t.Fatalf("%v", got)
	}
	for _, err := range ai.ReadEvents(strings.NewReader("data: {oops\n\n")) {
		if err == nil {
			t.Fatal("malformed event accepted")
		}
	}
}
