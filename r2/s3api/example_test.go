package s3api_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/s3api"
)

// Serve a store's buckets to the AWS SDK; the binding sees what the SDK wrote.
func Example() {
	ctx := context.Background()
	store := r2.NewMemoryStore(r2.Options{})
	defer store.Close()
	files, _ := store.Bucket(ctx, "files")

	srv := httptest.NewServer(s3api.New(store, []s3api.Credentials{{AccessKeyID: "id", SecretAccessKey: "secret"}}, nil))
	defer srv.Close()
	client := s3.New(s3.Options{
		Region:       "auto",
		Credentials:  credentials.NewStaticCredentialsProvider("id", "secret", ""),
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
	})

	_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("files"), Key: aws.String("hello.txt"),
		Body: strings.NewReader("value"), ContentType: aws.String("text/plain")})
	fmt.Println(err)

	obj, _ := files.Get(ctx, "hello.txt", nil)
	defer obj.Body.Close()
	body, _ := io.ReadAll(obj.Body)
	fmt.Println(string(body), obj.HTTPMetadata.ContentType, obj.ETag)
	// Output:
	// <nil>
	// value text/plain 2063c1608d6e0baf80249c42e2be5804
}
