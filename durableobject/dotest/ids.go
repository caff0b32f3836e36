package dotest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/flarego/flarego/durableobject"
	"github.com/stretchr/testify/require"
)

func testIDs(t *testing.T, newDriver func(*testing.T) durableobject.Driver) {
	ctx := context.Background()

	run(t, newDriver, "DO-001 IDFromName is deterministic across restarts", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		a, b := h.env.Obj.IDFromName("room"), h.env.Obj.IDFromName("room")
		require.True(t, a.Equal(b))
		require.Equal(t, a.String(), b.String())
		require.Equal(t, "room", a.Name())
		require.NotEqual(t, a.String(), h.env.Obj.IDFromName("other").String())
		require.NotEqual(t, a.String(), h.env.Other.IDFromName("room").String(), "another namespace")
		h.close()
		h2 := start(t, d, durableobject.Options{}, nil)
		require.Equal(t, a.String(), h2.env.Obj.IDFromName("room").String())
	})

	run(t, newDriver, "DO-002 ID is 64 lowercase hex digits", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		re := regexp.MustCompile(`^[0-9a-f]{64}$`)
		require.Regexp(t, re, h.env.Obj.IDFromName("x").String())
		require.Regexp(t, re, h.env.Obj.NewUniqueID().String())
	})

	run(t, newDriver, "DO-003 local ID scheme", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		key := sha256.Sum256([]byte("dotest-Obj"))
		mac := func(b []byte) []byte {
			m := hmac.New(sha256.New, key[:])
			m.Write(b)
			return m.Sum(nil)[:16]
		}
		first := mac([]byte("alice"))
		want := hex.EncodeToString(append(append([]byte{}, first...), mac(first)...))
		require.Equal(t, want, h.env.Obj.IDFromName("alice").String())
		u := h.env.Obj.NewUniqueID().String()
		raw, _ := hex.DecodeString(u)
		require.Equal(t, hex.EncodeToString(mac(raw[:16])), u[32:], "unique IDs carry the namespace MAC")
	})

	run(t, newDriver, "DO-004 NewUniqueID has no name and never repeats", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		seen := map[string]bool{}
		for range 100 {
			id := h.env.Obj.NewUniqueID()
			require.Empty(t, id.Name())
			require.False(t, seen[id.String()])
			seen[id.String()] = true
		}
		a, b := h.env.Obj.NewUniqueID(), h.env.Obj.NewUniqueID()
		require.False(t, a.Equal(b))
	})

	run(t, newDriver, "DO-005 IDFromString validates format and namespace", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		for _, bad := range []string{"", "abc", strings.Repeat("g", 64), strings.Repeat("a", 63), strings.Repeat("a", 65)} {
			_, err := h.env.Obj.IDFromString(bad)
			require.ErrorIs(t, err, durableobject.ErrIDFormat)
			require.EqualError(t, err, "Invalid Durable Object ID: must be 64 hex digits")
		}
		_, err := h.env.Obj.IDFromString(h.env.Other.IDFromName("x").String())
		require.ErrorIs(t, err, durableobject.ErrIDNamespace)
		require.EqualError(t, err, "Durable Object ID is not valid for this namespace.")
		// A stub made from another namespace's ID fails on use.
		_, err = Incr.Call(ctx, h.env.Obj.Get(h.env.Other.IDFromName("x")), 1)
		require.ErrorIs(t, err, durableobject.ErrIDNamespace)

		id := h.env.Obj.NewUniqueID()
		back, err := h.env.Obj.IDFromString(id.String())
		require.NoError(t, err)
		require.True(t, back.Equal(id))
		upper, err := h.env.Obj.IDFromString(strings.ToUpper(id.String()))
		require.NoError(t, err)
		require.True(t, upper.Equal(id))
	})

	run(t, newDriver, "DO-006 Equal compares the 32 bytes", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		named := h.env.Obj.IDFromName("n")
		parsed, err := h.env.Obj.IDFromString(named.String())
		require.NoError(t, err)
		require.Empty(t, parsed.Name(), "an ID parsed from a string has no name")
		require.True(t, parsed.Equal(named))
		require.False(t, named.Equal(h.env.Obj.IDFromName("m")))
	})

	run(t, newDriver, "DO-007 Get makes no round trip; the first call constructs", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		stub := h.env.Obj.GetByName("lazy")
		require.Zero(t, h.hooks.ctorRuns.Load())
		require.Zero(t, h.stats().Activations)
		_, err := Incr.Call(ctx, stub, 1)
		require.NoError(t, err)
		require.EqualValues(t, 1, h.hooks.ctorRuns.Load())
		_, err = Incr.Call(ctx, stub, 1)
		require.NoError(t, err)
		require.EqualValues(t, 1, h.hooks.ctorRuns.Load(), "one instance per object")
	})

	run(t, newDriver, "DO-008 GetByName is Get(IDFromName)", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		a := h.env.Obj.GetByName("same")
		b := h.env.Obj.Get(h.env.Obj.IDFromName("same"))
		require.True(t, a.ID().Equal(b.ID()))
		require.Equal(t, "same", a.Name())
		n, err := Incr.Call(ctx, a, 1)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		n, err = Incr.Call(ctx, b, 1)
		require.NoError(t, err)
		require.Equal(t, 2, n, "same object")
	})

	run(t, newDriver, "DO-009 jurisdictions are not implemented locally", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		_, err := h.env.Obj.Jurisdiction("eu")
		require.EqualError(t, err, "Jurisdiction restrictions are not implemented in workerd.")
	})

	run(t, newDriver, "DO-010 stub Fetch and RPC reach the object", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		resp, err := h.env.Obj.GetByName("f").Fetch(ctx, httptest.NewRequest(http.MethodGet, "http://do/", nil))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "hello from f", readBody(t, resp))
		n, err := Incr.Call(ctx, h.env.Obj.GetByName("f"), 41)
		require.NoError(t, err)
		require.Equal(t, 41, n)
	})

	run(t, newDriver, "DO-012 errors of the object's code are remote", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		errOwn := errors.New("own failure")
		_, err := Do(ctx, h.env.Obj.GetByName("e"), func(context.Context, *Obj) (any, error) { return nil, errOwn })
		require.ErrorIs(t, err, errOwn)
		require.True(t, durableobject.IsRemote(err))
		require.EqualError(t, err, "own failure")
		_, err = Do(ctx, h.env.Obj.GetByName("e"), func(context.Context, *Obj) (any, error) { panic("boom") })
		require.True(t, durableobject.IsRemote(err))
		var pe *durableobject.PanicError
		require.ErrorAs(t, err, &pe)
		// Infrastructure errors are not remote.
		_, err = Incr.Call(ctx, h.env.Obj.Get(h.env.Other.NewUniqueID()), 1)
		require.False(t, durableobject.IsRemote(err))
	})

	run(t, newDriver, "DO-014 bindings to the same class and key share objects and storage", func(t *testing.T, d durableobject.Driver) {
		h := start(t, d, durableobject.Options{}, nil)
		again, err := h.eng.Namespace(durableobject.NamespaceConfig{Class: "Obj", UniqueKey: "dotest-Obj"})
		require.NoError(t, err)
		require.Same(t, h.h["Obj"], again)
		second, err := durableobject.Bind[*Obj](again) // a second worker's binding
		require.NoError(t, err)
		_, err = Incr.Call(ctx, h.env.Obj.GetByName("shared"), 5)
		require.NoError(t, err)
		n, err := Incr.Call(ctx, second.GetByName("shared"), 1)
		require.NoError(t, err)
		require.Equal(t, 6, n)
		require.EqualValues(t, 1, h.hooks.ctorRuns.Load())
	})
}
