package kvtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/flarego/flarego/kv"
)

// opaqueReader hides the length of its contents, like a stream without a Content-Length.
type opaqueReader struct{ r io.Reader }

func (o opaqueReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func testWrite(t *testing.T, newDriver NewDriver) {
	ctx := context.Background()

	t.Run("KV008_PutValueForms", func(t *testing.T) {
		ns := open(t, newDriver)
		noErr(t, ns.Put(ctx, "bytes", []byte{0, 1, 2, 255}))
		noErr(t, ns.PutString(ctx, "string", "héllo"))
		noErr(t, ns.PutReader(ctx, "reader", opaqueReader{strings.NewReader("streamed")}))
		noErr(t, ns.PutJSON(ctx, "json", map[string]int{"a": 1}))
		b, err := ns.Get(ctx, "bytes")
		noErr(t, err)
		if !bytes.Equal(b, []byte{0, 1, 2, 255}) {
			t.Fatalf("bytes: %v", b)
		}
		if getText(t, ns, "string") != "héllo" || getText(t, ns, "reader") != "streamed" ||
			getText(t, ns, "json") != `{"a":1}` {
			t.Fatal("value forms not stored as given")
		}
		err = ns.PutReader(ctx, "nil", nil)
		errIs(t, err, kv.ErrInvalidValue)
		errText(t, err, "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.")
	})

	t.Run("KV009_EmptyValue", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "empty", "")
		noErr(t, ns.Put(ctx, "nil", nil))
		for _, k := range []string{"empty", "nil"} {
			b, err := ns.Get(ctx, k)
			noErr(t, err)
			if b == nil || len(b) != 0 {
				t.Fatalf("%s: got %v, want an empty non-nil value", k, b)
			}
			if s := getText(t, ns, k); s != "" {
				t.Fatalf("%s: got %q", k, s)
			}
		}
	})

	t.Run("KV010_ValueSizeLimit", func(t *testing.T) {
		ns := open(t, newDriver)
		exact := bytes.Repeat([]byte{'v'}, kv.MaxValueSize)
		noErr(t, ns.Put(ctx, "exact", exact))
		got, err := ns.Get(ctx, "exact")
		noErr(t, err)
		if len(got) != kv.MaxValueSize {
			t.Fatalf("stored %d bytes", len(got))
		}
		over := append(exact, 'v')
		err = ns.Put(ctx, "over", over)
		errText(t, err, "KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.")
		errIs(t, err, kv.ErrValueTooLarge)
		// A reader that knows its length is refused before it is read.
		r := bytes.NewReader(over)
		errText(t, ns.PutReader(ctx, "over", r), "KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.")
		if r.Len() != len(over) {
			t.Fatal("a reader of known oversized length was read")
		}
		// A stream of unknown length is counted to its end.
		stream := opaqueReader{io.MultiReader(bytes.NewReader(exact), strings.NewReader("0123456789"))}
		errText(t, ns.PutReader(ctx, "over", stream), "KV PUT failed: 413 Value length of 26214410 exceeds limit of 26214400.")
		noErr(t, ns.PutReader(ctx, "exactStream", opaqueReader{bytes.NewReader(exact)}))
		missing(t, ns, "over")
	})

	t.Run("KV011_MetadataLimit", func(t *testing.T) {
		ns := open(t, newDriver)
		// A JSON string of 1023 characters serialises to 1025 bytes with its quotes.
		err := ns.PutString(ctx, "k", "v", kv.WithMetadata(strings.Repeat("m", 1023)))
		errText(t, err, "KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024.")
		errIs(t, err, kv.ErrMetadataTooLarge)
		missing(t, ns, "k")
		// Counted as JSON.stringify counts: "<" is one byte, not an escape sequence.
		put(t, ns, "k", "v", kv.WithMetadata(strings.Repeat("<", 1022)))
		e, err := ns.GetWithMetadata(ctx, "k")
		noErr(t, err)
		if len(e.Metadata) != 1024 {
			t.Fatalf("metadata stored as %d bytes", len(e.Metadata))
		}
		// Metadata must be serialisable.
		if err := ns.PutString(ctx, "bad", "v", kv.WithMetadata(func() {})); err == nil {
			t.Fatal("unserialisable metadata accepted")
		}
		// null metadata is no metadata.
		put(t, ns, "null", "v", kv.WithMetadata(nil))
		e, err = ns.GetWithMetadata(ctx, "null")
		noErr(t, err)
		if e.Metadata != nil {
			t.Fatalf("null metadata stored as %q", e.Metadata)
		}
	})

	t.Run("KV017_OverwriteReplacesAll", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "k", "v1", kv.WithMetadata(map[string]int{"a": 1}), kv.WithExpirationTTL(3600e9))
		put(t, ns, "k", "v2")
		e, err := ns.GetWithMetadata(ctx, "k")
		noErr(t, err)
		if string(e.Value) != "v2" || e.Metadata != nil {
			t.Fatalf("after overwrite: %q %q", e.Value, e.Metadata)
		}
		page, err := ns.List(ctx, kv.ListOptions{})
		noErr(t, err)
		if len(page.Keys) != 1 || !page.Keys[0].Expiration.IsZero() {
			t.Fatalf("expiration kept after overwrite: %+v", page.Keys)
		}
	})

	t.Run("KV019_DeleteMissingKey", func(t *testing.T) {
		ns := open(t, newDriver)
		noErr(t, ns.Delete(ctx, "never-there"))
		put(t, ns, "k", "v")
		noErr(t, ns.Delete(ctx, "k"))
		noErr(t, ns.Delete(ctx, "k"))
		missing(t, ns, "k")
	})

	t.Run("KV037_LastWriteWins", func(t *testing.T) {
		ns := open(t, newDriver)
		for i := range 5 {
			put(t, ns, "seq", fmt.Sprint(i))
		}
		if v := getText(t, ns, "seq"); v != "4" {
			t.Fatalf("sequential writes: got %q", v)
		}
		// Concurrent writers all succeed and one of them wins whole.
		const writers = 16
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Go(func() { errs <- ns.PutString(ctx, "race", fmt.Sprintf("writer-%02d", i)) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			noErr(t, err)
		}
		v := getText(t, ns, "race")
		var n int
		if _, err := fmt.Sscanf(v, "writer-%02d", &n); err != nil || n < 0 || n >= writers {
			t.Fatalf("concurrent writes left %q", v)
		}
	})

	t.Run("KV039_NotSerializable", func(t *testing.T) {
		ns := open(t, newDriver)
		_, err := ns.MarshalJSON()
		errIs(t, err, kv.ErrNotSerializable)
		errText(t, err, "A KV namespace binding cannot be serialized.")
		_, err = ns.GobEncode()
		errIs(t, err, kv.ErrNotSerializable)
	})
}
