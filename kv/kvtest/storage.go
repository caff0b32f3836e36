package kvtest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/flarego/flarego/kv"
)

func testStorage(t *testing.T, newDriver NewDriver) {
	ctx := context.Background()

	t.Run("KV040_ReplacedValuesFreed", func(t *testing.T) {
		ns := open(t, newDriver)
		sizer, ok := ns.Driver().(kv.Sizer)
		if !ok {
			t.Skip("driver does not report its size")
		}
		size := func() int64 {
			n, err := sizer.Size(ctx)
			noErr(t, err)
			return n
		}
		const valueSize = 256 << 10
		for i := range 12 {
			noErr(t, ns.Put(ctx, "k", bytes.Repeat([]byte{byte(i)}, valueSize)))
		}
		if n := size(); n > 3*valueSize {
			t.Fatalf("12 writes of one %d-byte key use %d bytes", valueSize, n)
		}
		noErr(t, ns.Delete(ctx, "k"))
		if n := size(); n > valueSize/2 {
			t.Fatalf("after delete the store uses %d bytes", n)
		}
	})

	t.Run("BatchWriterAtomicity", func(t *testing.T) {
		ns := open(t, newDriver)
		bw, ok := ns.Driver().(kv.BatchWriter)
		if !ok {
			t.Skip("driver has no batch writes")
		}
		noErr(t, bw.PutMany(ctx, []kv.Record{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("2")}}))
		if getText(t, ns, "a") != "1" || getText(t, ns, "b") != "2" {
			t.Fatal("batch not stored")
		}
		noErr(t, bw.DeleteMany(ctx, []string{"a", "b", "never"}))
		missing(t, ns, "a")
		missing(t, ns, "b")
	})

	t.Run("BatchGetterSnapshot", func(t *testing.T) {
		ns := open(t, newDriver)
		bg, ok := ns.Driver().(kv.BatchGetter)
		if !ok {
			t.Skip("driver has no batch reads")
		}
		put(t, ns, "x", "1", kv.WithMetadata(1))
		got, err := bg.GetMany(ctx, []string{"x", "y"}, time.Now())
		noErr(t, err)
		if len(got) != 1 || string(got["x"].Value) != "1" || string(got["x"].Metadata) != "1" {
			t.Fatalf("got %+v", got)
		}
	})

	t.Run("ClosedNamespace", func(t *testing.T) {
		ns := open(t, newDriver)
		noErr(t, ns.Close())
		noErr(t, ns.Close()) // idempotent
		_, err := ns.Get(ctx, "k")
		errIs(t, err, kv.ErrClosed)
		errIs(t, ns.PutString(ctx, "k", "v"), kv.ErrClosed)
	})
}
