package host

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/worker"
)

// Options configure a Runner. Main fills them from flags; tests set them directly.
type Options struct {
	// ConfigPath is the wrangler config file; "" looks in Dir with env.Find, and no file at all
	// means an empty config.
	ConfigPath string
	// Config, when set, is used instead of reading ConfigPath.
	Config *env.Config
	// Dir is the project directory (for the config search, .dev.vars, migrations, assets);
	// default: the config's directory, else the working directory.
	Dir string
	// Environment selects an `[env.NAME]` section.
	Environment string
	// IP and Port to listen on; defaults 127.0.0.1 and 8787. Port -1 picks a free port.
	IP   string
	Port int
	// PersistTo is the state directory; default `.flarego/state` in Dir.
	PersistTo string
	// NoPersist keeps every binding in memory.
	NoPersist bool
	// LogLevel is debug, info, warn or error; default info.
	LogLevel string
	// LogOutput receives logs; default os.Stderr.
	LogOutput io.Writer
	// StrictLimits applies worker.ProductionLimits where the config sets none.
	StrictLimits bool
	// Upstream is the origin PassThroughOnException forwards to.
	Upstream *url.URL
	// NoCrons stops the runner from firing cron triggers on schedule.
	NoCrons bool
	// CF is the cf object of requests that carry none (worker.RequestCF); nil means
	// worker.DefaultCF. The --cf FILE flag reads it from a JSON file.
	CF *worker.CF
	// DefaultConfig is config text used when no config file is given or found (a program
	// that embeds its wrangler.jsonc); DefaultConfigName is its file name, which picks the
	// format (default "wrangler.jsonc").
	DefaultConfig     []byte
	DefaultConfigName string
	// Also are further workers served by the same runner, reached through service bindings.
	Also []AlsoWorker
	// ApplyMigrations applies each D1 database's unapplied migrations when its binding
	// opens (the platform applies them only by its CLI: `d1 migrations apply`).
	ApplyMigrations bool
	// S3Port, when not 0, serves the R2 buckets over the S3 API on that port (-1: any free
	// port) on IP.
	S3Port int
	// Registry is the folder of the service registry shared by runners on this machine;
	// default `services` in the persist directory (none with --no-persist).
	Registry string
}

// AlsoWorker is a further worker of a runner and its config.
type AlsoWorker struct {
	App    worker.Runnable
	Config *env.Config
}

// parseFlags reads the runner's flags from args.
func parseFlags(name string, args []string, out io.Writer) (Options, []string, error) {
	var o Options
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.ConfigPath, "config", "", "config file (default: wrangler.jsonc, wrangler.json or wrangler.toml in the working directory)")
	fs.StringVar(&o.Environment, "env", "", "environment section of the config to use")
	fs.StringVar(&o.IP, "ip", "", "address to listen on (default 127.0.0.1, or the config's dev.ip)")
	fs.IntVar(&o.Port, "port", 0, "port to listen on (default 8787, or the config's dev.port)")
	fs.StringVar(&o.PersistTo, "persist-to", "", "directory for persisted state (default .flarego/state beside the config)")
	fs.BoolVar(&o.NoPersist, "no-persist", false, "keep all state in memory")
	fs.StringVar(&o.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&o.StrictLimits, "strict-limits", false, "enforce the platform's production limits")
	fs.BoolVar(&o.NoCrons, "no-crons", false, "do not fire cron triggers on schedule")
	fs.BoolVar(&o.ApplyMigrations, "apply-migrations", false, "apply unapplied D1 migrations at start")
	fs.IntVar(&o.S3Port, "s3-port", 0, "serve the R2 buckets over the S3 API on this port (0: off)")
	fs.StringVar(&o.Registry, "registry", "", "folder where runners on this machine find each other's workers (default: services in the persist directory)")
	upstream := fs.String("upstream", "", "origin URL for PassThroughOnException")
	cfFile := fs.String("cf", "", "JSON file with the request.cf object of incoming requests")
	if err := fs.Parse(args); err != nil {
		return o, nil, err
	}
	// The flag set printed its own errors; these it does not know of.
	if *upstream != "" {
		u, err := url.Parse(*upstream)
		if err != nil || u.Scheme == "" || u.Host == "" {
			err = fmt.Errorf("--upstream %q is not an absolute URL", *upstream)
			fmt.Fprintln(out, err)
			return o, nil, err
		}
		o.Upstream = u
	}
	if *cfFile != "" {
		cf, err := readCF(*cfFile)
		if err != nil {
			fmt.Fprintln(out, err)
			return o, nil, err
		}
		o.CF = cf
	}
	return o, fs.Args(), nil
}

// resolve fills defaults: reads the config, picks the directories.
func (o *Options) resolve() (*env.Config, error) {
	cfg := o.Config
	if cfg == nil {
		path := o.ConfigPath
		if path == "" {
			dir := o.Dir
			if dir == "" {
				dir = "."
			}
			p, err := env.Find(dir)
			if err != nil && !errors.Is(err, env.ErrNoConfig) {
				return nil, err
			}
			path = p
		}
		if path != "" {
			c, err := env.ReadFile(path, o.Environment)
			if err != nil {
				return nil, err
			}
			cfg = c
			if o.Dir == "" {
				o.Dir = filepath.Dir(path)
			}
		} else if o.DefaultConfig != nil {
			name := o.DefaultConfigName
			if name == "" {
				name = "wrangler.jsonc"
			}
			c, err := env.Parse(name, o.DefaultConfig, o.Environment)
			if err != nil {
				return nil, err
			}
			cfg = c
		} else {
			cfg = &env.Config{}
		}
	}
	if o.Dir == "" {
		if cfg.Path != "" {
			o.Dir = filepath.Dir(cfg.Path)
		} else {
			o.Dir = "."
		}
	}
	if o.IP == "" {
		o.IP = "127.0.0.1"
		if cfg.Dev != nil && cfg.Dev.IP != "" {
			o.IP = cfg.Dev.IP
		}
	}
	if o.Port == 0 {
		o.Port = 8787
		if cfg.Dev != nil && cfg.Dev.Port != 0 {
			o.Port = cfg.Dev.Port
		}
	}
	if o.NoPersist {
		o.PersistTo = ""
	} else if o.PersistTo == "" {
		o.PersistTo = filepath.Join(o.Dir, ".flarego", "state")
	}
	if o.PersistTo != "" {
		if err := os.MkdirAll(o.PersistTo, 0o755); err != nil {
			return nil, fmt.Errorf("persist directory %s: %w", o.PersistTo, err)
		}
		probe := filepath.Join(o.PersistTo, ".write-test")
		if err := os.WriteFile(probe, nil, 0o600); err != nil {
			return nil, fmt.Errorf("persist directory %s is not writable: %w", o.PersistTo, err)
		}
		os.Remove(probe)
	}
	if o.LogOutput == nil {
		o.LogOutput = os.Stderr
	}
	if o.Registry == "" && o.PersistTo != "" {
		o.Registry = filepath.Join(o.PersistTo, "services")
	}
	return cfg, nil
}

// stateDir is the folder for one binding kind, or "" in memory.
func (o *Options) stateDir(kind string) string {
	if o.PersistTo == "" {
		return ""
	}
	return filepath.Join(o.PersistTo, kind)
}
