package d1sqlite

import (
	"strings"

	msqlite "modernc.org/sqlite"
)

// authState is one connection's authorizer: SQLite consults it while compiling a statement.
// Its fields are touched only by the goroutine that holds the connection.
type authState struct {
	// user applies the binding's policy to the statements being compiled; off, the driver's
	// own statements (transactions, bookkeeping) compile freely.
	user bool
	// wrote records that a statement compiled in user mode writes (or manages transactions):
	// it must run on the writer.
	wrote bool
	// sqlPolicy is the looser policy of connections handed out by SQL().
	sqlPolicy bool
	// compiled, impure and tables describe the statements compiled in user mode since they
	// were last reset, for the result cache (purity.go): whether any was compiled, whether
	// one did anything but read, and the tables they read.
	compiled bool
	impure   bool
	tables   []string
}

// reset forgets what was compiled, before a compilation (or a run that may compile again).
func (a *authState) reset() {
	a.wrote, a.compiled, a.impure, a.tables = false, false, false, a.tables[:0]
}

// savepoint is the name of the savepoint the writer wraps each grouped write in; user code
// may not release or roll back to it.
const savepoint = "_d1_w"

// allowedPragmas are the PRAGMAs D1 documents as compatible, which may be read or set.
var allowedPragmas = map[string]bool{
	"table_list": true, "table_info": true, "table_xinfo": true, "index_list": true,
	"index_info": true, "index_xinfo": true, "quick_check": true, "foreign_key_check": true,
	"foreign_key_list": true, "case_sensitive_like": true, "ignore_check_constraints": true,
	"legacy_alter_table": true, "recursive_triggers": true, "reverse_unordered_selects": true,
	"foreign_keys": true, "defer_foreign_keys": true, "optimize": true,
}

// readOnlyPragmas may be read (no argument) but not set.
var readOnlyPragmas = map[string]bool{
	"data_version": true, "page_count": true, "page_size": true, "freelist_count": true,
	"user_version": true, "schema_version": true, "encoding": true, "integrity_check": true,
}

// storagePragmas would break the driver's storage (WAL, history); SQL() connections may not
// set them.
var storagePragmas = map[string]bool{
	"journal_mode": true, "wal_autocheckpoint": true, "wal_checkpoint": true,
	"locking_mode": true, "page_size": true, "writable_schema": true, "journal_size_limit": true,
}

// reserved reports whether name is one of the platform's reserved tables (D1-031).
func reserved(name string) bool {
	return len(name) >= 4 && strings.EqualFold(name[:4], "_cf_")
}

func (a *authState) authorize(action msqlite.AuthorizerActionCode, arg1, arg2, arg3, _ string) msqlite.AuthorizerReturnCode {
	if !a.user && !a.sqlPolicy {
		return msqlite.AuthorizerOK
	}
	if a.user {
		a.notePurity(action, arg1, arg2, arg3)
	}
	if reserved(arg1) && action != msqlite.AuthFunction {
		return msqlite.AuthorizerDeny
	}
	switch action {
	case msqlite.AuthCreateIndex, msqlite.AuthCreateTempIndex, msqlite.AuthDropIndex, msqlite.AuthDropTempIndex,
		msqlite.AuthCreateTrigger, msqlite.AuthCreateTempTrigger, msqlite.AuthDropTrigger, msqlite.AuthDropTempTrigger,
		msqlite.AuthAlterTable, msqlite.AuthPragma:
		if reserved(arg2) {
			return msqlite.AuthorizerDeny
		}
	}
	if a.sqlPolicy {
		if action == msqlite.AuthPragma && arg2 != "" && storagePragmas[strings.ToLower(arg1)] {
			return msqlite.AuthorizerDeny
		}
		return msqlite.AuthorizerOK
	}
	switch action {
	case msqlite.AuthRead, msqlite.AuthSelect, msqlite.AuthFunction, msqlite.AuthRecursive:
		return msqlite.AuthorizerOK
	case msqlite.AuthPragma:
		name := strings.ToLower(arg1)
		if !allowedPragmas[name] && (arg2 != "" || !readOnlyPragmas[name]) {
			return msqlite.AuthorizerDeny
		}
	case msqlite.AuthAttach, msqlite.AuthDetach:
		// Also VACUUM, which attaches a database of its own.
		return msqlite.AuthorizerDeny
	case msqlite.AuthTransaction:
		// BEGIN runs inside the binding's own transaction and fails as on the platform
		// ("cannot start a transaction within a transaction", D1-030); ending the
		// binding's transaction is not the user's to do.
		if !strings.EqualFold(arg1, "BEGIN") {
			return msqlite.AuthorizerDeny
		}
	case msqlite.AuthSavepoint:
		if strings.EqualFold(arg2, savepoint) {
			return msqlite.AuthorizerDeny
		}
	}
	a.wrote = true
	return msqlite.AuthorizerOK
}
