package host_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

type R2Env struct {
	Files *r2.Bucket `binding:"FILES"`
}

type r2Event struct {
	Action string `json:"action"`
	Object struct {
		Key string `json:"key"`
	} `json:"object"`
}

// An R2 bucket bound in the config, written by a real S3 client through the runner's S3
// endpoint and read by the worker; object events reach a queue consumer.
func TestR2BindingS3EndpointAndNotifications(t *testing.T) {
	var mu sync.Mutex
	var events []r2Event
	app := worker.New[R2Env](worker.HandlerFunc[R2Env](func(req *http.Request, env R2Env, ctx *worker.Context) (*http.Response, error) {
		obj, err := env.Files.Get(ctx, strings.TrimPrefix(req.URL.Path, "/"), nil)
		if err != nil {
			return worker.Text(404, err.Error())
		}
		defer obj.Body.Close()
		b, _ := io.ReadAll(obj.Body)
		return worker.Text(200, string(b))
	}))
	queues.Consume(app, "uploads", func(b *queues.Batch[r2Event], env R2Env, ctx *worker.Context) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range b.Messages {
			events = append(events, m.Body)
		}
		return nil
	})
	rt := workertest.New(t, app, workertest.Config(`{
		"r2_buckets": [{"binding": "FILES", "bucket_name": "files"}],
		"queues": {"consumers": [{"queue": "uploads", "max_batch_timeout": 0}]},
		"flarego": {"s3": {"access_key_id": "AKID", "secret_access_key": "SECRET"},
		            "r2_notifications": [{"bucket": "files", "queue": "uploads", "suffix": ".txt"}]}
	}`), func(o *host.Options) error { o.S3Port = -1; o.IP = "127.0.0.1"; return nil })

	client := s3.New(s3.Options{
		Region:       "auto",
		BaseEndpoint: aws.String("http://" + rt.Runner.S3Addr()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		UsePathStyle: true,
	})
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("files"), Key: aws.String("hello.txt"), Body: strings.NewReader("from s3"),
	})
	require.NoError(t, err)
	require.Equal(t, "from s3", body(t, rt.Fetch(httptest.NewRequest("GET", "/hello.txt", nil))))

	bad := s3.New(s3.Options{Region: "auto", BaseEndpoint: aws.String("http://" + rt.Runner.S3Addr()),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "WRONG", ""), UsePathStyle: true})
	_, err = bad.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("files"), Key: aws.String("hello.txt")})
	require.Error(t, err, "a bad signature is refused")

	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(events) == 1
	}, 10*time.Second, 10*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, "PutObject", events[0].Action)
	require.Equal(t, "hello.txt", events[0].Object.Key)
}
