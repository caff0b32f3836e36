package r2cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/flarego/flarego/r2"
)

// Usage describes the subcommands Run accepts.
const Usage = `usage:
  r2 bucket list
  r2 bucket create <bucket>
  r2 bucket delete <bucket>
  r2 object get <bucket>/<key> [--file <path> | --pipe]
  r2 object put <bucket>/<key> (--file <path> | --pipe) [--content-type <type>]
      [--content-disposition <v>] [--content-encoding <v>] [--content-language <v>]
      [--cache-control <v>] [--expires <http date>] [--storage-class Standard|InfrequentAccess]
  r2 object delete <bucket>/<key>
  r2 object head <bucket>/<key>
  r2 object list <bucket> [--prefix <p>] [--delimiter <d>]
`

// ErrUsage is returned, wrapped, for arguments Run does not understand.
var ErrUsage = errors.New("r2cli: bad usage")

// IO are the streams a command reads and writes.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Run executes one r2 subcommand (args without the leading "r2") against store, as the
// platform's CLI does in local mode. Objects are streamed; nothing is held whole in
// memory. An error matching ErrUsage means the arguments were wrong.
func Run(ctx context.Context, store *r2.Store, args []string, stdio IO) error {
	if len(args) < 2 {
		return usage("missing subcommand")
	}
	switch args[0] + " " + args[1] {
	case "bucket list":
		return bucketList(ctx, store, stdio)
	case "bucket create":
		name, err := one(args[2:])
		if err != nil {
			return err
		}
		if _, err := store.Create(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "Created bucket '%s'.\n", name)
		return nil
	case "bucket delete":
		name, err := one(args[2:])
		if err != nil {
			return err
		}
		if err := store.DeleteBucket(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "Deleted bucket '%s'.\n", name)
		return nil
	case "object get":
		return objectGet(ctx, store, args[2:], stdio)
	case "object put":
		return objectPut(ctx, store, args[2:], stdio)
	case "object delete":
		b, key, err := objectArg(ctx, store, args[2:], nil)
		if err != nil {
			return err
		}
		if err := b.Delete(ctx, key); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "Deleted object '%s' from bucket '%s'.\n", key, b.Name())
		return nil
	case "object head":
		b, key, err := objectArg(ctx, store, args[2:], nil)
		if err != nil {
			return err
		}
		obj, err := b.Head(ctx, key)
		if err != nil {
			return err
		}
		return printJSON(stdio.Stdout, describe(obj))
	case "object list":
		return objectList(ctx, store, args[2:], stdio)
	}
	return usage("unknown subcommand " + args[0] + " " + args[1])
}

func usage(msg string) error { return fmt.Errorf("%w: %s\n%s", ErrUsage, msg, Usage) }

func one(args []string) (string, error) {
	if len(args) != 1 {
		return "", usage("expected one argument")
	}
	return args[0], nil
}

// parse reads flags placed before or after the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usage(err.Error())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// objectArg parses "<bucket>/<key>" and the flags of fs, and opens the bucket.
func objectArg(ctx context.Context, store *r2.Store, args []string, fs *flag.FlagSet) (*r2.Bucket, string, error) {
	if fs == nil {
		fs = flag.NewFlagSet("object", flag.ContinueOnError)
	}
	pos, err := parse(fs, args)
	if err != nil {
		return nil, "", err
	}
	if len(pos) != 1 {
		return nil, "", usage("expected <bucket>/<key>")
	}
	bucket, key, ok := strings.Cut(pos[0], "/")
	if !ok || bucket == "" {
		return nil, "", usage("expected <bucket>/<key>, got " + pos[0])
	}
	b, err := store.Lookup(ctx, bucket)
	if err != nil {
		return nil, "", fmt.Errorf("bucket %q: %w", bucket, err)
	}
	return b, key, nil
}

func bucketList(ctx context.Context, store *r2.Store, stdio IO) error {
	infos, err := store.List(ctx)
	if err != nil {
		return err
	}
	for _, b := range infos {
		fmt.Fprintf(stdio.Stdout, "name:          %s\ncreation_date: %s\n\n", b.Name, b.Created.UTC().Format(time.RFC3339))
	}
	return nil
}

func objectGet(ctx context.Context, store *r2.Store, args []string, stdio IO) error {
	fs := flag.NewFlagSet("object get", flag.ContinueOnError)
	file := fs.String("file", "", "write the object to this file")
	fs.StringVar(file, "f", "", "write the object to this file")
	pipe := fs.Bool("pipe", false, "write the object to standard output")
	fs.BoolVar(pipe, "p", false, "write the object to standard output")
	b, key, err := objectArg(ctx, store, args, fs)
	if err != nil {
		return err
	}
	obj, err := b.Get(ctx, key, nil)
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	if *pipe {
		_, err = io.Copy(stdio.Stdout, obj.Body)
		return err
	}
	dest := *file
	if dest == "" {
		dest = path.Base(key)
	}
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, obj.Body); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Stderr, "Downloaded \"%s\" from \"%s\" (%d bytes) to %s.\n", key, b.Name(), obj.Size, dest)
	return nil
}

func objectPut(ctx context.Context, store *r2.Store, args []string, stdio IO) error {
	fs := flag.NewFlagSet("object put", flag.ContinueOnError)
	file := fs.String("file", "", "read the object from this file")
	fs.StringVar(file, "f", "", "read the object from this file")
	pipe := fs.Bool("pipe", false, "read the object from standard input")
	fs.BoolVar(pipe, "p", false, "read the object from standard input")
	var m r2.HTTPMetadata
	fs.StringVar(&m.ContentType, "content-type", "", "Content-Type")
	fs.StringVar(&m.ContentType, "ct", "", "Content-Type")
	fs.StringVar(&m.ContentDisposition, "content-disposition", "", "Content-Disposition")
	fs.StringVar(&m.ContentDisposition, "cd", "", "Content-Disposition")
	fs.StringVar(&m.ContentEncoding, "content-encoding", "", "Content-Encoding")
	fs.StringVar(&m.ContentEncoding, "ce", "", "Content-Encoding")
	fs.StringVar(&m.ContentLanguage, "content-language", "", "Content-Language")
	fs.StringVar(&m.ContentLanguage, "cl", "", "Content-Language")
	fs.StringVar(&m.CacheControl, "cache-control", "", "Cache-Control")
	fs.StringVar(&m.CacheControl, "cc", "", "Cache-Control")
	expires := fs.String("expires", "", "Expires, as an HTTP date")
	class := fs.String("storage-class", "", "Standard or InfrequentAccess")
	fs.StringVar(class, "s", "", "Standard or InfrequentAccess")
	b, key, err := objectArg(ctx, store, args, fs)
	if err != nil {
		return err
	}
	if (*file == "") == !*pipe {
		return usage("give exactly one of --file and --pipe")
	}
	if *expires != "" {
		t, err := http.ParseTime(*expires)
		if err != nil {
			return usage("--expires: " + err.Error())
		}
		m.CacheExpiry = t
	}
	var body io.Reader = stdio.Stdin
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		body = f
	}
	obj, err := b.Put(ctx, key, body, &r2.PutOptions{HTTPMetadata: &m, StorageClass: *class})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Stderr, "Uploaded \"%s\" to \"%s\" (%d bytes, etag %s).\n", key, b.Name(), obj.Size, obj.ETag)
	return nil
}

func objectList(ctx context.Context, store *r2.Store, args []string, stdio IO) error {
	fs := flag.NewFlagSet("object list", flag.ContinueOnError)
	prefix := fs.String("prefix", "", "only keys starting with this")
	delim := fs.String("delimiter", "", "group keys by this")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usage("expected <bucket>")
	}
	b, err := store.Lookup(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("bucket %q: %w", pos[0], err)
	}
	o := &r2.ListOptions{Prefix: *prefix, Delimiter: *delim}
	for {
		page, err := b.List(ctx, o)
		if err != nil {
			return err
		}
		for _, p := range page.DelimitedPrefixes {
			fmt.Fprintf(stdio.Stdout, "%12s  %-24s  %s\n", "PRE", "", p)
		}
		for _, obj := range page.Objects {
			fmt.Fprintf(stdio.Stdout, "%12d  %-24s  %s\n", obj.Size, obj.Uploaded.UTC().Format(time.RFC3339), obj.Key)
		}
		if !page.Truncated {
			return nil
		}
		o.Cursor = page.Cursor
	}
}

// description is an object as `object head` prints it.
type description struct {
	Key            string            `json:"key"`
	Version        string            `json:"version"`
	Size           int64             `json:"size"`
	ETag           string            `json:"etag"`
	HTTPETag       string            `json:"httpEtag"`
	Uploaded       string            `json:"uploaded"`
	HTTPMetadata   *r2.HTTPMetadata  `json:"httpMetadata"`
	CustomMetadata map[string]string `json:"customMetadata"`
	Checksums      r2.Checksums      `json:"checksums"`
	StorageClass   string            `json:"storageClass"`
}

func describe(o *r2.Object) description {
	return description{Key: o.Key, Version: o.Version, Size: o.Size, ETag: o.ETag, HTTPETag: o.HTTPETag,
		Uploaded: o.Uploaded.UTC().Format("2006-01-02T15:04:05.000Z"), HTTPMetadata: o.HTTPMetadata,
		CustomMetadata: o.CustomMetadata, Checksums: o.Checksums, StorageClass: o.StorageClass}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
