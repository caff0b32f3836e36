package kv_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvtest"
	"github.com/flarego/flarego/worker"
)

// minimal hides every optional capability of the driver it wraps, so the suite also proves
// the Namespace's fallbacks (bulk reads and writes by single calls, no purging).
type minimal struct{ kv.Driver }

func TestMinimalDriverConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Driver { return minimal{kv.NewMemoryDriver()} })
}

// failing is a driver whose storage is broken.
type failing struct{ err error }

func (f failing) Get(context.Context, string, time.Time) (kv.Record, error) {
	return kv.Record{}, f.err
}
func (f failing) Put(context.Context, kv.Record) error { return f.err }
func (f failing) Delete(context.Context, string) error { return f.err }
func (f failing) List(context.Context, kv.ListQuery) ([]kv.Record, bool, error) {
	return nil, false, f.err
}
func (f failing) Close() error { return nil }

func TestBackendErrors_KV006(t *testing.T) {
	ctx := context.Background()
	disk := errors.New("disk on fire")
	ns := kv.New(failing{disk}, kv.Options{})
	defer ns.Close()
	check := func(err error, op string) {
		t.Helper()
		want := "KV " + op + " failed: 500 Internal Server Error"
		if err == nil || err.Error() != want {
			t.Fatalf("got %v, want %q", err, want)
		}
		if !errors.Is(err, disk) || !errors.Is(err, kv.ErrInternal) {
			t.Fatalf("%v does not wrap the cause", err)
		}
		var kvErr *kv.Error
		if !errors.As(err, &kvErr) || kvErr.Op != op || kvErr.Status != 500 {
			t.Fatalf("not a *kv.Error for %s: %#v", op, err)
		}
	}
	_, err := ns.Get(ctx, "k")
	check(err, "GET")
	check(ns.PutString(ctx, "k", "v"), "PUT")
	check(ns.Delete(ctx, "k"), "DELETE")
	_, err = ns.List(ctx, kv.ListOptions{})
	check(err, "GET") // list failures surface as GET
	_, err = ns.GetBulk(ctx, []string{"k"})
	check(err, "GET_BULK")

	// Cancellation is reported as such, not as a service failure.
	cancelled := kv.New(failing{context.Canceled}, kv.Options{})
	defer cancelled.Close()
	if _, err := cancelled.Get(ctx, "k"); err != context.Canceled {
		t.Fatalf("got %v", err)
	}
}

func TestErrorShape(t *testing.T) {
	err := &kv.Error{Op: "PUT", Status: 413, Message: "Value length of 1 exceeds limit of 0."}
	if err.Error() != "KV PUT failed: 413 Value length of 1 exceeds limit of 0." {
		t.Fatal(err.Error())
	}
}

func TestNoBulkWriteOnBinding_KV038(t *testing.T) {
	// The binding has no bulk put or delete; those are tooling functions taking a Namespace.
	typ := reflect.TypeFor[*kv.Namespace]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if strings.Contains(name, "Bulk") && !strings.HasPrefix(name, "GetBulk") {
			t.Fatalf("*kv.Namespace has bulk write method %s", name)
		}
	}
}

func TestBulkPut(t *testing.T) {
	ctx := context.Background()
	ns := kv.NewMemory()
	defer ns.Close()
	exp := time.Now().Add(time.Hour).Unix()
	file := `[
		{"key": "plain", "value": "hello"},
		{"key": "bin", "value": "AAEC/w==", "base64": true},
		{"key": "url", "value": "-_8", "base64": true},
		{"key": "meta", "value": "m", "metadata": {"a": 1}, "expiration_ttl": 600},
		{"key": "abs", "value": "x", "expiration": ` + jsonInt(exp) + `}
	]`
	n, err := kv.BulkPut(ctx, ns, strings.NewReader(file))
	if err != nil || n != 5 {
		t.Fatalf("BulkPut: %d, %v", n, err)
	}
	if v, _ := ns.GetText(ctx, "plain"); v != "hello" {
		t.Fatalf("plain: %q", v)
	}
	if v, _ := ns.Get(ctx, "bin"); string(v) != "\x00\x01\x02\xff" {
		t.Fatalf("bin: %q", v)
	}
	if v, _ := ns.Get(ctx, "url"); string(v) != "\xfb\xff" {
		t.Fatalf("url: %q", v)
	}
	e, err := ns.GetWithMetadata(ctx, "meta")
	if err != nil || string(e.Metadata) != `{"a":1}` {
		t.Fatalf("meta: %+v %v", e, err)
	}
	page, _ := ns.List(ctx, kv.ListOptions{Prefix: "abs"})
	if page.Keys[0].Expiration.Unix() != exp {
		t.Fatalf("abs expiration %v", page.Keys[0].Expiration)
	}
}

func TestBulkPutRefusesWholeFile(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ file, want string }{
		{`{"key": "a"}`, "kv: bulk put: expected a JSON array"},
		{`[{"key": "ok", "value": "v"}, {"key": "a"}]`, `kv: bulk item 1 (key ""): "key" and "value" must be strings`},
		{`[{"key": 5, "value": "v"}]`, "kv: bulk item 0"},
		{`[{"key": "a", "value": "v", "metadata": "str"}]`, `"metadata" must be an object`},
		{`[{"key": "a", "value": "v", "expiration_ttl": 10}]`, "KV PUT failed: 400 Invalid expiration_ttl of 10. Expiration TTL must be at least 60."},
		{`[{"key": "", "value": "v"}]`, "Key name cannot be empty."},
		{`[{"key": "a", "value": "!!", "base64": true}]`, `"value" is not base64`},
	} {
		ns := kv.NewMemory()
		_, err := kv.BulkPut(ctx, ns, strings.NewReader(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: got %v, want %q", c.file, err, c.want)
		}
		if page, _ := ns.List(ctx, kv.ListOptions{}); len(page.Keys) != 0 {
			t.Fatalf("%s: wrote %d keys", c.file, len(page.Keys))
		}
		ns.Close()
	}
	ns := kv.NewMemory()
	defer ns.Close()
	_, err := kv.BulkPut(ctx, ns, strings.NewReader(`[{"key": "a", "value": "v", "expiration_ttl": 1}]`))
	var be *kv.BulkError
	if !errors.As(err, &be) || be.Index != 0 || be.Key != "a" || !errors.Is(err, kv.ErrInvalidExpiration) {
		t.Fatalf("typed error: %#v", err)
	}
}

func TestBulkDelete(t *testing.T) {
	ctx := context.Background()
	ns := kv.NewMemory()
	defer ns.Close()
	for _, k := range []string{"a", "b", "c"} {
		ns.PutString(ctx, k, "v")
	}
	n, err := kv.BulkDelete(ctx, ns, strings.NewReader(`["a", {"name": "b"}, "missing"]`))
	if err != nil || n != 3 {
		t.Fatalf("BulkDelete: %d, %v", n, err)
	}
	page, _ := ns.List(ctx, kv.ListOptions{})
	if len(page.Keys) != 1 || page.Keys[0].Name != "c" {
		t.Fatalf("left %+v", page.Keys)
	}
	if _, err := kv.BulkDelete(ctx, ns, strings.NewReader(`["c", 5]`)); err == nil {
		t.Fatal("accepted a number")
	}
	if _, err := ns.Get(ctx, "c"); err != nil {
		t.Fatal("a refused file deleted keys")
	}
}

func TestWriteKeyList(t *testing.T) {
	ctx := context.Background()
	ns := kv.NewMemory()
	defer ns.Close()
	ns.PutString(ctx, "a", "v", kv.WithMetadata(map[string]bool{"x": true}))
	ns.PutString(ctx, "b", "v")
	var sb strings.Builder
	if err := kv.WriteKeyList(ctx, ns, &sb, kv.ListOptions{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if sb.String() != `[{"name":"a","metadata":{"x":true}},{"name":"b"}]`+"\n" {
		t.Fatalf("got %s", sb.String())
	}
	var keys []kv.Key
	if err := json.Unmarshal([]byte(sb.String()), &keys); err != nil || len(keys) != 2 {
		t.Fatalf("not a JSON array of keys: %v", err)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Every operation counts one subrequest against the invocation, before anything else.
func TestSubrequestBudget(t *testing.T) {
	ns := kv.NewMemory()
	defer ns.Close()
	ops := map[string]func(ctx context.Context) error{
		"get":     func(ctx context.Context) error { _, err := ns.Get(ctx, "k"); return err },
		"text":    func(ctx context.Context) error { _, err := ns.GetText(ctx, "k"); return err },
		"meta":    func(ctx context.Context) error { _, err := ns.GetWithMetadata(ctx, "k"); return err },
		"put":     func(ctx context.Context) error { return ns.PutString(ctx, "k", "v") },
		"reader":  func(ctx context.Context) error { return ns.PutReader(ctx, "k", strings.NewReader("v")) },
		"delete":  func(ctx context.Context) error { return ns.Delete(ctx, "k") },
		"list":    func(ctx context.Context) error { _, err := ns.List(ctx, kv.ListOptions{}); return err },
		"bulk":    func(ctx context.Context) error { _, err := ns.GetBulk(ctx, []string{"k", "j"}); return err },
		"badKey":  func(ctx context.Context) error { _, err := ns.Get(ctx, ""); return err },
		"badList": func(ctx context.Context) error { _, err := ns.List(ctx, kv.ListOptions{Limit: -1}); return err },
	}
	if err := ns.PutString(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	for name, op := range ops {
		ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{Limits: worker.Limits{Subrequests: 1}})
		op(ctx) // the one allowed call, whatever its outcome
		if err := op(ctx); !errors.Is(err, worker.ErrSubrequestLimit) {
			t.Errorf("%s: second call gave %v, want the subrequest limit", name, err)
		}
		cancel()
	}
}
