package host

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	"github.com/flarego/flarego/env"
	"go.uber.org/zap"
)

func init() {
	addBinder(binder{
		kind:  "D1 database",
		match: typeIs[*d1.Database](),
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			for _, c := range w.cfg.D1Databases {
				if c.Binding != name {
					continue
				}
				db, err := openD1(w.r, c)
				if err != nil {
					return reflect.Value{}, true, err
				}
				if w.r.opts.ApplyMigrations {
					applied, err := d1Migrations(w.r.opts.Dir, c).Apply(context.Background(), db)
					if err != nil {
						return reflect.Value{}, true, fmt.Errorf("migrations: %w", err)
					}
					for _, m := range applied {
						w.r.log.Info("applied D1 migration", zap.String("database", d1Name(c)), zap.String("migration", m))
					}
				}
				return reflect.ValueOf(db), true, nil
			}
			return reflect.Value{}, false, nil
		},
	})
	addCommand(&command{
		name:    "d1",
		summary: "d1 execute|export|import|migrations create|list|apply|time-travel info|restore DATABASE",
		run:     runD1Command,
	})
}

// d1ID is the database's local id: database_id, else database_name, else the binding.
func d1ID(c env.D1Database) string {
	switch {
	case c.DatabaseID != "":
		return c.DatabaseID
	case c.DatabaseName != "":
		return c.DatabaseName
	}
	return c.Binding
}

func d1Name(c env.D1Database) string {
	if c.DatabaseName != "" {
		return c.DatabaseName
	}
	return c.Binding
}

func openD1(r *Runner, c env.D1Database) (*d1.Database, error) {
	return openShared(r, "d1", d1ID(c), func() (*d1.Database, func() error, error) {
		if dir := r.opts.stateDir("d1"); dir != "" {
			// The file opens while the runner starts serving; the first query waits.
			db := d1.NewDeferred(func() (d1.Driver, error) {
				d, err := d1sqlite.OpenDir(dir, d1ID(c), d1sqlite.Options{})
				if err != nil {
					r.log.Error("open D1 database", zap.String("database", d1Name(c)), zap.Error(err))
					return nil, err
				}
				return d, nil
			})
			return db, db.Close, nil
		}
		drv, err := d1sqlite.OpenMemory(d1sqlite.Options{})
		if err != nil {
			return nil, nil, err
		}
		db := d1.New(drv)
		return db, db.Close, nil
	})
}

// d1Migrations locates a database's migrations beside the config.
func d1Migrations(dir string, c env.D1Database) d1.Migrations {
	m := d1.Migrations{Dir: c.MigrationsDir, Table: c.MigrationsTable, Pattern: c.MigrationsPattern}
	if m.Dir == "" {
		m.Dir = d1.DefaultMigrationsDir
	}
	if !filepath.IsAbs(m.Dir) {
		m.Dir = filepath.Join(dir, m.Dir)
	}
	if m.Pattern != "" && !filepath.IsAbs(m.Pattern) {
		m.Pattern = filepath.Join(dir, m.Pattern)
	}
	return m
}

func runD1Command(ctx context.Context, c *cmdEnv, args []string) error {
	const usage = `usage: d1 execute DATABASE (--command SQL | --file FILE) [--json]
       d1 export DATABASE --output FILE [--no-data] [--no-schema] [--table T]...
       d1 import DATABASE FILE
       d1 migrations create DATABASE MESSAGE | list DATABASE | apply DATABASE
       d1 time-travel info DATABASE [--timestamp T]
       d1 time-travel restore DATABASE (--bookmark B | --timestamp T)
  DATABASE is a database_name or binding from the config`
	fs := flag.NewFlagSet("d1", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	command := fs.String("command", "", "SQL to run")
	file := fs.String("file", "", "SQL file to run")
	asJSON := fs.Bool("json", false, "print results as JSON")
	output := fs.String("output", "", "export file")
	noData := fs.Bool("no-data", false, "export the schema only")
	noSchema := fs.Bool("no-schema", false, "export the data only")
	var tables multiFlag
	fs.Var(&tables, "table", "export only this table (repeatable)")
	bookmark := fs.String("bookmark", "", "bookmark to restore")
	timestamp := fs.String("timestamp", "", "a moment: Unix seconds or RFC 3339")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return errors.New(usage)
	}
	verb, sub := pos[0], ""
	if verb == "migrations" || verb == "time-travel" {
		if len(pos) < 3 {
			return errors.New(usage)
		}
		sub, pos = pos[1], pos[1:]
	}
	cfg, ok := findD1(c.cfg, pos[1])
	if !ok {
		return fmt.Errorf("no D1 database %q in the config (database_name or binding)", pos[1])
	}
	if verb == "migrations" && sub == "create" {
		if len(pos) < 3 {
			return errors.New(usage)
		}
		path, err := d1Migrations(c.opts.Dir, cfg).Create(pos[2])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "created %s\n", path)
		return nil
	}
	r := &Runner{opts: c.opts}
	db, err := openD1(r, cfg)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	switch verb {
	case "execute":
		var results []*d1.Result
		switch {
		case *command != "":
			results, err = d1.Execute(ctx, db, *command)
		case *file != "":
			results, err = d1.ExecuteFile(ctx, db, *file)
		default:
			return errors.New(usage)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return d1.WriteJSON(c.stdout, results)
		}
		return d1.WriteTable(c.stdout, results)
	case "export":
		if *output == "" {
			return errors.New(usage)
		}
		f, err := os.Create(*output)
		if err != nil {
			return err
		}
		if err := d1.Export(ctx, db, f, d1.ExportOptions{NoData: *noData, NoSchema: *noSchema, Tables: tables}); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	case "import":
		if len(pos) < 3 {
			return errors.New(usage)
		}
		f, err := os.Open(pos[2])
		if err != nil {
			return err
		}
		defer f.Close()
		return d1.Import(ctx, db, f)
	case "migrations":
		m := d1Migrations(c.opts.Dir, cfg)
		switch sub {
		case "list":
			names, err := m.Unapplied(ctx, db)
			if err != nil {
				return err
			}
			if len(names) == 0 {
				fmt.Fprintln(c.stdout, "No migrations to apply.")
			}
			for _, n := range names {
				fmt.Fprintln(c.stdout, n)
			}
			return nil
		case "apply":
			applied, err := m.Apply(ctx, db)
			for _, n := range applied {
				fmt.Fprintf(c.stdout, "applied %s\n", n)
			}
			if err == nil && len(applied) == 0 {
				fmt.Fprintln(c.stdout, "No migrations to apply.")
			}
			return err
		}
	case "time-travel":
		switch sub {
		case "info":
			var b string
			if *timestamp != "" {
				t, err := d1.ParseTimestamp(*timestamp)
				if err != nil {
					return err
				}
				b, err = db.BookmarkAt(ctx, t)
				if err != nil {
					return err
				}
			} else if b, err = db.CurrentBookmark(ctx); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "bookmark: %s\n", b)
			return nil
		case "restore":
			var undo string
			switch {
			case *bookmark != "":
				undo, err = db.Restore(ctx, *bookmark)
			case *timestamp != "":
				t, perr := d1.ParseTimestamp(*timestamp)
				if perr != nil {
					return perr
				}
				undo, err = db.RestoreAt(ctx, t)
			default:
				return errors.New(usage)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "restored; to undo: --bookmark %s\n", undo)
			return nil
		}
	}
	return errors.New(usage)
}

func findD1(cfg *env.Config, name string) (env.D1Database, bool) {
	for _, c := range cfg.D1Databases {
		if c.DatabaseName == name || c.Binding == name || c.DatabaseID == name {
			return c, true
		}
	}
	return env.D1Database{}, false
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint([]string(*m)) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
