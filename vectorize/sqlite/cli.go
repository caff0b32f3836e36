package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/flarego/flarego/vectorize"
)

// Usage lists the commands RunCLI understands; they follow the platform's CLI
// (`vectorize <command>`), run against the local catalog.
const Usage = `vectorize commands (local):
  create NAME --dimensions N --metric cosine|euclidean|dot-product [--description TEXT]
  list
  get NAME                    configuration
  info NAME                   vector count, dimensions, last mutation
  delete NAME
  insert NAME --file F.ndjson [--batch-size N]
  upsert NAME --file F.ndjson [--batch-size N]
  query NAME (--vector X X ... | --vector-id ID) [--top-k N] [--return-values]
             [--return-metadata none|indexed|all] [--namespace NS] [--filter JSON]
  get-vectors NAME --ids ID ...
  delete-vectors NAME --ids ID ...
  create-metadata-index NAME --property-name P --type string|number|boolean
  list-metadata-index NAME
  delete-metadata-index NAME --property-name P
`

// RunCLI runs one command (args without the leading "vectorize") against c and writes its
// result to out as indented JSON. Errors are returned, not printed.
func RunCLI(ctx context.Context, c *Catalog, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("vectorize: missing command\n%s", Usage)
	}
	cmd := args[0]
	a, err := parseArgs(args[1:], map[string]bool{"vector": true, "ids": true}, map[string]bool{"return-values": true})
	if err != nil {
		return err
	}
	print := func(v any) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	if cmd == "list" {
		l, err := c.List(ctx)
		if err != nil {
			return err
		}
		return print(l)
	}
	if cmd == "help" {
		_, err := io.WriteString(out, Usage)
		return err
	}
	if len(a.pos) != 1 {
		return fmt.Errorf("vectorize %s: expected one index name\n%s", cmd, Usage)
	}
	name := a.pos[0]
	switch cmd {
	case "create":
		dims, err := strconv.Atoi(a.one("dimensions"))
		if err != nil {
			return fmt.Errorf("vectorize create: --dimensions: expected a number")
		}
		metric, err := vectorize.ParseMetric(a.one("metric"))
		if err != nil {
			return err
		}
		cfg, err := c.Create(ctx, vectorize.Config{Name: name, Dimensions: dims, Metric: metric, Description: a.one("description")})
		if err != nil {
			return err
		}
		return print(cfg)
	case "get":
		cfg, err := c.Get(ctx, name)
		if err != nil {
			return err
		}
		return print(cfg)
	case "delete":
		if err := c.Delete(ctx, name); err != nil {
			return err
		}
		return print(map[string]any{"name": name, "deleted": true})
	}
	x, err := c.Index(ctx, name)
	if err != nil {
		return err
	}
	defer x.Close()
	switch cmd {
	case "info":
		info, err := x.Describe(ctx)
		if err != nil {
			return err
		}
		return print(info)
	case "insert", "upsert":
		path := a.one("file")
		if path == "" {
			return fmt.Errorf("vectorize %s: --file is required", cmd)
		}
		batch := vectorize.MaxBatch
		if s := a.one("batch-size"); s != "" {
			if batch, err = strconv.Atoi(s); err != nil || batch < 1 || batch > vectorize.MaxBatchHTTP {
				return fmt.Errorf("vectorize %s: --batch-size: expected 1 to %d", cmd, vectorize.MaxBatchHTTP)
			}
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		n, muts, err := vectorize.LoadNDJSON(ctx, x, f, cmd == "upsert", batch)
		if err != nil {
			return err
		}
		ids := make([]string, len(muts))
		for i, m := range muts {
			ids[i] = m.ID
		}
		return print(map[string]any{"count": n, "mutationIds": ids})
	case "query":
		return runQuery(ctx, x, a, print)
	case "get-vectors":
		vs, err := x.GetByIDs(ctx, a.all("ids"))
		if err != nil {
			return err
		}
		return print(vs)
	case "delete-vectors":
		m, err := x.DeleteByIDs(ctx, a.all("ids"))
		if err != nil {
			return err
		}
		return print(m)
	case "create-metadata-index":
		typ, err := vectorize.ParseMetadataType(a.one("type"))
		if err != nil {
			return err
		}
		m, err := x.CreateMetadataIndex(ctx, a.one("property-name"), typ)
		if err != nil {
			return err
		}
		return print(m)
	case "list-metadata-index":
		l, err := x.MetadataIndexes(ctx)
		if err != nil {
			return err
		}
		return print(map[string]any{"metadataIndexes": l})
	case "delete-metadata-index":
		m, err := x.DeleteMetadataIndex(ctx, a.one("property-name"))
		if err != nil {
			return err
		}
		return print(m)
	}
	return fmt.Errorf("vectorize: unknown command %q\n%s", cmd, Usage)
}

func runQuery(ctx context.Context, x *vectorize.Index, a cliArgs, print func(any) error) error {
	var opts vectorize.QueryOptions
	if s := a.one("top-k"); s != "" {
		k, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("vectorize query: --top-k: expected a number")
		}
		opts.TopK = k
	}
	opts.ReturnValues = a.one("return-values") == "true"
	opts.ReturnMetadata = vectorize.MetadataLevel(a.one("return-metadata"))
	opts.Namespace = a.one("namespace")
	if s := a.one("filter"); s != "" {
		f, err := vectorize.ParseFilter([]byte(s))
		if err != nil {
			return err
		}
		opts.Filter = f
	}
	id, raw := a.one("vector-id"), a.all("vector")
	if (id == "") == (len(raw) == 0) {
		return fmt.Errorf("vectorize query: give either --vector or --vector-id")
	}
	var m vectorize.Matches
	var err error
	if id != "" {
		m, err = x.QueryByID(ctx, id, opts)
	} else {
		vec := make([]float32, len(raw))
		for i, s := range raw {
			f, perr := strconv.ParseFloat(s, 32)
			if perr != nil {
				return fmt.Errorf("vectorize query: --vector: %q is not a number", s)
			}
			vec[i] = float32(f)
		}
		m, err = x.Query(ctx, vec, opts)
	}
	if err != nil {
		return err
	}
	return print(m)
}

type cliArgs struct {
	pos   []string
	flags map[string][]string
}

func (a cliArgs) one(name string) string {
	if v := a.flags[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

func (a cliArgs) all(name string) []string { return a.flags[name] }

// parseArgs reads positionals and --flags (--f v, --f=v); a multi flag takes every following
// argument up to the next --flag, a bool flag takes none.
func parseArgs(args []string, multi, bools map[string]bool) (cliArgs, error) {
	a := cliArgs{flags: map[string][]string{}}
	for i := 0; i < len(args); i++ {
		s := args[i]
		if !strings.HasPrefix(s, "--") {
			a.pos = append(a.pos, s)
			continue
		}
		name, val, hasVal := strings.Cut(s[2:], "=")
		switch {
		case hasVal:
			a.flags[name] = append(a.flags[name], val)
		case bools[name]:
			a.flags[name] = append(a.flags[name], "true")
		case multi[name]:
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				a.flags[name] = append(a.flags[name], args[i])
			}
		default:
			if i+1 >= len(args) {
				return a, fmt.Errorf("vectorize: --%s needs a value", name)
			}
			i++
			a.flags[name] = append(a.flags[name], args[i])
		}
	}
	return a, nil
}
