package durableobject

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlGuard is the policy of one object's connection while user SQL runs (DO-047, DO-048):
// the engine's own statements run with it off. SQLite consults it while preparing a statement,
// so it also tells the SQL API whether the statement writes.
type sqlGuard struct {
	user     bool // checking user SQL
	wrote    bool // the statement being prepared writes (INSERT/UPDATE/DELETE/DDL)
	dml      bool // … rows of user tables (INSERT/UPDATE/DELETE), which changes() counts
	deniedTx bool // it was refused for being BEGIN/COMMIT/SAVEPOINT …
}

// install registers the guard as conn's authorizer and sets the platform's SQL limits (DO-049,
// DO-052).
func (g *sqlGuard) install(ctx context.Context, conn *sql.Conn) error {
	err := conn.Raw(func(dc any) error {
		r, ok := dc.(sqlite.AuthorizerRegisterer)
		if !ok {
			return fmt.Errorf("durableobject: sqlite driver has no authorizer (%T)", dc)
		}
		return r.RegisterAuthorizer(g.authorize)
	})
	if err != nil {
		return err
	}
	for _, l := range []struct{ id, v int }{
		{sqlite3.SQLITE_LIMIT_LENGTH, 2_000_000},
		{sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000},
		{sqlite3.SQLITE_LIMIT_COLUMN, 100},
		{sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 5},
		{sqlite3.SQLITE_LIMIT_FUNCTION_ARG, 32},
		{sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 50},
		{sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100},
	} {
		if _, err := sqlite.Limit(conn, l.id, l.v); err != nil {
			return err
		}
	}
	return nil
}

// Pragmas user SQL may run. The value says whether it may also be set.
var allowedPragmas = map[string]bool{
	"table_info": false, "table_xinfo": false, "table_list": false,
	"index_info": false, "index_xinfo": false, "index_list": false,
	"foreign_key_list": false, "foreign_key_check": false,
	"quick_check": false, "integrity_check": false, "data_version": false,
	"optimize": true, "foreign_keys": true, "defer_foreign_keys": true,
	"case_sensitive_like": true, "legacy_alter_table": true, "recursive_triggers": true,
	"reverse_unordered_selects": true, "ignore_check_constraints": true,
}

// Pragmas whose argument names a table (which must not be a _cf_ table) or is a number.
var tableArgPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "index_info": true, "index_xinfo": true,
	"index_list": true, "foreign_key_list": true, "foreign_key_check": true,
	"quick_check": true, "integrity_check": true,
}

func (g *sqlGuard) authorize(action sqlite.AuthorizerActionCode, arg1, arg2, dbName, _ string) sqlite.AuthorizerReturnCode {
	if !g.user {
		return sqlite.AuthorizerOK
	}
	deny := sqlite.AuthorizerDeny
	if dbName == "temp" {
		return deny
	}
	switch action {
	case sqlite.AuthTransaction, sqlite.AuthSavepoint:
		g.deniedTx = true
		return deny
	case sqlite.AuthAttach, sqlite.AuthDetach,
		sqlite.AuthCreateTempIndex, sqlite.AuthCreateTempTable, sqlite.AuthCreateTempTrigger,
		sqlite.AuthCreateTempView, sqlite.AuthDropTempIndex, sqlite.AuthDropTempTable,
		sqlite.AuthDropTempTrigger, sqlite.AuthDropTempView:
		return deny
	case sqlite.AuthRead, sqlite.AuthSelect, sqlite.AuthRecursive:
		if hiddenTable(arg1) {
			return deny
		}
	case sqlite.AuthInsert, sqlite.AuthUpdate, sqlite.AuthDelete:
		if hiddenTable(arg1) {
			return deny
		}
		g.wrote = true
		if !strings.HasPrefix(arg1, "sqlite_") {
			g.dml = true
		}
	case sqlite.AuthAnalyze:
		// PRAGMA optimize and ANALYZE may analyze the engine's tables too, as on the platform.
		g.wrote = true
	case sqlite.AuthCreateTable, sqlite.AuthCreateView, sqlite.AuthDropTable, sqlite.AuthDropView,
		sqlite.AuthAlterTable, sqlite.AuthReindex:
		if hiddenTable(arg1) {
			return deny
		}
		g.wrote = true
	case sqlite.AuthCreateIndex, sqlite.AuthDropIndex, sqlite.AuthCreateTrigger, sqlite.AuthDropTrigger:
		if hiddenTable(arg1) || hiddenTable(arg2) {
			return deny
		}
		g.wrote = true
	case sqlite.AuthCreateVTable, sqlite.AuthDropVTable:
		if m := strings.ToLower(arg2); m != "fts5" && m != "fts5vocab" || hiddenTable(arg1) {
			return deny
		}
		g.wrote = true
	case sqlite.AuthFunction:
		if strings.HasPrefix(strings.ToLower(arg2), "sqlite_") {
			return deny
		}
	case sqlite.AuthPragma:
		return g.pragma(strings.ToLower(arg1), arg2)
	}
	return sqlite.AuthorizerOK
}

func (g *sqlGuard) pragma(name, arg string) sqlite.AuthorizerReturnCode {
	settable, ok := allowedPragmas[name]
	if !ok {
		return sqlite.AuthorizerDeny
	}
	if arg == "" {
		return sqlite.AuthorizerOK
	}
	if tableArgPragmas[name] {
		if hiddenTable(strings.Trim(arg, `"'`+"`[]")) {
			return sqlite.AuthorizerDeny
		}
		return sqlite.AuthorizerOK
	}
	if !settable {
		return sqlite.AuthorizerDeny
	}
	if name == "optimize" {
		return sqlite.AuthorizerOK
	}
	switch strings.ToLower(strings.Trim(strings.TrimSpace(arg), `"'`)) {
	case "true", "false", "on", "off", "yes", "no", "1", "0":
		return sqlite.AuthorizerOK
	}
	return sqlite.AuthorizerDeny
}

// hiddenTable reports whether name is one of the engine's own tables (_cf_KV …), which the
// SQL API may not touch (DO-048).
func hiddenTable(name string) bool {
	return len(name) >= 4 && strings.EqualFold(name[:4], "_cf_")
}

// codeNames are SQLite's primary result codes by number, for the platform-shaped messages.
var codeNames = map[int]string{
	1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
	5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY",
	9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND",
	13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL", 16: "SQLITE_EMPTY",
	17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH",
	21: "SQLITE_MISUSE", 22: "SQLITE_NOLFS", 23: "SQLITE_AUTH", 24: "SQLITE_FORMAT",
	25: "SQLITE_RANGE", 26: "SQLITE_NOTADB",
}

// sqliteMessage splits a modernc error ("<errstr>: <errmsg> (<code>)") into SQLite's own
// message and primary result code.
func sqliteMessage(err error) (msg string, code int, ok bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return "", 0, false
	}
	code = se.Code() & 0xff
	msg = se.Error()
	if i := strings.LastIndex(msg, " ("); i >= 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	}
	if i := strings.Index(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg, code, true
}

// platformSQLError shapes err the way the platform reports SQL errors: SQLite's message, an
// "at offset N" for syntax errors, and the result code's name (DO-045, DO-046).
func platformSQLError(err error, offset int) error {
	msg, code, ok := sqliteMessage(err)
	if !ok {
		return err
	}
	if offset >= 0 {
		msg += fmt.Sprintf(" at offset %d", offset)
	}
	if name := codeNames[code]; name != "" {
		msg += ": " + name
	}
	return &SQLError{Msg: msg, Code: code, Offset: offset}
}

func isSyntaxError(err error) bool {
	msg, code, ok := sqliteMessage(err)
	return ok && code == 1 && (strings.HasSuffix(msg, "syntax error") || strings.HasPrefix(msg, "unrecognized token"))
}

// syntaxErrorOffset finds the byte offset of the token SQLite stopped at, as
// sqlite3_error_offset would: the shortest prefix of the statement, cut after a token, that
// still fails to parse ends with that token. prepare must only compile the text.
func syntaxErrorOffset(st sqlStatement, prepare func(string) error) int {
	lo, hi := 0, len(st.toks)-1 // answer is in toks[lo..hi]
	if hi < 0 {
		return -1
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if err := prepare(st.text[:st.toks[mid].end]); err != nil && isSyntaxError(err) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return st.toks[lo].start
}
