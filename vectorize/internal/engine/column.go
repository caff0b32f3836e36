package engine

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// kind is what a vector holds for one metadata index.
type kind uint8

const (
	// kNone: the vector was written before the index existed, so the index does not know it
	// and no filter on the property matches it (VZ-013).
	kNone kind = iota
	// kNull: written after the index existed, without a value of the index's type.
	kNull
	kString
	kNumber
	kBool
)

type value struct {
	k kind
	b bool
	f float64
	s string
}

// column is one metadata index: a value per node number.
type column struct {
	typ kind
	// created is the owner's sequence number of the index's creation, so that an index
	// dropped and created again is recognised as new.
	created uint64
	vals    []value
	// post lists, per value, the nodes holding it (dead ones too: searches skip them), so
	// that $eq and $in read their matches instead of scanning the column.
	post map[value][]uint32
}

func newColumn(typ kind, created uint64, n int) *column {
	return &column{typ: typ, created: created, vals: make([]value, n), post: map[value][]uint32{}}
}

// add records node i's value.
func (c *column) add(i uint32, v value) {
	c.vals = append(c.vals, v)
	if v.k != kNone {
		c.post[v] = append(c.post[v], i)
	}
}

func kindOf(typ string) (kind, error) {
	switch typ {
	case "string":
		return kString, nil
	case "number":
		return kNumber, nil
	case "boolean":
		return kBool, nil
	}
	return 0, fmt.Errorf("engine: unknown metadata index type %q", typ)
}

// valueOf reads the column's entry from a record's indexed values.
func (c *column) valueOf(indexed map[string]any, name string) value {
	v, ok := indexed[name]
	if !ok {
		return value{}
	}
	switch x := v.(type) {
	case string:
		if c.typ == kString {
			return value{k: kString, s: x}
		}
	case float64:
		if c.typ == kNumber {
			return value{k: kNumber, f: x}
		}
	case bool:
		if c.typ == kBool {
			return value{k: kBool, b: x}
		}
	}
	return value{k: kNull}
}

func (v value) any() any {
	switch v.k {
	case kString:
		return v.s
	case kNumber:
		return v.f
	case kBool:
		return v.b
	}
	return nil
}

// Column describes one metadata index held by the engine.
type Column struct {
	Name    string
	Type    string
	Created uint64
}

// Columns lists the metadata indexes.
func (e *Engine) Columns() []Column {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Column, 0, len(e.cols))
	for name, c := range e.cols {
		out = append(out, Column{Name: name, Type: typeName(c.typ), Created: c.created})
	}
	return out
}

func typeName(k kind) string {
	switch k {
	case kString:
		return "string"
	case kNumber:
		return "number"
	}
	return "boolean"
}

// SetColumns makes the engine's metadata indexes exactly cols. A new column (or one whose
// Created differs) starts with no vector indexed; vectors written later fill it.
func (e *Engine) SetColumns(cols []Column) error {
	e.writers.Lock()
	defer e.writers.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	keep := map[string]bool{}
	for _, c := range cols {
		k, err := kindOf(c.Type)
		if err != nil {
			return err
		}
		keep[c.Name] = true
		if old, ok := e.cols[c.Name]; ok && old.typ == k && old.created == c.Created {
			continue
		}
		e.cols[c.Name] = newColumn(k, c.Created, len(*e.nodes.Load()))
	}
	for name := range e.cols {
		if !keep[name] {
			delete(e.cols, name)
		}
	}
	return nil
}

func (e *Engine) sameIndexed(i uint32, indexed map[string]any) bool {
	for name, c := range e.cols {
		if c.vals[i] != c.valueOf(indexed, name) {
			return false
		}
	}
	return true
}

// Indexed returns what the metadata indexes hold for id, by property path, leaving out the
// properties it has no value for.
func (e *Engine) Indexed(id string) map[string]any {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, ok := e.ids[id]
	if !ok {
		return nil
	}
	var out map[string]any
	for name, c := range e.cols {
		if v := c.vals[i]; v.k >= kString {
			if out == nil {
				out = map[string]any{}
			}
			out[name] = v.any()
		}
	}
	return out
}

// Cond is one filter test: Op is $eq, $ne, $lt, $lte, $gt, $gte (Value: nil, string,
// float64, bool) or $in, $nin (Values).
type Cond struct {
	Path   string
	Op     string
	Value  any
	Values []any
}

// test is a Cond compiled against a column.
type test struct {
	col  *column
	op   string
	val  value
	vals []value
}

func operand(v any) value {
	switch x := v.(type) {
	case string:
		// Indexes keep the first 64 bytes of strings, so operands compare the same way.
		return value{k: kString, s: truncate(x, 64)}
	case float64:
		return value{k: kNumber, f: x}
	case bool:
		return value{k: kBool, b: x}
	}
	return value{k: kNull}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// compareValues orders two values of the same kind.
func compareValues(a, b value) int {
	switch a.k {
	case kString:
		return strings.Compare(a.s, b.s)
	case kNumber:
		switch {
		case a.f < b.f:
			return -1
		case a.f > b.f:
			return 1
		}
		return 0
	case kBool:
		switch {
		case a.b == b.b:
			return 0
		case !a.b:
			return -1
		}
		return 1
	}
	return 0
}

func (t *test) match(v value) bool {
	if v.k == kNone {
		return false
	}
	switch t.op {
	case "$eq":
		return v.k == t.val.k && compareValues(v, t.val) == 0
	case "$ne":
		return !(v.k == t.val.k && compareValues(v, t.val) == 0)
	case "$in":
		for _, o := range t.vals {
			if v.k == o.k && compareValues(v, o) == 0 {
				return true
			}
		}
		return false
	case "$nin":
		for _, o := range t.vals {
			if v.k == o.k && compareValues(v, o) == 0 {
				return false
			}
		}
		return true
	}
	if v.k != t.val.k || v.k == kNull {
		return false
	}
	c := compareValues(v, t.val)
	switch t.op {
	case "$lt":
		return c < 0
	case "$lte":
		return c <= 0
	case "$gt":
		return c > 0
	case "$gte":
		return c >= 0
	}
	return false
}

// filterLocked builds the set of live nodes in the namespace (when ns is set) passing every
// condition, and its size. A condition on a property without an index matches nothing
// (VZ-014). The scan starts from the shortest list available (the namespace's members or an
// $eq/$in condition's postings) and checks the rest per node; without one it scans every
// node. Callers hold e.mu.
func (e *Engine) filterLocked(ns string, conds []Cond) (bitset, int) {
	nodes := *e.nodes.Load()
	var nsNum uint32
	var seed []uint32
	seeded, seedTest := false, -1
	if ns != "" {
		n, ok := e.nsIDs[ns]
		if !ok || e.nsCount[n] == 0 {
			return nil, 0
		}
		nsNum, seed, seeded = n, e.nsMembers[n], true
	}
	tests := make([]test, 0, len(conds))
	for _, c := range conds {
		col, ok := e.cols[c.Path]
		if !ok {
			return nil, 0
		}
		t := test{col: col, op: c.Op, val: operand(c.Value)}
		for _, v := range c.Values {
			t.vals = append(t.vals, operand(v))
		}
		tests = append(tests, t)
		var list []uint32
		switch t.op {
		case "$eq":
			list = col.post[t.val]
		case "$in":
			for _, v := range t.vals {
				list = append(list, col.post[v]...)
			}
		default:
			continue
		}
		if !seeded || len(list) < len(seed) {
			// The list is exactly this condition's matches: no need to test it again.
			seed, seeded, seedTest = list, true, len(tests)-1
		}
	}
	bs := newBitset(len(nodes))
	count := 0
	check := func(i uint32) {
		if e.deadOf.has(i) || ns != "" && e.nsOf[i] != nsNum || bs.has(i) {
			return
		}
		for j := range tests {
			if j != seedTest && !tests[j].match(tests[j].col.vals[i]) {
				return
			}
		}
		bs.set(i)
		count++
	}
	if seeded {
		for _, i := range seed {
			if int(i) < len(nodes) {
				check(i)
			}
		}
	} else {
		for i := range nodes {
			check(uint32(i))
		}
	}
	return bs, count
}
