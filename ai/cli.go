package ai

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// CommandUsage describes the subcommands Command runs.
const CommandUsage = `usage:
  ai models [-search TEXT] [-task NAME] [-author NAME]
      list the models this configuration serves, as JSON
  ai run [-gateway JSON] MODEL [INPUT]
      run MODEL on INPUT (JSON; read from stdin when absent or "-"); prints the JSON
      result, or the event stream when the input sets "stream": true`

// Command runs the local "ai" tooling of the host's CLI: args are what follows "ai" on the
// command line. Results go to stdout; the returned error is the run's (*Error for the
// platform's errors) or a usage error.
func Command(ctx context.Context, c *Client, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(CommandUsage)
	}
	switch args[0] {
	case "models":
		fs := flag.NewFlagSet("ai models", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var f ModelsFilter
		fs.StringVar(&f.Search, "search", "", "")
		fs.StringVar(&f.Task, "task", "", "")
		fs.StringVar(&f.Author, "author", "", "")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
			return errors.New(CommandUsage)
		}
		models, err := c.Models(ctx, &f)
		if err != nil {
			return err
		}
		return writeJSON(stdout, models)
	case "run":
		fs := flag.NewFlagSet("ai run", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		gateway := fs.String("gateway", "", "")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() < 1 || fs.NArg() > 2 {
			return errors.New(CommandUsage)
		}
		var opts RunOptions
		if *gateway != "" {
			opts.Gateway = new(GatewayOptions)
			if err := json.Unmarshal([]byte(*gateway), opts.Gateway); err != nil {
				return fmt.Errorf("ai run: -gateway: %w", err)
			}
		}
		var input []byte
		if fs.NArg() == 2 && fs.Arg(1) != "-" {
			input = []byte(fs.Arg(1))
		} else {
			b, err := io.ReadAll(stdin)
			if err != nil {
				return err
			}
			input = b
		}
		if !json.Valid(input) {
			return fmt.Errorf("ai run: input is not JSON: %s", strings.TrimSpace(string(input)))
		}
		return RunJSON(ctx, c, fs.Arg(0), input, &opts, stdout)
	}
	return errors.New(CommandUsage)
}

// RunJSON runs model on a JSON input and writes the result to w: indented JSON, or the raw
// bytes of a stream. It is Command's "run", for the host's local endpoints as well.
func RunJSON(ctx context.Context, c *Client, model string, input []byte, opts *RunOptions, w io.Writer) error {
	res, err := c.Run(ctx, model, json.RawMessage(input), opts)
	if err != nil {
		return err
	}
	switch v := res.(type) {
	case *Stream:
		defer v.Close()
		_, err := io.Copy(w, v)
		return err
	case *http.Response:
		defer v.Body.Close()
		_, err := io.Copy(w, v.Body)
		return err
	}
	return writeJSON(w, res)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
