package r2test

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
)

var _ = register("R2-041_StorageClass", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	require.Equal(t, r2.StorageStandard, put(t, b, "a", "").StorageClass)
	ia := put(t, b, "b", "", &r2.PutOptions{StorageClass: r2.StorageInfrequentAccess})
	require.Equal(t, r2.StorageInfrequentAccess, ia.StorageClass)
	head, err := b.Head(ctx(), "b")
	require.NoError(t, err)
	require.Equal(t, r2.StorageInfrequentAccess, head.StorageClass)
	_, err = b.Put(ctx(), "c", strings.NewReader(""), &r2.PutOptions{StorageClass: "Glacier"})
	require.ErrorIs(t, err, r2.ErrInvalidArgument)

	def, _ := s.bucket(t, func(o *r2.Options) { o.DefaultStorageClass = r2.StorageInfrequentAccess })
	require.Equal(t, r2.StorageInfrequentAccess, put(t, def, "a", "").StorageClass)
	u, err := def.CreateMultipartUpload(ctx(), "m", nil)
	require.NoError(t, err)
	obj, err := u.Complete(ctx(), nil)
	require.NoError(t, err)
	require.Equal(t, r2.StorageInfrequentAccess, obj.StorageClass)
})

var _ = register("R2-042_SSECKeyShape", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	_, err := b.Put(ctx(), "k", strings.NewReader("v"), &r2.PutOptions{SSECKey: "short"})
	errText(t, err, "SSE-C Key must be 32 bytes in length")
	_, err = b.Get(ctx(), "k", &r2.GetOptions{SSECKey: "bad"})
	errText(t, err, "SSE-C Key must be 32 bytes in length")
	put(t, b, "k", "v", &r2.PutOptions{SSECKey: strings.Repeat("ab", 32)})
})

var _ = register("R2-043_EntityTooLarge", func(t *testing.T, s *suite) {
	require.EqualValues(t, 5_363_466_240, r2.MaxPutSize)
	b, _ := s.bucket(t, func(o *r2.Options) { o.MaxUploadSize = 10 })
	put(t, b, "ok", "0123456789")
	_, err := b.Put(ctx(), "big", strings.NewReader("0123456789a"), nil)
	errText(t, err, "put: Your proposed upload exceeds the maximum allowed object size. (100100)")
	_, err = b.Head(ctx(), "big")
	require.ErrorIs(t, err, r2.ErrNotFound)
	u, err := b.CreateMultipartUpload(ctx(), "mp", nil)
	require.NoError(t, err)
	_, err = u.UploadPart(ctx(), 1, strings.NewReader("0123456789a"), nil)
	require.ErrorIs(t, err, r2.ErrEntityTooLarge)
})

// failingReader fails after some bytes, like a client that disconnects mid-upload.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

var _ = register("PutBodyErrorWritesNothing", func(t *testing.T, s *suite) {
	b, d := s.bucket(t)
	put(t, b, "k", "old")
	before, counted := blobCount(t, d)
	_, err := b.Put(ctx(), "k", &failingReader{n: 1 << 20}, nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Equal(t, "old", text(t, b, "k"))
	if counted {
		after, _ := blobCount(t, d)
		require.Equal(t, before, after)
	}
})

var _ = register("ConcurrentWritersAndReaders", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 20 {
				v := fmt.Sprintf("writer %d value %d", w, i)
				if _, err := b.Put(ctx(), "shared", strings.NewReader(v), nil); err != nil {
					t.Error(err)
					return
				}
				if _, err := b.Put(ctx(), fmt.Sprintf("own/%d", w), strings.NewReader(v), nil); err != nil {
					t.Error(err)
					return
				}
				obj, err := b.Get(ctx(), "shared", nil)
				if err != nil {
					t.Error(err)
					return
				}
				data, err := io.ReadAll(obj.Body)
				obj.Body.Close()
				if err != nil || !strings.HasPrefix(string(data), "writer ") || int64(len(data)) != obj.Size {
					t.Errorf("torn read %q (size %d): %v", data, obj.Size, err)
					return
				}
			}
		})
	}
	wg.Wait()
	require.Len(t, list(t, b, &r2.ListOptions{Prefix: "own/"}).Objects, 8)
})

var _ = register("EventNotifications", func(t *testing.T, s *suite) {
	b, _ := s.bucket(t)
	rec := &Recorder{}
	b.SetNotifications(rec,
		r2.NotificationRule{Queue: "images", Events: []r2.EventType{r2.EventObjectCreate}, Prefix: "img/", Suffix: ".png"},
		r2.NotificationRule{Queue: "deletes", Events: []r2.EventType{r2.EventObjectDelete}},
	)
	obj := put(t, b, "img/a.png", "png")
	put(t, b, "img/a.jpg", "jpg")
	put(t, b, "doc.png", "x")
	_, err := b.Copy(ctx(), "img/copy.png", b, "img/a.png", nil)
	require.NoError(t, err)
	u, err := b.CreateMultipartUpload(ctx(), "img/mp.png", nil)
	require.NoError(t, err)
	p, err := u.UploadPart(ctx(), 1, strings.NewReader("part"), nil)
	require.NoError(t, err)
	done, err := u.Complete(ctx(), []r2.UploadedPart{p})
	require.NoError(t, err)
	require.NoError(t, b.Delete(ctx(), "doc.png", "never-existed"))

	got := rec.Notifications()
	require.Len(t, got, 4)
	require.Equal(t, "images", got[0].Queue)
	require.Equal(t, r2.ActionPutObject, got[0].Event.Action)
	require.Equal(t, r2.EventObject{Key: "img/a.png", Size: 3, ETag: obj.ETag}, got[0].Event.Object)
	require.Equal(t, "bucket", got[0].Event.Bucket)
	require.Equal(t, r2.ActionCopyObject, got[1].Event.Action)
	require.Equal(t, &r2.CopySource{Bucket: "bucket", Object: "img/a.png"}, got[1].Event.CopySource)
	require.Equal(t, r2.ActionCompleteMultipartUpload, got[2].Event.Action)
	require.Equal(t, done.ETag, got[2].Event.Object.ETag)
	require.Equal(t, "deletes", got[3].Queue)
	require.Equal(t, r2.ActionDeleteObject, got[3].Event.Action)
	require.Equal(t, "doc.png", got[3].Event.Object.Key)

	// The message body is the platform's JSON shape.
	var m map[string]any
	j, err := json.Marshal(got[1].Event)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(j, &m))
	require.Equal(t, r2.DefaultAccountID, m["account"])
	require.Equal(t, "CopyObject", m["action"])
	require.Equal(t, map[string]any{"key": "img/copy.png", "size": 3.0, "eTag": obj.ETag}, m["object"])
	require.Equal(t, map[string]any{"bucket": "bucket", "object": "img/a.png"}, m["copySource"])
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, m["eventTime"])
	j, err = json.Marshal(got[3].Event)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(j, &m))
	require.Equal(t, map[string]any{"key": "doc.png"}, m["object"], "delete events carry no size or eTag")
	var back r2.Event
	require.NoError(t, json.Unmarshal(j, &back))
	require.Equal(t, "doc.png", back.Object.Key)
})
