package d1

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ExportOptions are the CLI's export flags (D1-046). The zero value exports the schema and
// data of every table.
type ExportOptions struct {
	// NoSchema leaves out CREATE statements (--no-schema).
	NoSchema bool
	// NoData leaves out INSERT statements (--no-data).
	NoData bool
	// Tables limits the export to these tables and their indexes, triggers and views
	// (--table); empty means all.
	Tables []string
}

// ErrVirtualTable: the database has a virtual table (FTS5), which cannot be exported.
var ErrVirtualTable = errors.New("D1 Export error: cannot export databases with Virtual Tables (fts5)")

// Export writes the database as SQL statements, one per line, in the platform's format:
// "PRAGMA defer_foreign_keys=TRUE;", each table's CREATE and its rows as INSERTs with
// quoted identifiers, then indexes, triggers and views (D1-046). Run through Import (or
// Execute) on an empty database, the output reproduces schema and data, NULLs, BLOBs and
// values of a type other than their column's included (D1-047); REAL values keep a decimal
// point so they stay REAL. The reserved _cf_ tables are left out. The data is read in one
// transaction, which holds other writes back until it ends, as on the platform.
func Export(ctx context.Context, db *Database, w io.Writer, opts ExportOptions) error {
	tables, err := db.Prepare(`SELECT name, type, sql FROM sqlite_schema WHERE type = 'table' AND sql NOT NULL ORDER BY tbl_name = 'sqlite_sequence', rowid`).Raw(ctx)
	if err != nil {
		return err
	}
	// Each table's schema lines come right before its rows, as in SQLite's dump: the rows of
	// sqlite_sequence must replace those the inserts above them created.
	type table struct {
		name   string
		schema []string
		data   bool
	}
	var list []table
	var reads []*Statement
	for _, t := range tables {
		name, sql := t[0].(string), t[2].(string)
		if len(opts.Tables) > 0 && !slices.Contains(opts.Tables, name) {
			continue
		}
		e := table{name: name}
		switch {
		case name == "sqlite_sequence":
			e.schema = []string{"DELETE FROM sqlite_sequence;"}
		case strings.HasPrefix(name, "sqlite_stat"):
			e.schema = []string{"ANALYZE sqlite_schema;"}
		case strings.HasPrefix(strings.ToUpper(sql), "CREATE VIRTUAL TABLE"):
			return ErrVirtualTable
		case strings.HasPrefix(name, "_cf_") || strings.HasPrefix(name, "sqlite_"):
			continue
		case quotedCreate.MatchString(sql):
			e.schema = []string{"CREATE TABLE IF NOT EXISTS " + sql[13:] + ";"}
		default:
			e.schema = []string{sql + ";"}
		}
		if opts.NoSchema {
			e.schema = nil
		}
		if !opts.NoData {
			e.data = true
			reads = append(reads, db.Prepare(`SELECT name FROM pragma_table_info(?)`).Bind(name))
		}
		list = append(list, e)
	}
	var rows [][][]any
	var inserts []string
	if len(reads) > 0 {
		cols, err := db.Batch(ctx, reads...)
		if err != nil {
			return err
		}
		selects := make([]*Statement, len(cols))
		inserts = make([]string, len(cols))
		i := 0
		for _, e := range list {
			if !e.data {
				continue
			}
			var qs []string
			for _, row := range cols[i].Results {
				qs = append(qs, quoteID(row["name"].(string)))
			}
			inserts[i] = "INSERT INTO " + quoteID(e.name) + " (" + strings.Join(qs, ",") + ") VALUES("
			selects[i] = db.Prepare(`SELECT ` + strings.Join(qs, ", ") + ` FROM ` + quoteID(e.name))
			i++
		}
		if rows, err = rawBatch(ctx, db, selects); err != nil {
			return err
		}
	}

	bw := bufio.NewWriter(w)
	line := func(s string) { bw.WriteString(s); bw.WriteByte('\n') }
	line("PRAGMA defer_foreign_keys=TRUE;")
	i := 0
	for _, e := range list {
		for _, l := range e.schema {
			line(l)
		}
		if !e.data {
			continue
		}
		for _, row := range rows[i] {
			cells := make([]string, len(row))
			for j, v := range row {
				cells[j] = sqlLiteral(v)
			}
			line(inserts[i] + strings.Join(cells, ",") + ");")
		}
		i++
	}
	if !opts.NoSchema {
		rest, err := db.Prepare(`SELECT name, tbl_name, sql FROM sqlite_schema WHERE sql NOT NULL AND type IN ('index', 'trigger', 'view') ORDER BY type COLLATE NOCASE`).Raw(ctx)
		if err != nil {
			return err
		}
		for _, r := range rest {
			name, tbl, sql := r[0].(string), r[1].(string), r[2].(string)
			if len(opts.Tables) > 0 && !slices.Contains(opts.Tables, name) && !slices.Contains(opts.Tables, tbl) {
				continue
			}
			if strings.HasPrefix(tbl, "_cf_") {
				continue
			}
			line(sql + ";")
		}
	}
	return bw.Flush()
}

// quotedCreate matches a CREATE TABLE whose name was quoted; the dump adds IF NOT EXISTS to
// those, as SQLite's shell does.
var quotedCreate = regexp.MustCompile(`^CREATE TABLE ['"]`)

// Import runs a SQL dump (Export's output, or any SQL text) into db, as one transaction
// (Execute).
func Import(ctx context.Context, db *Database, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, err = Execute(ctx, db, string(b))
	return err
}

// rawBatch runs read statements in one transaction and returns their rows.
func rawBatch(ctx context.Context, db *Database, stmts []*Statement) ([][][]any, error) {
	qs := make([]Query, len(stmts))
	for i, s := range stmts {
		qs[i] = Query{SQL: s.sql, Args: s.args}
	}
	rows, err := db.driver().Batch(ctx, qs)
	if err != nil {
		return nil, d1Error(err)
	}
	out := make([][][]any, len(rows))
	for i, r := range rows {
		out[i] = r.Values
	}
	return out, nil
}

// sqlLiteral writes a value as SQL that reads back as the same value of the same type.
func sqlLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		switch {
		case math.IsInf(x, 1):
			return "9.0e+999"
		case math.IsInf(x, -1):
			return "-9.0e+999"
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case []byte:
		return "X'" + hex.EncodeToString(x) + "'"
	case string:
		return quoteText(x)
	}
	return quoteText(fmt.Sprint(v))
}

// quoteText quotes a string as SQLite's shell does in a dump: newlines and carriage returns
// are written as placeholders that a replace() call turns back, so each statement stays on
// one line.
func quoteText(s string) string {
	hasNL, hasCR := strings.Contains(s, "\n"), strings.Contains(s, "\r")
	if !hasNL && !hasCR {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	nl, cr := unused(s, `\n`, `\012`), unused(s, `\r`, `\015`)
	e := strings.ReplaceAll(s, "'", "''")
	e = strings.ReplaceAll(e, "\n", nl)
	e = strings.ReplaceAll(e, "\r", cr)
	out := "'" + e + "'"
	if hasCR {
		out = "replace(" + out + ",'" + cr + "',char(13))"
	}
	if hasNL {
		out = "replace(" + out + ",'" + nl + "',char(10))"
	}
	return out
}

// unused returns a placeholder that does not occur in s.
func unused(s, primary, secondary string) string {
	if !strings.Contains(s, primary) {
		return primary
	}
	if !strings.Contains(s, secondary) {
		return secondary
	}
	for i := 0; ; i++ {
		c := "(" + primary + strconv.Itoa(i) + ")"
		if !strings.Contains(s, c) {
			return c
		}
	}
}
