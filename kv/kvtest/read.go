package kvtest

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/flarego/flarego/kv"
)

func testRead(t *testing.T, newDriver NewDriver) {
	ctx := context.Background()

	t.Run("KV001_MissingKey", func(t *testing.T) {
		ns := open(t, newDriver)
		_, err := ns.Get(ctx, "nope")
		errIs(t, err, kv.ErrNotFound)
		_, err = ns.GetText(ctx, "nope")
		errIs(t, err, kv.ErrNotFound)
		_, err = kv.GetJSON[int](ctx, ns, "nope")
		errIs(t, err, kv.ErrNotFound)
		_, err = ns.GetStream(ctx, "nope")
		errIs(t, err, kv.ErrNotFound)
		_, err = ns.GetWithMetadata(ctx, "nope")
		errIs(t, err, kv.ErrNotFound)
	})

	t.Run("KV002_ValueTypes", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "k", `{"n":1,"s":"x"}`)
		b, err := ns.Get(ctx, "k")
		noErr(t, err)
		if string(b) != `{"n":1,"s":"x"}` {
			t.Fatalf("bytes: %q", b)
		}
		if s := getText(t, ns, "k"); s != `{"n":1,"s":"x"}` {
			t.Fatalf("text: %q", s)
		}
		type doc struct {
			N int
			S string
		}
		d, err := kv.GetJSON[doc](ctx, ns, "k")
		noErr(t, err)
		if d != (doc{1, "x"}) {
			t.Fatalf("json: %+v", d)
		}
		rc, err := ns.GetStream(ctx, "k")
		noErr(t, err)
		streamed, err := io.ReadAll(rc)
		noErr(t, err)
		noErr(t, rc.Close())
		if string(streamed) != `{"n":1,"s":"x"}` {
			t.Fatalf("stream: %q", streamed)
		}
		// A value that is not JSON fails the json read with the decoder's error.
		put(t, ns, "text", "not json")
		if _, err := kv.GetJSON[doc](ctx, ns, "text"); err == nil {
			t.Fatal("json read of a non-JSON value succeeded")
		}
	})

	t.Run("KV004_KeyNames", func(t *testing.T) {
		ns := open(t, newDriver)
		cases := []struct {
			key  string
			want error
			text string
		}{
			{"", kv.ErrEmptyKey, "Key name cannot be empty."},
			{".", kv.ErrDotKey, `"." is not allowed as a key name.`},
			{"..", kv.ErrDotDotKey, `".." is not allowed as a key name.`},
		}
		for _, c := range cases {
			for name, call := range map[string]func() error{
				"get":             func() error { _, err := ns.Get(ctx, c.key); return err },
				"getText":         func() error { _, err := ns.GetText(ctx, c.key); return err },
				"getWithMetadata": func() error { _, err := ns.GetWithMetadata(ctx, c.key); return err },
				"put":             func() error { return ns.PutString(ctx, c.key, "v") },
				"putReader":       func() error { return ns.PutReader(ctx, c.key, strings.NewReader("v")) },
				"delete":          func() error { return ns.Delete(ctx, c.key) },
			} {
				err := call()
				errIs(t, err, c.want)
				if err.Error() != c.text {
					t.Fatalf("%s(%q): %q, want %q", name, c.key, err, c.text)
				}
			}
		}
		// Names that merely contain dots are fine.
		put(t, ns, "...", "3")
		put(t, ns, "./", "slash")
		if getText(t, ns, "...") != "3" || getText(t, ns, "./") != "slash" {
			t.Fatal("dotted names not stored")
		}
	})

	t.Run("KV005_KeyLengthInUTF8Bytes", func(t *testing.T) {
		ns := open(t, newDriver)
		long := strings.Repeat("x", 513)
		_, err := ns.Get(ctx, long)
		errText(t, err, "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.")
		errIs(t, err, kv.ErrKeyTooLong)
		errText(t, ns.PutString(ctx, long, "v"), "KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.")
		errText(t, ns.Delete(ctx, long), "KV DELETE failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.")
		// 171 three-byte characters: 171 characters but 513 bytes.
		euros := strings.Repeat("€", 171)
		errText(t, ns.PutString(ctx, euros, "v"), "KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.")
		// Exactly 512 bytes is accepted.
		max := strings.Repeat("€", 170) + "ab"
		put(t, ns, max, "ok")
		if getText(t, ns, max) != "ok" {
			t.Fatal("512-byte key not stored")
		}
		put(t, ns, strings.Repeat("y", 512), "ok")
	})

	t.Run("KV005_InvalidUTF8Key", func(t *testing.T) {
		ns := open(t, newDriver)
		// What a JavaScript string with a lone surrogate becomes: the service cannot decode it.
		_, err := ns.Get(ctx, "a\xed\xa0\x80")
		errText(t, err, "KV GET failed: 400 Could not URL-decode key name")
	})

	t.Run("KV007_CacheTTL", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "k", "v")
		_, err := ns.Get(ctx, "k", kv.WithCacheTTL(10*time.Second))
		errText(t, err, "KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 60.")
		errIs(t, err, kv.ErrInvalidCacheTTL)
		_, err = ns.GetText(ctx, "k", kv.WithCacheTTL(30*time.Second))
		errText(t, err, "KV GET failed: 400 Invalid cache_ttl of 30. Cache TTL must be at least 60.")
		_, err = ns.Get(ctx, "k", kv.WithCacheTTL(0))
		errText(t, err, "KV GET failed: 400 Invalid cache_ttl of 0. Cache TTL must be at least 60.")
		v, err := ns.GetText(ctx, "k", kv.WithCacheTTL(60*time.Second))
		noErr(t, err)
		if v != "v" {
			t.Fatalf("got %q", v)
		}
		// Also checked for a missing key: validation comes before the lookup.
		_, err = ns.Get(ctx, "missing", kv.WithCacheTTL(time.Second))
		errIs(t, err, kv.ErrInvalidCacheTTL)
	})

	t.Run("KV007_CacheTTLConfigurableMinimum", func(t *testing.T) {
		ns := open(t, newDriver, kv.Options{MinCacheTTL: 30 * time.Second})
		put(t, ns, "k", "v")
		_, err := ns.Get(ctx, "k", kv.WithCacheTTL(30*time.Second))
		noErr(t, err)
		_, err = ns.Get(ctx, "k", kv.WithCacheTTL(29*time.Second))
		errText(t, err, "KV GET failed: 400 Invalid cache_ttl of 29. Cache TTL must be at least 30.")
	})

	t.Run("KV016_GetWithMetadata", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "plain", "v1")
		e, err := ns.GetWithMetadata(ctx, "plain")
		noErr(t, err)
		if string(e.Value) != "v1" || e.Metadata != nil {
			t.Fatalf("without metadata: %q %q", e.Value, e.Metadata)
		}
		put(t, ns, "meta", "v2", kv.WithMetadata(map[string]any{"testing": true}))
		e, err = ns.GetWithMetadata(ctx, "meta")
		noErr(t, err)
		if string(e.Value) != "v2" || string(e.Metadata) != `{"testing":true}` {
			t.Fatalf("with metadata: %q %q", e.Value, e.Metadata)
		}
		type meta struct{ Testing bool }
		je, err := kv.GetWithMetadataJSON[string](ctx, ns, "json")
		errIs(t, err, kv.ErrNotFound)
		put(t, ns, "json", `"hello"`, kv.WithMetadata(meta{true}))
		je, err = kv.GetWithMetadataJSON[string](ctx, ns, "json")
		noErr(t, err)
		var m meta
		noErr(t, json.Unmarshal(je.Metadata, &m))
		if je.Value != "hello" || !m.Testing {
			t.Fatalf("json with metadata: %+v", je)
		}
	})

	t.Run("KV018_CaseSensitiveKeys", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "key", "lower")
		put(t, ns, "KEY", "upper")
		if getText(t, ns, "key") != "lower" || getText(t, ns, "KEY") != "upper" {
			t.Fatal("keys differing in case collided")
		}
	})

	t.Run("KV036_ReadYourWrites", func(t *testing.T) {
		ns := open(t, newDriver)
		missing(t, ns, "k") // a negative lookup is not cached locally
		put(t, ns, "k", "1")
		if getText(t, ns, "k") != "1" {
			t.Fatal("write not visible at once")
		}
		noErr(t, ns.Delete(ctx, "k"))
		missing(t, ns, "k")
	})
}
