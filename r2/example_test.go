package r2_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/flarego/flarego/r2"
)

// A bucket in memory, as a unit test's struct-literal Env would hold it.
func Example() {
	ctx := context.Background()
	files := r2.NewMemory()

	obj, _ := files.Put(ctx, "hello.txt", strings.NewReader("value"), &r2.PutOptions{
		HTTPMetadata: &r2.HTTPMetadata{ContentType: "text/plain"},
	})
	fmt.Println(obj.ETag, obj.HTTPETag)

	got, _ := files.Get(ctx, "hello.txt", nil)
	defer got.Body.Close()
	body, _ := io.ReadAll(got.Body)
	h := http.Header{}
	got.WriteHTTPMetadata(h)
	fmt.Println(string(body), h.Get("Content-Type"))

	_, err := files.Head(ctx, "missing")
	fmt.Println(errors.Is(err, r2.ErrNotFound))
	// Output:
	// 2063c1608d6e0baf80249c42e2be5804 "2063c1608d6e0baf80249c42e2be5804"
	// value text/plain
	// true
}

// A conditional read in a handler: a failed condition returns the object without a body,
// ready for a 304.
func ExampleBucket_Get_conditional() {
	ctx := context.Background()
	files := r2.NewMemory()
	obj, _ := files.Put(ctx, "page.html", strings.NewReader("<h1>hi</h1>"), nil)

	req, _ := http.NewRequest("GET", "/page.html", nil)
	req.Header.Set("If-None-Match", obj.HTTPETag)
	got, err := files.Get(ctx, "page.html", &r2.GetOptions{OnlyIfHeaders: req.Header, RangeHeader: req.Header.Get("Range")})
	switch {
	case errors.Is(err, r2.ErrPreconditionFailed):
		fmt.Println(http.StatusNotModified, got.HTTPETag, got.Body == nil)
	case err == nil:
		got.Body.Close()
		fmt.Println(http.StatusOK)
	}
	// Output: 304 "8097d38e49cc85c6e16e47e447a12142" true
}

// Listing "directories" with a delimiter, page by page.
func ExampleBucket_List() {
	ctx := context.Background()
	files := r2.NewMemory()
	for _, k := range []string{"a.txt", "img/1.png", "img/2.png", "z.txt"} {
		files.Put(ctx, k, strings.NewReader(k), nil)
	}
	page, _ := files.List(ctx, &r2.ListOptions{Delimiter: "/"})
	for _, o := range page.Objects {
		fmt.Println(o.Key)
	}
	fmt.Println(page.DelimitedPrefixes, page.Truncated)
	// Output:
	// a.txt
	// z.txt
	// [img/] false
}

// A multipart upload: every part but the last at least 5 MiB.
func ExampleBucket_CreateMultipartUpload() {
	ctx := context.Background()
	files := r2.NewMemory()
	up, _ := files.CreateMultipartUpload(ctx, "video.mp4", nil)
	p1, _ := up.UploadPart(ctx, 1, strings.NewReader(strings.Repeat("a", r2.MinPartSize)), nil)
	p2, _ := up.UploadPart(ctx, 2, strings.NewReader("tail"), nil)
	obj, err := up.Complete(ctx, []r2.UploadedPart{p1, p2})
	fmt.Println(obj.Size, strings.HasSuffix(obj.ETag, "-2"), err)
	// Output: 5242884 true <nil>
}

// Event notifications, delivered to whatever carries them to a queue.
func ExampleBucket_SetNotifications() {
	ctx := context.Background()
	files := r2.NewMemory()
	files.SetNotifications(r2.NotifierFunc(func(_ context.Context, queue string, ev r2.Event) error {
		fmt.Println(queue, ev.Action, ev.Object.Key, ev.Object.Size)
		return nil
	}), r2.NotificationRule{Queue: "uploads", Events: []r2.EventType{r2.EventObjectCreate}, Suffix: ".png"})
	files.Put(ctx, "cat.png", strings.NewReader("png"), nil)
	files.Put(ctx, "notes.txt", strings.NewReader("skipped"), nil)
	// Output: uploads PutObject cat.png 3
}
