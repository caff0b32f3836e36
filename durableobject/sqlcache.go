package durableobject

import (
	"database/sql"
	"sync"
)

// The SQL API runs the same few statements again and again: an object's methods hold them as
// constants. Splitting a statement string and preparing it in SQLite cost more than running
// it, so both are remembered.

// maxSplits bounds a namespace's remembered splits; past it the memory starts afresh, so a
// program that builds its SQL text with values in it costs a split per call, not memory.
const maxSplits = 256

// splitCache remembers splitSQL's result per statement string, for one namespace. The
// statements it holds are never changed after splitSQL made them.
type splitCache struct {
	mu sync.RWMutex
	m  map[string][]sqlStatement
}

// split is splitSQL, remembered. Errors are not remembered.
func (c *splitCache) split(query string) ([]sqlStatement, error) {
	c.mu.RLock()
	stmts, ok := c.m[query]
	c.mu.RUnlock()
	if ok {
		return stmts, nil
	}
	stmts, err := splitSQL(query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxSplits {
		c.m = make(map[string][]sqlStatement)
	}
	c.m[query] = stmts
	c.mu.Unlock()
	return stmts, nil
}

// maxUserStmts bounds the prepared user statements one open object keeps; past it they are
// all closed and the cache starts afresh.
const maxUserStmts = 32

// userStmt is a prepared user statement and what the SQL guard learned while SQLite prepared
// it: SQLite asks the authorizer only when it prepares a statement (again, after a schema
// change), not each time it runs.
type userStmt struct {
	s          *sql.Stmt
	wrote, dml bool
}

// userStmt returns the prepared statement for text, preparing it under the guard (which
// must be in user mode) when the object has none. st.mu is held.
func (st *store) userStmt(text string) (userStmt, error) {
	if us, ok := st.userStmts[text]; ok {
		return us, nil
	}
	s, err := st.conn.PrepareContext(st.ctx(), text)
	if err != nil {
		return userStmt{}, err
	}
	us := userStmt{s: s, wrote: st.guard.wrote, dml: st.guard.dml}
	if st.userStmts == nil || len(st.userStmts) >= maxUserStmts {
		st.closeUserStmts()
		st.userStmts = make(map[string]userStmt)
	}
	st.userStmts[text] = us
	return us, nil
}

// closeUserStmts closes every prepared user statement. st.mu is held.
func (st *store) closeUserStmts() {
	for _, us := range st.userStmts {
		us.s.Close()
	}
	st.userStmts = nil
}
