package kvtest

import (
	"context"
	"errors"
	"testing"

	"github.com/flarego/flarego/kv"
)

// NewDriver makes an empty driver for one test. It may be called inside a testing/synctest
// bubble (the expiration tests run on a fake clock), so it must start any goroutine it
// needs itself, on the calling goroutine's bubble, rather than share one made earlier. The
// suite closes the driver through Namespace.Close; anything else to release belongs in
// t.Cleanup.
type NewDriver func(t *testing.T) kv.Driver

// Run runs the whole suite against drivers made by newDriver.
func Run(t *testing.T, newDriver NewDriver) {
	t.Run("Read", func(t *testing.T) { testRead(t, newDriver) })
	t.Run("Write", func(t *testing.T) { testWrite(t, newDriver) })
	t.Run("Expiration", func(t *testing.T) { testExpiration(t, newDriver) })
	t.Run("Bulk", func(t *testing.T) { testBulk(t, newDriver) })
	t.Run("List", func(t *testing.T) { testList(t, newDriver) })
	t.Run("Storage", func(t *testing.T) { testStorage(t, newDriver) })
}

// RunDeferred runs the suite against Namespaces made by kv.NewDeferred over drivers made
// by newDriver: every operation must wait for the open running in the background.
func RunDeferred(t *testing.T, newDriver NewDriver) {
	Run(t, func(t *testing.T) kv.Driver { return deferredDriver{newDriver(t)} })
}

// deferredDriver marks a driver that open passes to kv.NewDeferred.
type deferredDriver struct{ kv.Driver }

// open returns a Namespace over a new driver, closed when the test ends.
func open(t *testing.T, newDriver NewDriver, opts ...kv.Options) *kv.Namespace {
	t.Helper()
	var o kv.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	var ns *kv.Namespace
	drv := newDriver(t)
	if d, ok := drv.(deferredDriver); ok {
		ns = kv.NewDeferred(func() (kv.Driver, error) { return d.Driver, nil }, o)
	} else {
		ns = kv.New(drv, o)
	}
	t.Cleanup(func() {
		if err := ns.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return ns
}

// errText fails the test unless err's text is exactly want.
func errText(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %q", want)
	}
	if err.Error() != want {
		t.Fatalf("error text\n got: %q\nwant: %q", err.Error(), want)
	}
}

// errIs fails the test unless errors.Is(err, target).
func errIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v (%T) is not %v", err, err, target)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func put(t *testing.T, ns *kv.Namespace, key, value string, opts ...kv.PutOption) {
	t.Helper()
	noErr(t, ns.PutString(context.Background(), key, value, opts...))
}

func getText(t *testing.T, ns *kv.Namespace, key string) string {
	t.Helper()
	v, err := ns.GetText(context.Background(), key)
	noErr(t, err)
	return v
}

func missing(t *testing.T, ns *kv.Namespace, key string) {
	t.Helper()
	_, err := ns.Get(context.Background(), key)
	errIs(t, err, kv.ErrNotFound)
}
