package host

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"time"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvsqlite"
	"go.uber.org/zap"
)

func init() {
	addBinder(binder{
		kind:  "KV namespace",
		match: typeIs[*kv.Namespace](),
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			for _, n := range w.cfg.KVNamespaces {
				if n.Binding == name {
					ns, err := openKV(w.r, kvID(n))
					return reflect.ValueOf(ns), true, err
				}
			}
			return reflect.Value{}, false, nil
		},
	})
	addCommand(&command{
		name:    "kv",
		summary: "kv key put|get|delete|list, kv bulk put|delete FILE (--binding NAME | --namespace-id ID)",
		run:     runKVCommand,
	})
}

// kvID is the namespace id a binding uses: its id, else (a local-only config) its binding name.
func kvID(n env.KVNamespace) string {
	if n.ID != "" {
		return n.ID
	}
	return n.Binding
}

func openKV(r *Runner, id string) (*kv.Namespace, error) {
	return openShared(r, "kv", id, func() (*kv.Namespace, func() error, error) {
		opts := kv.Options{Logger: r.slog}
		if dir := r.opts.stateDir("kv"); dir != "" {
			// The file opens while the runner starts serving; the first operation waits.
			ns := kv.NewDeferred(func() (kv.Driver, error) {
				d, err := kvsqlite.OpenDir(dir, id, kvsqlite.Options{})
				if err != nil {
					r.log.Error("open KV namespace", zap.String("id", id), zap.Error(err))
					return nil, err
				}
				return d, nil
			}, opts)
			return ns, ns.Close, nil
		}
		ns := kv.New(kv.NewMemoryDriver(), opts)
		return ns, ns.Close, nil
	})
}

func runKVCommand(ctx context.Context, c *cmdEnv, args []string) error {
	const usage = `usage: kv key put KEY VALUE [--ttl SECONDS] [--expiration UNIX] [--metadata JSON]
       kv key get KEY | kv key delete KEY | kv key list [--prefix P]
       kv bulk put FILE.json | kv bulk delete FILE.json
  each with --binding NAME or --namespace-id ID`
	if len(args) < 2 {
		return errors.New(usage)
	}
	group, op := args[0], args[1]
	fs := flag.NewFlagSet("kv", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	binding := fs.String("binding", "", "binding name from the config")
	nsID := fs.String("namespace-id", "", "namespace id")
	ttl := fs.Int("ttl", 0, "expiration TTL in seconds")
	expiration := fs.Int64("expiration", 0, "expiration time, seconds since the epoch")
	metadata := fs.String("metadata", "", "metadata as JSON")
	prefix := fs.String("prefix", "", "list only keys with this prefix")
	pos, err := parseInterleaved(fs, args[2:])
	if err != nil {
		return err
	}
	id := *nsID
	if id == "" {
		for _, n := range c.cfg.KVNamespaces {
			if n.Binding == *binding {
				id = kvID(n)
			}
		}
		if id == "" {
			return fmt.Errorf("no KV namespace bound as %q in the config (use --binding or --namespace-id)", *binding)
		}
	}
	r := &Runner{opts: c.opts}
	ns, err := openKV(r, id)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	need := func(n int) error {
		if len(pos) < n {
			return errors.New(usage)
		}
		return nil
	}
	switch group + " " + op {
	case "key put":
		if err := need(2); err != nil {
			return err
		}
		var opts []kv.PutOption
		if *ttl > 0 {
			opts = append(opts, kv.WithExpirationTTL(time.Duration(*ttl)*time.Second))
		}
		if *expiration > 0 {
			opts = append(opts, kv.WithExpiration(time.Unix(*expiration, 0)))
		}
		if *metadata != "" {
			opts = append(opts, kv.WithMetadata([]byte(*metadata)))
		}
		return ns.Put(ctx, pos[0], []byte(pos[1]), opts...)
	case "key get":
		if err := need(1); err != nil {
			return err
		}
		v, err := ns.Get(ctx, pos[0])
		if errors.Is(err, kv.ErrNotFound) {
			fmt.Fprintln(c.stdout, "Value not found")
			return nil
		}
		if err != nil {
			return err
		}
		_, err = c.stdout.Write(v)
		return err
	case "key delete":
		if err := need(1); err != nil {
			return err
		}
		return ns.Delete(ctx, pos[0])
	case "key list":
		return kv.WriteKeyList(ctx, ns, c.stdout, kv.ListOptions{Prefix: *prefix})
	case "bulk put", "bulk delete":
		if err := need(1); err != nil {
			return err
		}
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		var n int
		if op == "put" {
			n, err = kv.BulkPut(ctx, ns, f)
		} else {
			n, err = kv.BulkDelete(ctx, ns, f)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s %s key(s)\n", map[string]string{"put": "Wrote", "delete": "Deleted"}[op], strconv.Itoa(n))
		return nil
	}
	return errors.New(usage)
}

// parseInterleaved parses flags that may come before, between or after positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
