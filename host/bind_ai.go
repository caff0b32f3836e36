package host

import (
	"context"
	"fmt"
	"os"
	"reflect"

	"github.com/flarego/flarego/ai"
	"github.com/flarego/flarego/env"
)

func init() {
	addBinder(binder{
		kind:  "AI binding",
		match: typeIs[*ai.Client](),
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			if w.cfg.AI == nil || w.cfg.AI.Binding != name {
				return reflect.Value{}, false, nil
			}
			cfg, err := aiConfig(w.cfg)
			if err != nil {
				return reflect.Value{}, true, err
			}
			cfg.Logger = w.r.slog
			c, err := ai.New(cfg)
			if err != nil {
				return reflect.Value{}, true, err
			}
			return reflect.ValueOf(c), true, nil
		},
	})
	addCommand(&command{
		name:    "ai",
		summary: "ai models | ai run MODEL [INPUT|-]: list or run the configured models",
		run: func(ctx context.Context, c *cmdEnv, args []string) error {
			cfg, err := aiConfig(c.cfg)
			if err != nil {
				return err
			}
			client, err := ai.New(cfg)
			if err != nil {
				return err
			}
			return ai.Command(ctx, client, args, os.Stdin, c.stdout)
		},
	})
}

// aiConfig reads the config's flarego.ai section and the FLAREGO_AI_* environment.
func aiConfig(cfg *env.Config) (ai.Config, error) {
	var raw []byte
	if cfg.Flarego != nil {
		raw = cfg.Flarego.AI
	}
	c, err := ai.LoadConfig(raw, os.Getenv)
	if err != nil {
		return c, fmt.Errorf("flarego.ai: %w", err)
	}
	return c, nil
}
