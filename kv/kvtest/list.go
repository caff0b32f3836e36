package kvtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/flarego/flarego/kv"
)

func testList(t *testing.T, newDriver NewDriver) {
	ctx := context.Background()

	t.Run("KV026_ByteOrder", func(t *testing.T) {
		ns := open(t, newDriver)
		// "\uffff" sorts before "😀" in UTF-8 (EF… < F0…), after it in UTF-16.
		for _, k := range []string{", ", "!", "😀", "\uffff", "a", "B", "é"} {
			put(t, ns, k, "v")
		}
		got := listNames(t, ns, kv.ListOptions{})
		want := []string{"!", ", ", "B", "a", "é", "\uffff", "😀"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("order %q, want %q", got, want)
		}
		page, err := ns.List(ctx, kv.ListOptions{})
		noErr(t, err)
		if !page.ListComplete || page.Cursor != "" {
			t.Fatalf("single page: complete=%v cursor=%q", page.ListComplete, page.Cursor)
		}
	})

	t.Run("KV026_NULBytesInKeys", func(t *testing.T) {
		ns := open(t, newDriver)
		keys := []string{"a", "a\x00", "a\x00\x00", "a\x00b", "a\x01", "b"}
		for _, k := range keys {
			put(t, ns, k, k)
		}
		for _, k := range keys {
			if getText(t, ns, k) != k {
				t.Fatalf("%q read back wrong", k)
			}
		}
		// One key a page: each cursor must continue right after a key that ends in NUL.
		got := listNames(t, ns, kv.ListOptions{Limit: 1})
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", keys) {
			t.Fatalf("paged %q", got)
		}
		if got := listNames(t, ns, kv.ListOptions{Prefix: "a\x00"}); len(got) != 3 {
			t.Fatalf("prefix a\\x00: %q", got)
		}
	})

	t.Run("KV026_DefaultPageIs1000", func(t *testing.T) {
		ns := open(t, newDriver)
		for i := range kv.MaxListLimit + 1 {
			put(t, ns, fmt.Sprintf("k%04d", i), "")
		}
		page, err := ns.List(ctx, kv.ListOptions{})
		noErr(t, err)
		if len(page.Keys) != kv.MaxListLimit || page.ListComplete || page.Cursor == "" {
			t.Fatalf("first page: %d keys, complete=%v", len(page.Keys), page.ListComplete)
		}
		page, err = ns.List(ctx, kv.ListOptions{Cursor: page.Cursor})
		noErr(t, err)
		if len(page.Keys) != 1 || page.Keys[0].Name != "k1000" || !page.ListComplete {
			t.Fatalf("second page: %+v", page)
		}
	})

	t.Run("KV027_PrefixIsLiteral", func(t *testing.T) {
		ns := open(t, newDriver)
		for _, k := range []string{"a%b", "axb", "a_b", `a\b`, "A_b", "a_bc", "ab"} {
			put(t, ns, k, "v")
		}
		for prefix, want := range map[string]string{
			"a%": "[a%b]",
			"a_": "[a_b a_bc]",
			`a\`: `[a\b]`,
			"A":  "[A_b]",
			"":   `[A_b a%b a\b a_b a_bc ab axb]`,
			"z":  "[]",
		} {
			if got := fmt.Sprint(listNames(t, ns, kv.ListOptions{Prefix: prefix})); got != want {
				t.Fatalf("prefix %q: %s, want %s", prefix, got, want)
			}
		}
	})

	t.Run("KV028_PrefixLength", func(t *testing.T) {
		ns := open(t, newDriver)
		_, err := ns.List(ctx, kv.ListOptions{Prefix: strings.Repeat("p", 513)})
		errText(t, err, "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.")
		errIs(t, err, kv.ErrKeyTooLong)
		key := strings.Repeat("p", 512)
		put(t, ns, key, "v")
		if got := listNames(t, ns, kv.ListOptions{Prefix: key}); len(got) != 1 {
			t.Fatalf("512-byte prefix: %d keys", len(got))
		}
	})

	t.Run("KV029_Limit", func(t *testing.T) {
		ns := open(t, newDriver)
		_, err := ns.List(ctx, kv.ListOptions{Limit: 1001})
		errText(t, err, "KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000.")
		errIs(t, err, kv.ErrInvalidListOptions)
		_, err = ns.List(ctx, kv.ListOptions{Limit: -1})
		errText(t, err, "KV GET failed: 400 Invalid key_count_limit of -1. Please specify an integer greater than 0.")
		for _, limit := range []int{0, 1, 1000} {
			_, err := ns.List(ctx, kv.ListOptions{Limit: limit})
			noErr(t, err)
		}
		_, err = ns.List(ctx, kv.ListOptions{Cursor: "!!not a cursor"})
		errIs(t, err, kv.ErrInvalidListOptions)
	})

	t.Run("KV030_Pagination", func(t *testing.T) {
		ns := open(t, newDriver)
		for _, k := range []string{"k1", "k2", "k3", "k4", "k5"} {
			put(t, ns, k, "v")
		}
		var pages []string
		opts := kv.ListOptions{Limit: 2}
		for {
			page, err := ns.List(ctx, opts)
			noErr(t, err)
			pages = append(pages, fmt.Sprint(names(page)))
			if page.ListComplete {
				if page.Cursor != "" {
					t.Fatalf("last page has cursor %q", page.Cursor)
				}
				b, err := json.Marshal(page)
				noErr(t, err)
				if string(b) != `{"keys":[{"name":"k5"}],"list_complete":true}` {
					t.Fatalf("last page JSON: %s", b)
				}
				break
			}
			if page.Cursor == "" {
				t.Fatal("incomplete page without cursor")
			}
			opts.Cursor = page.Cursor
		}
		if fmt.Sprint(pages) != "[[k1 k2] [k3 k4] [k5]]" {
			t.Fatalf("pages %v", pages)
		}
	})

	t.Run("KV031_VariableLimit", func(t *testing.T) {
		ns := open(t, newDriver)
		for i := range 7 {
			put(t, ns, fmt.Sprint("p/", i), "v")
		}
		put(t, ns, "q", "v")
		var got []string
		opts := kv.ListOptions{Prefix: "p/"}
		for _, limit := range []int{1, 3, 2, 5} {
			opts.Limit = limit
			page, err := ns.List(ctx, opts)
			noErr(t, err)
			got = append(got, names(page)...)
			if page.ListComplete {
				break
			}
			opts.Cursor = page.Cursor
		}
		if fmt.Sprint(got) != "[p/0 p/1 p/2 p/3 p/4 p/5 p/6]" {
			t.Fatalf("got %v", got)
		}
	})

	t.Run("KV032_InsertWhilePaging", func(t *testing.T) {
		ns := open(t, newDriver)
		for _, k := range []string{"b", "d", "f"} {
			put(t, ns, k, "v")
		}
		page, err := ns.List(ctx, kv.ListOptions{Limit: 1})
		noErr(t, err)
		if fmt.Sprint(names(page)) != "[b]" {
			t.Fatalf("first page %v", names(page))
		}
		put(t, ns, "a", "v") // before the cursor: not seen
		put(t, ns, "c", "v") // after it: seen
		noErr(t, ns.Delete(ctx, "d"))
		rest := listNames(t, ns, kv.ListOptions{Cursor: page.Cursor})
		if fmt.Sprint(rest) != "[c f]" {
			t.Fatalf("rest %v", rest)
		}
		// A cursor stays valid after its own key is deleted.
		noErr(t, ns.Delete(ctx, "b"))
		rest = listNames(t, ns, kv.ListOptions{Cursor: page.Cursor})
		if fmt.Sprint(rest) != "[c f]" {
			t.Fatalf("after deleting the cursor key: %v", rest)
		}
	})

	t.Run("KV034_ListShowsMetadata", func(t *testing.T) {
		ns := open(t, newDriver)
		put(t, ns, "m", "v", kv.WithMetadata(map[string]any{"a": []int{1, 2}, "s": "x"}))
		put(t, ns, "n", "v")
		page, err := ns.List(ctx, kv.ListOptions{})
		noErr(t, err)
		if string(page.Keys[0].Metadata) != `{"a":[1,2],"s":"x"}` || page.Keys[1].Metadata != nil {
			t.Fatalf("metadata %q %q", page.Keys[0].Metadata, page.Keys[1].Metadata)
		}
		b, err := json.Marshal(page.Keys)
		noErr(t, err)
		if string(b) != `[{"name":"m","metadata":{"a":[1,2],"s":"x"}},{"name":"n"}]` {
			t.Fatalf("JSON %s", b)
		}
		var back []kv.Key
		noErr(t, json.Unmarshal(b, &back))
		if back[0].Name != "m" || string(back[0].Metadata) != `{"a":[1,2],"s":"x"}` {
			t.Fatalf("round trip %+v", back)
		}
	})

	t.Run("KV035_KeysIterator", func(t *testing.T) {
		ns := open(t, newDriver)
		for i := range 25 {
			put(t, ns, fmt.Sprintf("it/%02d", i), "v")
		}
		var n int
		for k, err := range ns.Keys(ctx, kv.ListOptions{Prefix: "it/", Limit: 7}) {
			noErr(t, err)
			if k.Name != fmt.Sprintf("it/%02d", n) {
				t.Fatalf("key %d is %q", n, k.Name)
			}
			n++
			if n == 20 {
				break // stopping early is fine
			}
		}
		if n != 20 {
			t.Fatalf("iterated %d keys", n)
		}
		for _, err := range ns.Keys(ctx, kv.ListOptions{Limit: 5000}) {
			errIs(t, err, kv.ErrInvalidListOptions)
		}
	})
}

func names(page kv.ListResult) []string {
	out := make([]string, len(page.Keys))
	for i, k := range page.Keys {
		out[i] = k.Name
	}
	return out
}
