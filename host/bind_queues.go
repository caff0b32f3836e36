package host

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

func init() {
	registrars[queues.KindConsumer] = func(w *workerSlot, reg worker.Registration) error {
		_, err := w.queueEngine()
		return err
	}
	addBinder(binder{
		kind:  "queue producer",
		match: queues.IsProducerType,
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			for _, p := range w.cfg.Queues.Producers {
				if p.Binding != name {
					continue
				}
				eng, err := w.queueEngine()
				if err != nil {
					return reflect.Value{}, true, err
				}
				pc := queues.ProducerConfig{Queue: p.Queue}
				if p.DeliveryDelay != nil {
					pc.DeliveryDelay = time.Duration(*p.DeliveryDelay) * time.Second
				}
				v, err := queues.NewBindingValue(t, eng.Producer(pc))
				return v, true, err
			}
			return reflect.Value{}, false, nil
		},
	})
	addCommand(&command{
		name:    "queues",
		summary: "queues list | info QUEUE | purge QUEUE: the persisted queues",
		run:     runQueuesCommand,
	})
}

// consumerConfigs maps the config's queues.consumers onto package queues' settings.
func consumerConfigs(cfg *env.Config) []queues.ConsumerConfig {
	var out []queues.ConsumerConfig
	for _, c := range cfg.Queues.Consumers {
		cc := queues.ConsumerConfig{Queue: c.Queue, Type: queues.ConsumerType(c.Type), DeadLetterQueue: c.DeadLetterQueue, MaxRetries: c.MaxRetries}
		if c.MaxBatchSize != nil {
			cc.MaxBatchSize = *c.MaxBatchSize
		}
		if c.MaxBatchTimeout != nil {
			d := time.Duration(*c.MaxBatchTimeout * float64(time.Second))
			cc.MaxBatchTimeout = &d
		}
		if c.RetryDelay != nil {
			cc.RetryDelay = time.Duration(*c.RetryDelay) * time.Second
		}
		if c.MaxConcurrency != nil {
			cc.MaxConcurrency = *c.MaxConcurrency
		}
		if c.VisibilityTimeoutMs != nil {
			cc.VisibilityTimeout = time.Duration(*c.VisibilityTimeoutMs) * time.Millisecond
		}
		out = append(out, cc)
	}
	return out
}

// queueEngine opens w's queues engine on first use: the producers and consumers of one
// worker share it; workers and processes on the same state directory share its file.
func (w *workerSlot) queueEngine() (*queues.Engine, error) {
	if w.queues != nil {
		return w.queues, nil
	}
	r := w.r
	limits := w.limits
	eng, err := queues.Open(r.opts.stateDir("queues"), queues.Options{
		Logger: r.slog, Consumers: consumerConfigs(w.cfg), WorkerName: w.name, Limits: limits, Exports: w,
	})
	if err != nil {
		return nil, err
	}
	w.queues = eng
	r.onClose(eng.Close)
	w.onBound = append(w.onBound, func(ctx context.Context, b worker.Bound) error {
		return eng.Start(b.Env(), w.app.Registrations())
	})
	if len(w.cfg.Queues.Consumers) > 0 {
		r.routes = append(r.routes, route{prefix: "/accounts/", handler: eng.PullHandler()})
	}
	return eng, nil
}

func runQueuesCommand(ctx context.Context, c *cmdEnv, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: queues list | info QUEUE | purge QUEUE")
	}
	eng, err := queues.Open(c.opts.stateDir("queues"), queues.Options{Consumers: consumerConfigs(c.cfg)})
	if err != nil {
		return err
	}
	defer eng.Close(ctx)
	switch args[0] {
	case "list":
		list, err := eng.List(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%-30s %10s %10s %10s %10s\n", "QUEUE", "MESSAGES", "READY", "IN FLIGHT", "DELAYED")
		for _, q := range list {
			fmt.Fprintf(c.stdout, "%-30s %10d %10d %10d %10d\n", q.Name, q.Messages, q.Ready, q.InFlight, q.Delayed)
		}
		return nil
	case "info":
		if len(args) < 2 {
			return fmt.Errorf("usage: queues info QUEUE")
		}
		info, err := eng.Info(ctx, strings.Join(args[1:], " "))
		if err != nil {
			return err
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	case "purge":
		if len(args) < 2 {
			return fmt.Errorf("usage: queues purge QUEUE")
		}
		n, err := eng.Purge(ctx, strings.Join(args[1:], " "))
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "purged %d messages\n", n)
		return nil
	}
	return fmt.Errorf("unknown queues command %q", args[0])
}
