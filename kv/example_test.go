package kv_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flarego/flarego/kv"
)

func Example() {
	ctx := context.Background()
	cache := kv.NewMemory() // what a unit test puts in a struct-literal Env
	defer cache.Close()

	_ = cache.PutString(ctx, "greeting", "hello", kv.WithExpirationTTL(time.Hour))
	v, _ := cache.GetText(ctx, "greeting")
	fmt.Println(v)

	// A missing key is ErrNotFound: the platform's null.
	if _, err := cache.Get(ctx, "nope"); errors.Is(err, kv.ErrNotFound) {
		fmt.Println("not found")
	}
	// Output:
	// hello
	// not found
}

func ExampleGetJSON() {
	ctx := context.Background()
	ns := kv.NewMemory()
	defer ns.Close()

	type Session struct {
		User string `json:"user"`
	}
	_ = ns.PutJSON(ctx, "session:1", Session{User: "ada"})
	s, err := kv.GetJSON[Session](ctx, ns, "session:1")
	fmt.Println(s.User, err)
	// Output: ada <nil>
}

func ExampleNamespace_Put_errors() {
	ctx := context.Background()
	ns := kv.NewMemory()
	defer ns.Close()

	// Errors carry the platform's text, so assertions written against it keep working.
	err := ns.PutString(ctx, "k", "v", kv.WithExpirationTTL(30*time.Second))
	fmt.Println(err)
	fmt.Println(errors.Is(err, kv.ErrInvalidExpiration))
	fmt.Println(ns.PutString(ctx, "", "v"))
	// Output:
	// KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60.
	// true
	// Key name cannot be empty.
}

func ExampleNamespace_Keys() {
	ctx := context.Background()
	ns := kv.NewMemory()
	defer ns.Close()
	for _, k := range []string{"user:2", "user:1", "post:1"} {
		_ = ns.PutString(ctx, k, "")
	}
	for key, err := range ns.Keys(ctx, kv.ListOptions{Prefix: "user:"}) {
		if err != nil {
			break
		}
		fmt.Println(key.Name)
	}
	// Output:
	// user:1
	// user:2
}

func ExampleNamespace_List() {
	ctx := context.Background()
	ns := kv.NewMemory()
	defer ns.Close()
	for _, k := range []string{"a", "b", "c"} {
		_ = ns.PutString(ctx, k, "", kv.WithMetadata(map[string]string{"k": k}))
	}
	page, _ := ns.List(ctx, kv.ListOptions{Limit: 2})
	fmt.Println(len(page.Keys), page.ListComplete)
	page, _ = ns.List(ctx, kv.ListOptions{Limit: 2, Cursor: page.Cursor})
	fmt.Println(page.Keys[0].Name, string(page.Keys[0].Metadata), page.ListComplete)
	// Output:
	// 2 false
	// c {"k":"c"} true
}

func ExampleNamespace_GetBulk() {
	ctx := context.Background()
	ns := kv.NewMemory()
	defer ns.Close()
	_ = ns.PutString(ctx, "a", "1")
	vals, _ := ns.GetBulk(ctx, []string{"a", "missing"})
	fmt.Println(*vals["a"], vals["missing"] == nil)
	// Output: 1 true
}
