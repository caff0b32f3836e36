package kvtest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/kv"
)

// The expiration tests run in synctest bubbles: time.Now is a fake clock that moves only
// when every goroutine of the test waits, so boundaries are exact.

func testExpiration(t *testing.T, newDriver NewDriver) {
	ctx := context.Background()

	t.Run("KV012_ExpirationTTL", func(t *testing.T) {
		ns := open(t, newDriver)
		for _, c := range []struct {
			ttl  time.Duration
			text string
		}{
			{0, "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0."},
			{-5 * time.Second, "KV PUT failed: 400 Invalid expiration_ttl of -5. Please specify integer greater than 0."},
			{500 * time.Millisecond, "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0."},
			{30 * time.Second, "KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60."},
			{59 * time.Second, "KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60."},
		} {
			err := ns.PutString(ctx, "k", "v", kv.WithExpirationTTL(c.ttl))
			errText(t, err, c.text)
			errIs(t, err, kv.ErrInvalidExpiration)
		}
		missing(t, ns, "k")
		put(t, ns, "k", "v", kv.WithExpirationTTL(60*time.Second))
	})

	t.Run("KV013_AbsoluteExpiration", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ns := open(t, newDriver)
			now := time.Now()
			sec := now.Unix()
			for _, c := range []struct {
				at   time.Time
				text string
			}{
				{now, fmt.Sprintf("KV PUT failed: 400 Invalid expiration of %d. Please specify integer greater than the current number of seconds since the UNIX epoch.", sec)},
				{now.Add(-time.Hour), fmt.Sprintf("KV PUT failed: 400 Invalid expiration of %d. Please specify integer greater than the current number of seconds since the UNIX epoch.", sec-3600)},
				{now.Add(30 * time.Second), fmt.Sprintf("KV PUT failed: 400 Invalid expiration of %d. Expiration times must be at least 60 seconds in the future.", sec+30)},
				{now.Add(59 * time.Second), fmt.Sprintf("KV PUT failed: 400 Invalid expiration of %d. Expiration times must be at least 60 seconds in the future.", sec+59)},
			} {
				err := ns.PutString(ctx, "k", "v", kv.WithExpiration(c.at))
				errText(t, err, c.text)
				errIs(t, err, kv.ErrInvalidExpiration)
			}
			put(t, ns, "k", "v", kv.WithExpiration(now.Add(60*time.Second)))
		})
	})

	t.Run("KV014_TTLTakesPrecedence", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ns := open(t, newDriver)
			now := time.Now()
			// The absolute expiration is invalid, but the TTL wins and it is never checked.
			put(t, ns, "k", "v", kv.WithExpiration(now.Add(-time.Hour)), kv.WithExpirationTTL(120*time.Second))
			page, err := ns.List(ctx, kv.ListOptions{})
			noErr(t, err)
			if got := page.Keys[0].Expiration.Unix(); got != now.Unix()+120 {
				t.Fatalf("expiration %d, want %d", got, now.Unix()+120)
			}
		})
	})

	t.Run("KV015_ExpiredKeysInvisible", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ns := open(t, newDriver)
			put(t, ns, "ttl", "v", kv.WithExpirationTTL(60*time.Second))
			put(t, ns, "abs", "v", kv.WithExpiration(time.Now().Add(120*time.Second)))
			put(t, ns, "forever", "v")

			time.Sleep(60*time.Second - time.Nanosecond)
			if getText(t, ns, "ttl") != "v" {
				t.Fatal("key gone before its expiration")
			}
			time.Sleep(time.Nanosecond) // now == expiration: expired
			missing(t, ns, "ttl")
			_, err := ns.GetWithMetadata(ctx, "ttl")
			errIs(t, err, kv.ErrNotFound)
			bulk, err := ns.GetBulk(ctx, []string{"ttl", "abs"})
			noErr(t, err)
			if bulk["ttl"] != nil || bulk["abs"] == nil {
				t.Fatalf("bulk read after expiry: %v", bulk)
			}
			if names := listNames(t, ns, kv.ListOptions{}); fmt.Sprint(names) != "[abs forever]" {
				t.Fatalf("list after first expiry: %v", names)
			}
			time.Sleep(60 * time.Second)
			missing(t, ns, "abs")
			if names := listNames(t, ns, kv.ListOptions{}); fmt.Sprint(names) != "[forever]" {
				t.Fatalf("list after second expiry: %v", names)
			}
		})
	})

	t.Run("KV015_ExpiredKeysPurged", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ns := open(t, newDriver)
			if _, ok := ns.Driver().(kv.Purger); !ok {
				t.Skip("driver does not purge")
			}
			put(t, ns, "a", "v", kv.WithExpirationTTL(60*time.Second))
			put(t, ns, "b", "v", kv.WithExpirationTTL(90*time.Second))
			put(t, ns, "keep", "v")
			stored := func() []string {
				// Listing as of the epoch shows what the driver still holds, expired or not.
				recs, _, err := ns.Driver().List(ctx, kv.ListQuery{Limit: 10, Now: time.Unix(0, 0)})
				noErr(t, err)
				var names []string
				for _, r := range recs {
					names = append(names, r.Key)
				}
				return names
			}
			time.Sleep(61 * time.Second)
			synctest.Wait()
			if got := fmt.Sprint(stored()); got != "[b keep]" {
				t.Fatalf("after 61s the store holds %s", got)
			}
			time.Sleep(30 * time.Second)
			synctest.Wait()
			if got := fmt.Sprint(stored()); got != "[keep]" {
				t.Fatalf("after 91s the store holds %s", got)
			}
		})
	})

	t.Run("KV033_ListShowsExpiration", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ns := open(t, newDriver)
			now := time.Now().Unix()
			put(t, ns, "abs", "v", kv.WithExpiration(time.Unix(now+600, 0)))
			put(t, ns, "none", "v")
			put(t, ns, "ttl", "v", kv.WithExpirationTTL(300*time.Second))
			page, err := ns.List(ctx, kv.ListOptions{})
			noErr(t, err)
			want := map[string]int64{"abs": now + 600, "none": 0, "ttl": now + 300}
			for _, k := range page.Keys {
				got := int64(0)
				if !k.Expiration.IsZero() {
					got = k.Expiration.Unix()
				}
				if got != want[k.Name] {
					t.Fatalf("%s: expiration %d, want %d", k.Name, got, want[k.Name])
				}
			}
			b, err := json.Marshal(page.Keys)
			noErr(t, err)
			wantJSON := fmt.Sprintf(`[{"name":"abs","expiration":%d},{"name":"none"},{"name":"ttl","expiration":%d}]`, now+600, now+300)
			if string(b) != wantJSON {
				t.Fatalf("JSON\n got: %s\nwant: %s", b, wantJSON)
			}
		})
	})

	t.Run("KV035_PagesSkipExpiredKeys", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ns := open(t, newDriver)
			put(t, ns, "a", "v")
			for _, k := range []string{"b", "c", "d"} {
				put(t, ns, k, "v", kv.WithExpirationTTL(60*time.Second))
			}
			put(t, ns, "e", "v")
			time.Sleep(time.Minute)
			// Paging one key at a time walks over the expired keys to the end.
			var names []string
			for k, err := range ns.Keys(ctx, kv.ListOptions{Limit: 1}) {
				noErr(t, err)
				names = append(names, k.Name)
			}
			if fmt.Sprint(names) != "[a e]" {
				t.Fatalf("paged %v", names)
			}
		})
	})
}

func listNames(t *testing.T, ns *kv.Namespace, opts kv.ListOptions) []string {
	t.Helper()
	var names []string
	for k, err := range ns.Keys(context.Background(), opts) {
		noErr(t, err)
		names = append(names, k.Name)
	}
	return names
}
