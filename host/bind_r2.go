package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"reflect"
	"strconv"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/disk"
	"github.com/flarego/flarego/r2/r2cli"
	"github.com/flarego/flarego/r2/s3api"
	"go.uber.org/zap"
)

// Default S3 access keys when the config sets none: local only, printed at start.
const (
	defaultS3AccessKey = "flarego"
	defaultS3Secret    = "flarego-local-secret"
)

func init() {
	addBinder(binder{
		kind:  "R2 bucket",
		match: typeIs[*r2.Bucket](),
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			for _, b := range w.cfg.R2Buckets {
				if b.Binding != name {
					continue
				}
				bucket, err := w.r.r2Bucket(w, bucketName(b))
				return reflect.ValueOf(bucket), true, err
			}
			return reflect.Value{}, false, nil
		},
	})
	addCommand(&command{
		name:    "r2",
		summary: "r2 bucket list|create|delete, r2 object get|put|delete|head|list BUCKET/KEY",
		run: func(ctx context.Context, c *cmdEnv, args []string) error {
			r := &Runner{opts: c.opts}
			store := r.r2Store()
			defer r.Close(ctx)
			err := r2cli.Run(ctx, store, args, r2cli.IO{Stdin: os.Stdin, Stdout: c.stdout, Stderr: c.stderr})
			if errors.Is(err, r2cli.ErrUsage) {
				fmt.Fprint(c.stderr, r2cli.Usage)
			}
			return err
		},
	})
}

func bucketName(b env.R2Bucket) string {
	if b.BucketName != "" {
		return b.BucketName
	}
	return b.Binding
}

// r2Store is the runner's buckets, on disk under <persist>/r2 or in memory.
func (r *Runner) r2Store() *r2.Store {
	s, _ := openShared(r, "r2", "", func() (*r2.Store, func() error, error) {
		opts := r2.Options{Logger: r.slog}
		var s *r2.Store
		if dir := r.opts.stateDir("r2"); dir != "" {
			s = disk.NewStore(dir, disk.Options{}, opts)
		} else {
			s = r2.NewMemoryStore(opts)
		}
		return s, s.Close, nil
	})
	return s
}

// r2Bucket opens a bucket for w and attaches the config's event notifications for it.
func (r *Runner) r2Bucket(w *workerSlot, name string) (*r2.Bucket, error) {
	b, err := r.r2Store().Bucket(context.Background(), name)
	if err != nil {
		return nil, err
	}
	if w.cfg.Flarego == nil {
		return b, nil
	}
	var rules []r2.NotificationRule
	for _, n := range w.cfg.Flarego.R2Notifications {
		if n.Bucket != name {
			continue
		}
		rule := r2.NotificationRule{Queue: n.Queue, Prefix: n.Prefix, Suffix: n.Suffix}
		for _, e := range n.Events {
			rule.Events = append(rule.Events, r2.EventType(e))
		}
		rules = append(rules, rule)
	}
	if len(rules) == 0 {
		return b, nil
	}
	eng, err := w.queueEngine()
	if err != nil {
		return nil, err
	}
	producers := map[string]*queues.Producer[json.RawMessage]{}
	for _, rule := range rules {
		v, err := queues.NewBindingValue(reflect.TypeFor[*queues.Producer[json.RawMessage]](), eng.Producer(queues.ProducerConfig{Queue: rule.Queue}))
		if err != nil {
			return nil, err
		}
		producers[rule.Queue] = v.Interface().(*queues.Producer[json.RawMessage])
	}
	b.SetNotifications(r2.NotifierFunc(func(ctx context.Context, queue string, ev r2.Event) error {
		body, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		return producers[queue].Send(ctx, body)
	}), rules...)
	return b, nil
}

// startS3 serves the buckets over the S3 API on --s3-port.
func (r *Runner) startS3(cfg *env.Config) error {
	if r.opts.S3Port == 0 {
		return nil
	}
	creds := s3api.Credentials{AccessKeyID: defaultS3AccessKey, SecretAccessKey: defaultS3Secret}
	if cfg.Flarego != nil && cfg.Flarego.S3 != nil && cfg.Flarego.S3.AccessKeyID != "" {
		creds = s3api.Credentials{AccessKeyID: cfg.Flarego.S3.AccessKeyID, SecretAccessKey: cfg.Flarego.S3.SecretAccessKey}
	}
	port := r.opts.S3Port
	if port < 0 {
		port = 0
	}
	addr := net.JoinHostPort(r.opts.IP, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("S3 endpoint: cannot listen on %s: %w", addr, err)
	}
	h := s3api.New(r.r2Store(), []s3api.Credentials{creds}, &s3api.Options{VirtualHosts: []string{"localhost"}, Logger: r.slog})
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	r.s3Addr = ln.Addr().String()
	r.log.Info("S3 endpoint over the R2 buckets", zap.String("url", "http://"+r.s3Addr), zap.String("access_key_id", creds.AccessKeyID))
	r.onClose(func(ctx context.Context) error { return srv.Shutdown(ctx) })
	return nil
}
