package d1sqlite

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"strings"

	msqlite "modernc.org/sqlite"
)

// A read's result may be cached only when it is a pure function of the database contents:
// the same text and arguments over the same data give the same rows, whoever runs them and
// whenever. The authorizer sees everything a statement does as it is compiled; a statement
// is pure when it only selects, reads tables of the main database and calls deterministic
// built-in functions. Reads of anything but ordinary tables and views (virtual tables such
// as json_each, pragma_table_info or fts5, whose rows may come from elsewhere) are told
// apart by the schema, once per compilation (checkPure).

// deterministic are SQLite's built-in functions whose result depends on their arguments
// only. Anything else (random, changes, last_insert_rowid, the date and time functions,
// which read the clock by default, sqlite_version, user functions) makes a statement
// impure.
var deterministic = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`
		abs char coalesce concat concat_ws format glob hex if ifnull iif instr length like
		likelihood likely lower ltrim max min nullif octet_length printf quote replace round
		rtrim sign soundex substr substring trim typeof unhex unicode unistr unistr_quote
		unlikely upper zeroblob -> ->>
		avg count group_concat string_agg sum total median percentile percentile_cont
		percentile_disc
		row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value
		last_value nth_value
		acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log
		log10 log2 mod pi pow power radians sin sinh sqrt tan tanh trunc
		json jsonb`) {
		deterministic[f] = true
	}
}

// deterministicFunc reports whether the built-in function name is deterministic; the JSON
// functions (json_extract, jsonb_set, json_group_array…) all are.
func deterministicFunc(name string) bool {
	name = strings.ToLower(name)
	return deterministic[name] || strings.HasPrefix(name, "json_") || strings.HasPrefix(name, "jsonb_")
}

// notePurity records what an action of a statement being compiled under the user policy
// means for caching its results.
func (a *authState) notePurity(action msqlite.AuthorizerActionCode, table, fn, db string) {
	a.compiled = true
	switch action {
	case msqlite.AuthSelect:
	case msqlite.AuthRead:
		if db == "temp" {
			a.impure = true
			return
		}
		for _, t := range a.tables {
			if t == table {
				return
			}
		}
		a.tables = append(a.tables, table)
	case msqlite.AuthFunction:
		if !deterministicFunc(fn) {
			a.impure = true
		}
	default:
		// PRAGMAs, writes, recursive queries, anything else.
		a.impure = true
	}
}

// purity is what is known of a compiled statement's results.
type purity int8

const (
	purityUnknown purity = iota // not checked against the schema yet
	purityPure                  // cacheable
	purityImpure
)

// compiledAs records what the authorizer saw while cs was compiled (or compiled again).
func (cs *cachedStmt) compiledAs(a *authState) {
	cs.impure = a.impure || a.wrote
	cs.tables = append(cs.tables[:0], a.tables...)
	cs.purity = purityUnknown
}

// checkPure decides whether cs's results may be cached: it must be pure as compiled, and
// every table it reads an ordinary table or view of the main database. An error leaves it
// undecided, to be checked again next time.
func (c *conn) checkPure(dc driver.Conn, cs *cachedStmt) purity {
	if cs.impure {
		return purityImpure
	}
	names := make([]string, 0, len(cs.tables))
	for _, t := range cs.tables {
		if t != "sqlite_master" {
			names = append(names, t)
		}
	}
	if len(names) == 0 {
		return purityPure
	}
	list, err := json.Marshal(names)
	if err != nil {
		return purityUnknown
	}
	s, err := c.sysStmt(bg, dc, `SELECT count(*) FROM json_each(?1) WHERE value NOT IN
		(SELECT name FROM sqlite_schema WHERE type = 'view' OR (type = 'table' AND rootpage > 0))`)
	if err != nil {
		return purityUnknown
	}
	rs, err := s.(driver.StmtQueryContext).QueryContext(context.Background(), []driver.NamedValue{{Ordinal: 1, Value: string(list)}})
	if err != nil {
		return purityUnknown
	}
	defer rs.Close()
	row := make([]driver.Value, 1)
	if rs.Next(row) != nil {
		return purityUnknown
	}
	if n, _ := row[0].(int64); n != 0 {
		return purityImpure
	}
	return purityPure
}
