package d1sqlite

import (
	"errors"
	"strings"

	"github.com/flarego/flarego/d1"
	msqlite "modernc.org/sqlite"
)

// sqliteError turns a modernc error into the platform's form (*d1.SQLiteError); other errors
// pass through.
func sqliteError(err error) error {
	var me *msqlite.Error
	if !errors.As(err, &me) {
		return err
	}
	return &d1.SQLiteError{Code: me.Code(), Message: errmsg(me.Error()), Err: err}
}

// errmsg recovers sqlite3_errmsg from modernc's text, "<errstr>: <errmsg> (<code>)" or
// "<errstr> (<code>)". No errstr contains ": ", so the message starts after the first one.
func errmsg(s string) string {
	s = strings.TrimSuffix(s, " (SQLITE_BUSY)")
	if i := strings.LastIndex(s, " ("); i >= 0 && strings.HasSuffix(s, ")") {
		s = s[:i]
	}
	if i := strings.Index(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}
