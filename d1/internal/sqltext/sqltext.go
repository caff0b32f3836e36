// Package sqltext reads SQLite statement text the way SQLite's own tokenizer does, as far as
// D1 needs it: where one statement ends and the next begins (including CREATE TRIGGER
// bodies, whose semicolons do not end the statement), whether a text holds any statement
// at all, and how many parameters a statement takes.
package sqltext

import "strings"

// Statement is one statement of a text.
type Statement struct {
	// Text runs from the statement's first token to its terminating semicolon, if any.
	Text string
	// Params is the number sqlite3_bind_parameter_count reports: the largest parameter
	// index, where "?" takes the next index and "?NNN" takes NNN.
	Params int
	// Named is the first named parameter (":a", "@a", "$a"), or "" when there is none.
	Named string
}

// token kinds, in the order of SQLite's sqlite3_complete state machine.
const (
	tkSemi = iota
	tkWS
	tkOther
	tkExplain
	tkCreate
	tkTemp
	tkTrigger
	tkEnd
)

// trans is sqlite3_complete's transition table: state × token → state. State 1 means "at the
// start of a statement", so a semicolon that leads there from any other state ends one.
var trans = [8][8]uint8{
	/*            SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END */
	/* 0 INVALID */ {1, 0, 2, 3, 4, 2, 2, 2},
	/* 1 START   */ {1, 1, 2, 3, 4, 2, 2, 2},
	/* 2 NORMAL  */ {1, 2, 2, 2, 2, 2, 2, 2},
	/* 3 EXPLAIN */ {1, 3, 3, 2, 4, 2, 2, 2},
	/* 4 CREATE  */ {1, 4, 2, 2, 2, 4, 5, 2},
	/* 5 TRIGGER */ {6, 5, 5, 5, 5, 5, 5, 5},
	/* 6 SEMI    */ {6, 6, 5, 5, 5, 5, 5, 7},
	/* 7 END     */ {1, 7, 5, 5, 5, 5, 5, 5},
}

// Split cuts text into its statements, leaving out empty ones (whitespace, comments and
// stray semicolons). A last statement without a semicolon is kept as it is.
func Split(text string) []Statement {
	var out []Statement
	state := uint8(0)
	start := -1 // offset of the current statement's first token
	var p params
	for i := 0; i < len(text); {
		kind, n, param := next(text, i)
		if kind != tkWS && kind != tkSemi && start < 0 {
			start = i
			p = params{}
		}
		if param != "" && start >= 0 {
			p.add(param)
		}
		prev := state
		state = trans[state][kind]
		i += n
		if kind == tkSemi && state == 1 && prev != 1 && prev != 0 && start >= 0 {
			out = append(out, Statement{Text: text[start:i], Params: p.max, Named: p.named})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, Statement{Text: strings.TrimRight(text[start:], " \t\n\f\r\v"), Params: p.max, Named: p.named})
	}
	return out
}

// IsEmpty reports whether text holds no statement: only whitespace, comments and semicolons.
func IsEmpty(text string) bool {
	for i := 0; i < len(text); {
		kind, n, _ := next(text, i)
		if kind != tkWS && kind != tkSemi {
			return false
		}
		i += n
	}
	return true
}

// params numbers a statement's parameters as SQLite does.
type params struct {
	max   int
	named string
	names map[string]int
}

func (p *params) add(tok string) {
	if tok[0] == '?' {
		if len(tok) == 1 {
			p.max++
			return
		}
		n := 0
		for _, c := range tok[1:] {
			n = n*10 + int(c-'0')
			if n > 1<<20 {
				break
			}
		}
		p.max = max(p.max, n)
		return
	}
	if p.named == "" {
		p.named = tok
	}
	if _, ok := p.names[tok]; ok {
		return
	}
	if p.names == nil {
		p.names = map[string]int{}
	}
	p.max++
	p.names[tok] = p.max
}

// next returns the kind and length of the token at text[i:], and the token itself when it
// is a parameter.
func next(text string, i int) (kind, n int, param string) {
	c := text[i]
	switch {
	case isSpace(c):
		j := i + 1
		for j < len(text) && isSpace(text[j]) {
			j++
		}
		return tkWS, j - i, ""
	case c == ';':
		return tkSemi, 1, ""
	case c == '-' && i+1 < len(text) && text[i+1] == '-':
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			return tkWS, len(text) - i, ""
		}
		return tkWS, j + 1, ""
	case c == '/' && i+1 < len(text) && text[i+1] == '*':
		j := strings.Index(text[i+2:], "*/")
		if j < 0 {
			return tkWS, len(text) - i, ""
		}
		return tkWS, j + 4, ""
	case c == '\'' || c == '"' || c == '`':
		return tkOther, quoted(text, i, c), ""
	case c == '[':
		j := strings.IndexByte(text[i:], ']')
		if j < 0 {
			return tkOther, len(text) - i, ""
		}
		return tkOther, j + 1, ""
	case c == '?':
		j := i + 1
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		return tkOther, j - i, text[i:j]
	case (c == ':' || c == '@' || c == '$') && i+1 < len(text) && isIdent(text[i+1]):
		j := i + 1
		for j < len(text) && isIdent(text[j]) {
			j++
		}
		return tkOther, j - i, text[i:j]
	case isIdentStart(c):
		j := i + 1
		for j < len(text) && isIdent(text[j]) {
			j++
		}
		return keyword(text[i:j]), j - i, ""
	default:
		return tkOther, 1, ""
	}
}

// quoted returns the length of the quoted token at text[i:], where a doubled quote is an
// escaped one; an unterminated token runs to the end.
func quoted(text string, i int, q byte) int {
	for j := i + 1; j < len(text); j++ {
		if text[j] == q {
			if j+1 < len(text) && text[j+1] == q {
				j++
				continue
			}
			return j + 1 - i
		}
	}
	return len(text) - i
}

func keyword(w string) int {
	switch len(w) {
	case 3:
		if strings.EqualFold(w, "end") {
			return tkEnd
		}
	case 4:
		if strings.EqualFold(w, "temp") {
			return tkTemp
		}
	case 6:
		if strings.EqualFold(w, "create") {
			return tkCreate
		}
	case 7:
		if strings.EqualFold(w, "explain") {
			return tkExplain
		}
		if strings.EqualFold(w, "trigger") {
			return tkTrigger
		}
	case 9:
		if strings.EqualFold(w, "temporary") {
			return tkTemp
		}
	}
	return tkOther
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v'
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 0x80 || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isIdent(c byte) bool {
	return isIdentStart(c) || c == '$' || (c >= '0' && c <= '9')
}
