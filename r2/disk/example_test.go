package disk_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/disk"
)

// Buckets persisted under a directory, as the runner keeps them under its state
// directory: what one store wrote, the next one reads.
func ExampleNewStore() {
	root, _ := os.MkdirTemp("", "r2")
	defer os.RemoveAll(root)
	ctx := context.Background()

	store := disk.NewStore(filepath.Join(root, "r2"), disk.Options{}, r2.Options{})
	files, _ := store.Bucket(ctx, "files")
	files.Put(ctx, "notes/today.txt", strings.NewReader("persisted"), nil)
	store.Close()

	store = disk.NewStore(filepath.Join(root, "r2"), disk.Options{}, r2.Options{})
	defer store.Close()
	files, _ = store.Bucket(ctx, "files")
	obj, _ := files.Get(ctx, "notes/today.txt", nil)
	defer obj.Body.Close()
	body, _ := io.ReadAll(obj.Body)
	fmt.Println(string(body))
	// Output: persisted
}
