package disk

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flarego/flarego/r2"
)

// createdFile records when a bucket directory was made, for ListBuckets.
const createdFile = "created"

// NewStore returns a store of disk buckets, one directory per bucket under root:
//
//	<root>/<bucket>/index.sqlite   the index (with its -wal and -shm files)
//	<root>/<bucket>/blobs/xx/<id>  object bytes, one file per object or part
//	<root>/<bucket>/tmp/           writes in progress
//	<root>/<bucket>/created        creation time
func NewStore(root string, opts Options, bucket r2.Options) *r2.Store {
	return r2.NewStore(&backend{root: root, opts: opts}, bucket)
}

type backend struct {
	root string
	opts Options
}

func (b *backend) Open(name string, create bool) (r2.Driver, error) {
	dir := filepath.Join(b.root, name)
	if _, err := os.Stat(filepath.Join(dir, indexFile)); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if !create {
			return nil, r2.ErrNoSuchBucket
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		stamp := time.Now().UTC().Format(time.RFC3339Nano)
		if err := os.WriteFile(filepath.Join(dir, createdFile), []byte(stamp), 0o644); err != nil {
			return nil, err
		}
	}
	return Open(dir, b.opts)
}

func (b *backend) List() ([]r2.BucketInfo, error) {
	entries, err := os.ReadDir(b.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []r2.BucketInfo
	for _, e := range entries {
		if !e.IsDir() || !r2.ValidBucketName(e.Name()) {
			continue
		}
		dir := filepath.Join(b.root, e.Name())
		info, err := os.Stat(filepath.Join(dir, indexFile))
		if err != nil {
			continue
		}
		created := info.ModTime()
		if stamp, err := os.ReadFile(filepath.Join(dir, createdFile)); err == nil {
			if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(stamp))); err == nil {
				created = t
			}
		}
		out = append(out, r2.BucketInfo{Name: e.Name(), Created: created})
	}
	return out, nil
}

func (b *backend) Remove(name string) error {
	if !r2.ValidBucketName(name) {
		return r2.ErrInvalidBucketName
	}
	return os.RemoveAll(filepath.Join(b.root, name))
}
