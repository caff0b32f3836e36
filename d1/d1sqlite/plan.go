package d1sqlite

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/internal/sqltext"
)

// plan is what the driver knows about a query text: its statements, whether the text can
// run at all, and, once learned, whether it writes.
type plan struct {
	stmts []sqltext.Statement
	err   error
	// write is set once a reader found the statement writes; it then goes straight to the
	// writer.
	write atomic.Bool
}

func newPlan(text string) *plan {
	p := &plan{stmts: sqltext.Split(text)}
	switch {
	case len(p.stmts) == 0:
		p.err = d1.ErrNoStatements
	default:
		for i, s := range p.stmts {
			if s.Named != "" {
				p.err = fmt.Errorf("%w: %s", d1.ErrNamedParams, s.Named)
				return p
			}
			if i < len(p.stmts)-1 && s.Params > 0 {
				p.err = d1.ErrParamsBeforeLast
				return p
			}
		}
	}
	return p
}

// maxPlans bounds the plan cache; past it the cache starts over.
const maxPlans = 4096

type planCache struct {
	mu sync.RWMutex
	m  map[string]*plan
}

func (c *planCache) get(text string) *plan {
	c.mu.RLock()
	p, ok := c.m[text]
	c.mu.RUnlock()
	if ok {
		return p
	}
	p = newPlan(text)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPlans {
		c.m = make(map[string]*plan)
	}
	c.m[text] = p
	c.mu.Unlock()
	return p
}
