package kvsqlite

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/flarego/flarego/kv"
)

// Values over inlineMax live in kv_blobs; every path that drops or replaces an entry must
// drop its blob too (KV-040).
func TestBlobsNeverLeak_KV040(t *testing.T) {
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "ns.sqlite"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	blobs := func() int {
		var n int
		if err := d.db.Read.QueryRow(`SELECT count(*) FROM kv_blobs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	big := bytes.Repeat([]byte("b"), inlineMax+1)
	small := []byte("s")
	put := func(key string, v []byte, exp int64) {
		t.Helper()
		if err := d.Put(ctx, kv.Record{Key: key, Value: v, Expiration: exp}); err != nil {
			t.Fatal(err)
		}
	}
	put("k", big, 0)
	put("k", big, 0)
	if n := blobs(); n != 1 {
		t.Fatalf("big over big: %d blobs", n)
	}
	put("k", small, 0)
	if n := blobs(); n != 0 {
		t.Fatalf("small over big: %d blobs", n)
	}
	put("k", big, 0)
	if err := d.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if n := blobs(); n != 0 {
		t.Fatalf("after delete: %d blobs", n)
	}
	put("a", big, 0)
	put("b", big, 0)
	if err := d.DeleteMany(ctx, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	put("e", big, time.Now().Add(-time.Minute).Unix())
	if _, err := d.PurgeExpired(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := blobs(); n != 0 {
		t.Fatalf("after bulk delete and purge: %d blobs", n)
	}
	// Values on both sides of the threshold read back whole.
	for _, n := range []int{0, 1, inlineMax, inlineMax + 1, 1 << 20} {
		v := bytes.Repeat([]byte{7}, n)
		put("v", v, 0)
		r, err := d.Get(ctx, "v", time.Now())
		if err != nil || !bytes.Equal(r.Value, v) {
			t.Fatalf("%d bytes read back as %d, %v", n, len(r.Value), err)
		}
	}
}
