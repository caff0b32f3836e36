package r2test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
)

// NewDriver returns a fresh, empty driver for one test. Run closes it when the test ends.
type NewDriver func(t testing.TB) r2.Driver

// BlobCounter is an optional driver interface the suite uses to check that overwrites
// and deletes free the old bytes (R2-028, R2-058): how many blobs the driver holds.
type BlobCounter interface {
	BlobCount() (int, error)
}

// Run runs the conformance suite against the driver newDriver makes. Test names carry
// the CONFORMANCE IDs they prove.
func Run(t *testing.T, newDriver NewDriver) {
	run(t, &suite{newDriver: newDriver})
}

// RunDeferred runs the suite against buckets made by r2.NewDeferred over the drivers
// newDriver makes: every operation must wait for the open running in the background.
func RunDeferred(t *testing.T, newDriver NewDriver) {
	run(t, &suite{newDriver: newDriver, deferred: true})
}

func run(t *testing.T, s *suite) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, s) })
	}
}

type suite struct {
	newDriver NewDriver
	deferred  bool
}

type testCase struct {
	name string
	fn   func(t *testing.T, s *suite)
}

var cases []testCase

func register(name string, fn func(t *testing.T, s *suite)) bool {
	cases = append(cases, testCase{name, fn})
	return true
}

// bucket returns a bucket over a fresh driver. Multipart tests lower the part minimum
// unless they set it.
func (s *suite) bucket(t *testing.T, opts ...func(*r2.Options)) (*r2.Bucket, r2.Driver) {
	d := s.newDriver(t)
	o := r2.Options{Name: "bucket", MinPartSize: 50}
	for _, f := range opts {
		f(&o)
	}
	var b *r2.Bucket
	if s.deferred {
		b = r2.NewDeferred(func() (r2.Driver, error) { return d, nil }, o)
	} else {
		b = r2.New(d, o)
	}
	t.Cleanup(func() { b.Close() })
	return b, d
}

func ctx() context.Context { return context.Background() }

// put stores a string, failing the test on error.
func put(t *testing.T, b *r2.Bucket, key, value string, opts ...*r2.PutOptions) *r2.Object {
	t.Helper()
	var o *r2.PutOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	obj, err := b.Put(ctx(), key, strings.NewReader(value), o)
	require.NoError(t, err)
	return obj
}

// text reads key whole, failing the test on error.
func text(t *testing.T, b *r2.Bucket, key string, opts ...*r2.GetOptions) string {
	t.Helper()
	var o *r2.GetOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	obj, err := b.Get(ctx(), key, o)
	require.NoError(t, err)
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	require.NoError(t, err)
	return string(data)
}

// errText asserts that err's text is want.
func errText(t *testing.T, err error, want string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want, err.Error())
}

func blobCount(t *testing.T, d r2.Driver) (int, bool) {
	t.Helper()
	c, ok := d.(BlobCounter)
	if !ok {
		return 0, false
	}
	n, err := c.BlobCount()
	require.NoError(t, err)
	return n, true
}

func i64(v int64) *int64 { return &v }

// Recorder is a Notifier that keeps what it is sent, for tests.
type Recorder struct {
	mu     sync.Mutex
	events []Notification
}

// Notification is one message a Recorder received.
type Notification struct {
	Queue string
	Event r2.Event
}

// Notify records the message.
func (r *Recorder) Notify(ctx context.Context, queue string, ev r2.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, Notification{queue, ev})
	return nil
}

// Notifications returns the messages received so far.
func (r *Recorder) Notifications() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Notification(nil), r.events...)
}
