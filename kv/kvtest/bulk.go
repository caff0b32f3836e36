package kvtest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flarego/flarego/kv"
)

func testBulk(t *testing.T, newDriver NewDriver) {
	ctx := context.Background()

	t.Run("KV020_EveryKeyInResult", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "a", "1")
		put(t, ns, "b", "2")
		got, err := ns.GetBulk(ctx, []string{"a", "b", "missing"})
		noErr(t, err)
		if len(got) != 3 || *got["a"] != "1" || *got["b"] != "2" {
			t.Fatalf("got %v", got)
		}
		if v, ok := got["missing"]; !ok || v != nil {
			t.Fatalf("missing key: present=%v value=%v", ok, v)
		}
	})

	t.Run("KV021_KeyCount", func(t *testing.T) {
		ns := open(t, newDriver)
		keys := make([]string, 101)
		for i := range keys {
			keys[i] = fmt.Sprint("k", i)
		}
		_, err := ns.GetBulk(ctx, keys)
		errText(t, err, "KV GET_BULK failed: 400 You can request a maximum of 100 keys")
		errIs(t, err, kv.ErrBulkRequest)
		_, err = ns.GetBulk(ctx, nil)
		errText(t, err, "KV GET_BULK failed: 400 You must request a minimum of 1 key")
		got, err := ns.GetBulk(ctx, keys[:100])
		noErr(t, err)
		if len(got) != 100 {
			t.Fatalf("%d entries", len(got))
		}
	})

	t.Run("KV021_KeysCheckedByService", func(t *testing.T) {
		ns := open(t, newDriver)
		// Bulk keys are not checked by the binding, so the service's texts apply.
		_, err := ns.GetBulk(ctx, []string{"a", ""})
		errText(t, err, "KV GET_BULK failed: 400 Key names must not be empty")
		_, err = ns.GetBulk(ctx, []string{".."})
		errText(t, err, `KV GET_BULK failed: 400 Illegal key name "..". Please use a different name.`)
		_, err = ns.GetBulk(ctx, []string{strings.Repeat("x", 513)})
		errText(t, err, "KV GET_BULK failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.")
		_, err = ns.GetBulk(ctx, []string{"a"}, kv.WithCacheTTL(10*time.Second))
		errText(t, err, "KV GET_BULK failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 60.")
	})

	t.Run("KV023_JSONBulk", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "n", "1")
		put(t, ns, "o", `{"x":2}`)
		put(t, ns, "null", "null")
		nums, err := kv.GetBulkJSON[int](ctx, ns, []string{"n", "missing"})
		noErr(t, err)
		if *nums["n"] != 1 || nums["missing"] != nil {
			t.Fatalf("got %v", nums)
		}
		anys, err := kv.GetBulkJSON[any](ctx, ns, []string{"o", "null"})
		noErr(t, err)
		if fmt.Sprint(*anys["o"]) != "map[x:2]" || anys["null"] != nil {
			t.Fatalf("got %v", anys)
		}
		put(t, ns, "text", "not json")
		_, err = kv.GetBulkJSON[any](ctx, ns, []string{"n", "text"})
		errText(t, err, "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value")
		_, err = kv.GetBulkWithMetadataJSON[any](ctx, ns, []string{"text"})
		errIs(t, err, kv.ErrBulkRequest)
	})

	t.Run("KV024_BulkWithMetadata", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "empty", "")
		put(t, ns, "zero", "0", kv.WithMetadata(map[string]int{"m": 0}))
		put(t, ns, "false", "false")
		got, err := ns.GetBulkWithMetadata(ctx, []string{"empty", "zero", "false", "missing"})
		noErr(t, err)
		if e := got["empty"]; e == nil || e.Value != "" || e.Metadata != nil {
			t.Fatalf("empty: %+v", e)
		}
		if e := got["zero"]; e == nil || e.Value != "0" || string(e.Metadata) != `{"m":0}` {
			t.Fatalf("zero: %+v", e)
		}
		if e := got["false"]; e == nil || e.Value != "false" {
			t.Fatalf("false: %+v", e)
		}
		if e, ok := got["missing"]; !ok || e != nil {
			t.Fatalf("missing: %+v", e)
		}
		typed, err := kv.GetBulkWithMetadataJSON[bool](ctx, ns, []string{"false", "missing"})
		noErr(t, err)
		if e := typed["false"]; e == nil || e.Value != false || e.Metadata != nil || typed["missing"] != nil {
			t.Fatalf("typed: %+v", typed)
		}
		texts, err := ns.GetBulk(ctx, []string{"empty", "zero"})
		noErr(t, err)
		if texts["empty"] == nil || *texts["empty"] != "" || *texts["zero"] != "0" {
			t.Fatalf("falsy text values: %v", texts)
		}
	})

	t.Run("KV025_TotalSizeLimit", func(t *testing.T) {
		ns := open(t, newDriver)
		half := bytes.Repeat([]byte{'x'}, kv.MaxBulkSize/2)
		noErr(t, ns.Put(ctx, "a", half))
		noErr(t, ns.Put(ctx, "b", half))
		got, err := ns.GetBulk(ctx, []string{"a", "b"}) // exactly the limit
		noErr(t, err)
		if len(*got["a"])+len(*got["b"]) != kv.MaxBulkSize {
			t.Fatal("values cut")
		}
		noErr(t, ns.PutString(ctx, "c", "1"))
		_, err = ns.GetBulk(ctx, []string{"a", "b", "c"})
		errText(t, err, "KV GET_BULK failed: 413 Total size of request exceeds the limit of 25MB")
		errIs(t, err, kv.ErrBulkTooLarge)
	})
}
