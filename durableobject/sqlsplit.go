package durableobject

import (
	"strconv"
	"strings"
)

// The SQL API needs a few things SQLite's C API gives and database/sql does not: where each
// statement of a multi-statement string ends, how many parameters a statement has, and the
// offsets of its tokens. sqlScan is a small tokenizer for exactly that; SQLite still parses
// and judges every statement.

type tokKind int

const (
	tokOther tokKind = iota
	tokSemi
	tokWord  // keyword or bare identifier
	tokParam // ?, ?NNN, :name, @name, $name
)

type token struct {
	kind  tokKind
	start int
	end   int
}

// sqlTokens splits sql into tokens, skipping whitespace and comments. An unterminated string,
// quoted identifier or block comment runs to the end of the input (SQLite reports the error).
func sqlTokens(sql string) []token {
	var toks []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 4
			}
		case c == ';':
			toks = append(toks, token{tokSemi, i, i + 1})
			i++
		case c == '\'' || c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			j := i + 1
			for j < len(sql) {
				if sql[j] == closer {
					// A doubled quote is an escaped quote, except for [...] identifiers.
					if closer != ']' && j+1 < len(sql) && sql[j+1] == closer {
						j += 2
						continue
					}
					j++
					break
				}
				j++
			}
			toks = append(toks, token{tokOther, i, j})
			i = j
		case c == '?':
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			toks = append(toks, token{tokParam, i, j})
			i = j
		case (c == ':' || c == '@' || c == '$') && i+1 < len(sql) && isIdentByte(sql[i+1]):
			j := i + 1
			for j < len(sql) && (isIdentByte(sql[j]) || (c == '$' && sql[j] == ':' && j+1 < len(sql) && sql[j+1] == ':')) {
				if sql[j] == ':' {
					j += 2
					continue
				}
				j++
			}
			toks = append(toks, token{tokParam, i, j})
			i = j
		case isIdentByte(c) && !(c >= '0' && c <= '9'):
			j := i + 1
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			toks = append(toks, token{tokWord, i, j})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(sql) && (isIdentByte(sql[j]) || sql[j] == '.') {
				j++
			}
			toks = append(toks, token{tokOther, i, j})
			i = j
		default:
			// Operators: one token per byte is enough for offsets and boundaries.
			toks = append(toks, token{tokOther, i, i + 1})
			i++
		}
	}
	return toks
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// sqlStatement is one statement of a multi-statement string: its text (with its terminating
// semicolon, if any), where it starts in the whole string, and its tokens.
type sqlStatement struct {
	text   string
	offset int
	toks   []token // offsets relative to text
}

// splitSQL cuts sql into statements at semicolons, keeping the body of CREATE TRIGGER …
// BEGIN … END together. It returns ErrNoStatement when a piece holds no statement: an empty
// string, a lone ";", or comments after the last statement (DO-044). Whitespace after the last
// semicolon is allowed.
func splitSQL(sql string) ([]sqlStatement, error) {
	toks := sqlTokens(sql)
	var out []sqlStatement
	start := 0 // byte offset where the current statement begins
	first := 0 // index of its first token
	inTrigger := false
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) {
			t := toks[i]
			if t.kind == tokWord && !inTrigger && isTriggerStart(sql, toks[first:i+1]) {
				inTrigger = true
			}
			if t.kind != tokSemi {
				continue
			}
			// Inside a trigger only "END ;" ends the statement.
			if inTrigger && !(i > first && toks[i-1].kind == tokWord && strings.EqualFold(sql[toks[i-1].start:toks[i-1].end], "end")) {
				continue
			}
		}
		end, last := len(sql), i // the statement keeps its semicolon, as SQLite's parser does
		if i < len(toks) {
			end, last = toks[i].end, i+1
		}
		if i == first {
			// Nothing but whitespace or comments before this semicolon, or at the end.
			if i == len(toks) && strings.TrimSpace(sql[start:]) == "" && len(out) > 0 {
				break
			}
			return nil, ErrNoStatement
		}
		st := sqlStatement{text: sql[start:end], offset: start}
		for _, t := range toks[first:last] {
			st.toks = append(st.toks, token{t.kind, t.start - start, t.end - start})
		}
		out = append(out, st)
		if i == len(toks) {
			break
		}
		start, first, inTrigger = toks[i].end, i+1, false
	}
	if len(out) == 0 {
		return nil, ErrNoStatement
	}
	return out, nil
}

// isTriggerStart reports whether the statement's leading words are [EXPLAIN [QUERY PLAN]]
// CREATE [TEMP|TEMPORARY] TRIGGER.
func isTriggerStart(sql string, toks []token) bool {
	var words []string
	for _, t := range toks {
		if t.kind != tokWord {
			return false
		}
		words = append(words, strings.ToUpper(sql[t.start:t.end]))
		if len(words) > 6 {
			return false
		}
	}
	for len(words) > 0 && (words[0] == "EXPLAIN" || words[0] == "QUERY" || words[0] == "PLAN") {
		words = words[1:]
	}
	if len(words) < 2 || words[0] != "CREATE" {
		return false
	}
	words = words[1:]
	if words[0] == "TEMP" || words[0] == "TEMPORARY" {
		words = words[1:]
	}
	return len(words) == 1 && words[0] == "TRIGGER"
}

// params lists the statement's parameters by SQLite's numbering: each "?" takes the next
// number, "?NNN" takes NNN, and each distinct name takes the next number. Element k-1 is
// parameter k's name with its prefix (":a"), or "" for a numbered one.
func (st sqlStatement) params() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range st.toks {
		if t.kind != tokParam {
			continue
		}
		p := st.text[t.start:t.end]
		switch {
		case p == "?":
			out = append(out, "")
		case p[0] == '?':
			if k, err := strconv.Atoi(p[1:]); err == nil {
				for len(out) < k {
					out = append(out, "")
				}
			}
		default:
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

func (st sqlStatement) paramCount() int { return len(st.params()) }
