package host

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/internal/deferred"
	"github.com/flarego/flarego/worker"
)

// gcPercent is the runner process's GOGC when the environment sets none. At 200 the heap
// may reach three times its live size between collections instead of twice: on /hello it
// cut the collector's share of CPU by half, for about 4 MiB more RSS under load.
const gcPercent = 200

// shutdownGrace bounds a graceful shutdown: in-flight requests, then WaitUntil work (30 s).
const shutdownGrace = 35 * time.Second

// MainOption adjusts Main.
type MainOption func(*Options)

// EmbeddedConfig makes data (the text of a file called name, e.g. "wrangler.jsonc") the
// config when no --config is given and the working directory has none: a program can embed
// its config with go:embed and run from anywhere.
func EmbeddedConfig(name string, data []byte) MainOption {
	return func(o *Options) { o.DefaultConfigName, o.DefaultConfig = name, data }
}

// Configure adjusts the runner's options directly, after the flags are read (e.g.
// `host.Configure(func(o *host.Options) { o.ApplyMigrations = true })`).
func Configure(f func(*Options)) MainOption { return f }

// Also serves a further worker in the same runner, with its config text (a file called
// name, which picks the format). Workers reach it through service bindings whose `service`
// is its name (W-024).
func Also(app worker.Runnable, name string, config []byte) MainOption {
	return func(o *Options) {
		cfg, err := env.Parse(name, config, o.Environment)
		if err != nil {
			panic(fmt.Sprintf("host.Also: %v", err))
		}
		o.Also = append(o.Also, AlsoWorker{App: app, Config: cfg})
	}
}

// Main runs the program: with no arguments (or only flags) it serves app; with a
// subcommand it runs that (`help` lists them). It exits the process.
//
// Unless the GOGC environment variable is set, Main sets the garbage collector's target to
// gcPercent: a runner's live heap is small (a few MiB), and at Go's default every request's
// garbage brings the next collection close. Main also makes the bindings' storage open one
// file at a time in the background (a runner made by New in a test opens them side by side).
func Main(app worker.Runnable, opts ...MainOption) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	deferred.SerializeOpens()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr, app, opts...)
	stop()
	os.Exit(code)
}

// Run is Main without the process: it returns the exit code. ctx ending starts a graceful
// shutdown.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, app worker.Runnable, mopts ...MainOption) int {
	// Runner flags may come before a subcommand (`--persist-to X kv key get …`): move the
	// command name to the front.
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			if _, ok := commands[a]; ok && i > 0 {
				args = append(append([]string{a}, args[:i]...), args[i+1:]...)
			}
			break
		}
		if !strings.Contains(a, "=") && flagTakesValue(a) {
			i++ // skip the flag's value
		}
	}
	if len(args) > 0 {
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			printHelp(stdout)
			return 0
		}
		if cmd, ok := commands[args[0]]; ok {
			if err := runCommand(ctx, cmd, args[1:], stdout, stderr, app, mopts); err != nil {
				if !errors.Is(err, flag.ErrHelp) {
					fmt.Fprintf(stderr, "%s: %v\n", args[0], err)
				}
				return 1
			}
			return 0
		}
	}
	opts, rest, err := parseFlags("serve", args, stderr)
	if err != nil {
		return 2
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "unknown command %q (run with help for the list)\n", rest[0])
		return 2
	}
	for _, mo := range mopts {
		mo(&opts)
	}
	if err := Serve(ctx, opts, app, stdout); err != nil {
		fmt.Fprintf(stderr, "flarego: %v\n", err)
		return 1
	}
	return 0
}

// Serve starts a runner with opts, prints where it listens and persists, and serves until
// ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, opts Options, app worker.Runnable, stdout io.Writer) error {
	r, err := New(ctx, opts, app)
	if err != nil {
		return err
	}
	ln, err := r.Listen()
	if err != nil {
		r.Close(context.Background())
		return err
	}
	state := "in memory (--no-persist)"
	if r.PersistDir() != "" {
		state = "persisted in " + r.PersistDir()
	}
	fmt.Fprintf(stdout, "flarego: serving %s on http://%s (state %s)\n", r.primary.name, ln.Addr(), state)
	served := make(chan error, 1)
	go func() { served <- r.Serve(ln) }()
	select {
	case err := <-served:
		r.Close(context.Background())
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = r.Shutdown(sctx)
	<-served
	return err
}

// A command is a local-tooling subcommand.
type command struct {
	name    string
	summary string
	// run gets the arguments after the command name.
	run func(ctx context.Context, c *cmdEnv, args []string) error
}

var commands = map[string]*command{}

func addCommand(c *command) { commands[c.name] = c }

// cmdEnv is what a subcommand works with: the config and the state directory.
type cmdEnv struct {
	opts   Options
	cfg    *env.Config
	stdout io.Writer
	stderr io.Writer
	app    worker.Runnable
}

func runCommand(ctx context.Context, cmd *command, args []string, stdout, stderr io.Writer, app worker.Runnable, mopts []MainOption) error {
	// Runner flags may come before or among the command's own; pull them out first.
	opts, rest, err := extractRunnerFlags(args)
	if err != nil {
		return err
	}
	for _, mo := range mopts {
		mo(&opts)
	}
	opts.LogOutput = stderr
	cfg, err := opts.resolve()
	if err != nil {
		return err
	}
	return cmd.run(ctx, &cmdEnv{opts: opts, cfg: cfg, stdout: stdout, stderr: stderr, app: app}, rest)
}

// extractRunnerFlags takes --config, --env, --persist-to, --no-persist, --ip and --port (where
// the subcommands that talk to a running runner find it) out of args.
func extractRunnerFlags(args []string) (Options, []string, error) {
	var o Options
	var rest []string
	var port string
	takes := map[string]*string{"--config": &o.ConfigPath, "--env": &o.Environment, "--persist-to": &o.PersistTo, "--ip": &o.IP, "--port": &port}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := cutFlag(a)
		if p, ok := takes[name]; ok {
			if !hasVal {
				if i+1 >= len(args) {
					return o, nil, fmt.Errorf("%s needs a value", name)
				}
				i++
				val = args[i]
			}
			*p = val
			continue
		}
		if name == "--no-persist" {
			o.NoPersist = true
			continue
		}
		if name == "--local" { // accepted for familiarity: everything here is local
			continue
		}
		rest = append(rest, a)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return o, nil, fmt.Errorf("--port %q is not a port number", port)
		}
		o.Port = n
	}
	return o, rest, nil
}

// flagTakesValue reports whether a runner flag is followed by its value.
func flagTakesValue(a string) bool {
	switch strings.TrimLeft(a, "-") {
	case "config", "env", "persist-to", "ip", "port", "log-level", "upstream", "registry", "s3-port", "cf":
		return true
	}
	return false
}

func cutFlag(a string) (name, val string, hasVal bool) {
	if len(a) > 1 && a[0] == '-' && (len(a) < 2 || a[1] != '-') {
		a = "-" + a
	}
	for i := range a {
		if a[i] == '=' {
			return a[:i], a[i+1:], true
		}
	}
	return a, "", false
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Usage: go run . [flags]            serve the worker (default 127.0.0.1:8787)")
	fmt.Fprintln(w, "       go run . COMMAND [args]     local tooling on the persisted state")
	fmt.Fprintln(w, "\nFlags: --config FILE --env NAME --ip IP --port N --persist-to DIR --no-persist")
	fmt.Fprintln(w, "       --log-level LEVEL --strict-limits --upstream URL --no-crons --cf FILE")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-18s %s\n", n, commands[n].summary)
	}
}
