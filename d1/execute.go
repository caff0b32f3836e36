package d1

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flarego/flarego/d1/internal/sqltext"
)

// Execute runs a SQL text as the platform's CLI runs "d1 execute --command" or "--file"
// against a local database (D1-048): its statements, in order, as one batch in one
// transaction, so that a failure undoes them all. It returns one result per statement.
// Imports are run this way too: a statement over 100,000 bytes fails with SQLite's
// "statement too long" (D1-029) and BEGIN/COMMIT in the text fail, since the batch is
// already a transaction (D1-030).
func Execute(ctx context.Context, db *Database, sqlText string) ([]*Result, error) {
	stmts := sqltext.Split(sqlText)
	if len(stmts) == 0 {
		return nil, d1Error(ErrNoStatements)
	}
	prepared := make([]*Statement, len(stmts))
	for i, s := range stmts {
		prepared[i] = db.Prepare(s.Text)
	}
	return db.Batch(ctx, prepared...)
}

// ExecuteFile is Execute with the text of the file at path.
func ExecuteFile(ctx context.Context, db *Database, path string) ([]*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Execute(ctx, db, string(b))
}

// WriteJSON writes results as the CLI's --json output: an array of {results, success,
// meta}, each row's fields in column order and BLOBs as arrays of bytes, as the platform
// returns them.
func WriteJSON(w io.Writer, results []*Result) error {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, r := range results {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`  {"results": [`)
		for j, row := range r.Results {
			if j > 0 {
				b.WriteString(", ")
			}
			if err := writeObject(&b, r.columns, row); err != nil {
				return err
			}
		}
		meta, err := json.Marshal(r.Meta)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, `], "success": %t, "meta": %s}`, r.Success, meta)
	}
	b.WriteString("\n]\n")
	_, err := w.Write(b.Bytes())
	return err
}

// writeObject writes a row object with its fields in column order (a repeated column
// keeps its first place and its last value, as a JavaScript object does).
func writeObject(b *bytes.Buffer, cols []string, row map[string]any) error {
	b.WriteByte('{')
	seen := make(map[string]bool, len(cols))
	for _, c := range cols {
		if seen[c] {
			continue
		}
		if len(seen) > 0 {
			b.WriteString(", ")
		}
		seen[c] = true
		k, _ := json.Marshal(c)
		v, err := json.Marshal(jsonValue(row[c]))
		if err != nil {
			return err
		}
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteByte('}')
	return nil
}

// jsonValue is a value as the platform's JSON has it: BLOBs as arrays of numbers.
func jsonValue(v any) any {
	if bs, ok := v.([]byte); ok {
		out := make([]int, len(bs))
		for i, c := range bs {
			out[i] = int(c)
		}
		return out
	}
	return v
}

// WriteTable writes the results that have columns as text tables, one after another.
func WriteTable(w io.Writer, results []*Result) error {
	var b bytes.Buffer
	for _, r := range results {
		if len(r.columns) == 0 {
			continue
		}
		cells := make([][]string, 0, len(r.Results)+1)
		cells = append(cells, r.columns)
		for _, row := range r.Results {
			line := make([]string, len(r.columns))
			for j, c := range r.columns {
				line[j] = cellText(row[c])
			}
			cells = append(cells, line)
		}
		width := make([]int, len(r.columns))
		for _, line := range cells {
			for j, s := range line {
				width[j] = max(width[j], utf8.RuneCountInString(s))
			}
		}
		rule := func(l, m, r string) {
			b.WriteString(l)
			for j, n := range width {
				if j > 0 {
					b.WriteString(m)
				}
				b.WriteString(strings.Repeat("─", n+2))
			}
			b.WriteString(r + "\n")
		}
		rule("┌", "┬", "┐")
		for i, line := range cells {
			b.WriteString("│")
			for j, s := range line {
				b.WriteString(" " + s + strings.Repeat(" ", width[j]-utf8.RuneCountInString(s)) + " │")
			}
			b.WriteString("\n")
			if i == 0 {
				rule("├", "┼", "┤")
			}
		}
		rule("└", "┴", "┘")
	}
	_, err := w.Write(b.Bytes())
	return err
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		j, _ := json.Marshal(jsonValue(x))
		return string(j)
	}
	return fmt.Sprint(v)
}
