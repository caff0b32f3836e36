package vectorize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
)

// Filter restricts a query to vectors whose indexed metadata matches (VZ-010…014). Keys are
// property paths ("a.b" addresses {"a":{"b":…}}); a value is either a scalar (string, any Go
// number, bool, nil: an implicit $eq) or a Cond with operators. All keys must match (AND).
// A nil or empty Filter matches everything.
//
//	vectorize.Filter{"genre": "drama", "year": vectorize.Gte(2000), "tag": vectorize.In("a", "b")}
type Filter map[string]any

// Cond is one key's operators, e.g. Cond{"$gte": 1, "$lt": 5}. Several operators on one key
// must all match.
type Cond map[string]any

// Eq is {"$eq": v}: equal to a string, number, bool, or nil (property missing or of
// another type than its index).
func Eq(v any) Cond { return Cond{string(OpEq): v} }

// Ne is {"$ne": v}: not equal to v (nil allowed).
func Ne(v any) Cond { return Cond{string(OpNe): v} }

// Lt is {"$lt": v}: less than a string, number or bool of the same type.
func Lt(v any) Cond { return Cond{string(OpLt): v} }

// Lte is {"$lte": v}.
func Lte(v any) Cond { return Cond{string(OpLte): v} }

// Gt is {"$gt": v}.
func Gt(v any) Cond { return Cond{string(OpGt): v} }

// Gte is {"$gte": v}.
func Gte(v any) Cond { return Cond{string(OpGte): v} }

// In is {"$in": [vs...]}: equal to one of the scalars.
func In[T any](vs ...T) Cond { return Cond{string(OpIn): toAnys(vs)} }

// Nin is {"$nin": [vs...]}: equal to none of the scalars.
func Nin[T any](vs ...T) Cond { return Cond{string(OpNin): toAnys(vs)} }

func toAnys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// ParseFilter reads a filter from its JSON form, as the platform's query options carry it.
func ParseFilter(data []byte) (Filter, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var f Filter
	if err := dec.Decode(&f); err != nil {
		return nil, &Error{Message: "invalid filter: " + err.Error(), Err: ErrInvalidFilter}
	}
	return f, nil
}

// UnmarshalJSON turns operator objects into Cond so that a parsed filter and a built one are
// the same value.
func (f *Filter) UnmarshalJSON(b []byte) error {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		*f = nil
		return nil
	}
	out := make(Filter, len(raw))
	for k, v := range raw {
		if m, ok := v.(map[string]any); ok {
			v = Cond(m)
		}
		out[k] = v
	}
	*f = out
	return nil
}

// Op is a filter operator.
type Op string

// The operators (VZ-010).
const (
	OpEq  Op = "$eq"
	OpNe  Op = "$ne"
	OpLt  Op = "$lt"
	OpLte Op = "$lte"
	OpGt  Op = "$gt"
	OpGte Op = "$gte"
	OpIn  Op = "$in"
	OpNin Op = "$nin"
)

// Condition is one validated test of a compiled filter, as drivers receive it. Value is nil,
// a string, a float64 or a bool; Values (for $in and $nin) holds non-nil ones.
type Condition struct {
	Path   string
	Op     Op
	Value  any
	Values []any
}

// Compile validates the filter and returns its conditions, sorted by path then operator so
// that equal filters compile equally. The error wraps ErrInvalidFilter.
func (f Filter) Compile() ([]Condition, error) {
	if len(f) == 0 {
		return nil, nil
	}
	compact, err := json.Marshal(map[string]any(f))
	if err != nil {
		return nil, filterError("filter is not JSON: %v", err)
	}
	if len(compact) >= MaxFilterJSONBytes {
		return nil, filterError("filter too large: its compact JSON must be under %d bytes, got %d bytes", MaxFilterJSONBytes, len(compact))
	}
	var out []Condition
	for key, v := range f {
		if err := checkFilterKey(key); err != nil {
			return nil, err
		}
		ops, isCond := asCond(v)
		if !isCond {
			s, err := scalar(v, true)
			if err != nil {
				return nil, filterError("invalid value for %q: %v", key, err)
			}
			out = append(out, Condition{Path: key, Op: OpEq, Value: s})
			continue
		}
		if len(ops) == 0 {
			return nil, filterError("invalid value for %q: empty operator object", key)
		}
		for name, ov := range ops {
			c := Condition{Path: key, Op: Op(name)}
			switch c.Op {
			case OpEq, OpNe, OpLt, OpLte, OpGt, OpGte:
				s, err := scalar(ov, c.Op == OpEq || c.Op == OpNe)
				if err != nil {
					return nil, filterError("invalid value for %q %s: %v", key, name, err)
				}
				c.Value = s
			case OpIn, OpNin:
				rv := reflect.ValueOf(ov)
				if ov == nil || rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
					return nil, filterError("invalid value for %q %s: expected an array of scalars", key, name)
				}
				for i := range rv.Len() {
					s, err := scalar(rv.Index(i).Interface(), false)
					if err != nil {
						return nil, filterError("invalid value for %q %s: %v", key, name, err)
					}
					c.Values = append(c.Values, s)
				}
			default:
				return nil, filterError("unsupported operator %q for %q: expected $eq, $ne, $lt, $lte, $gt, $gte, $in or $nin", name, key)
			}
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Condition) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(string(a.Op), string(b.Op))
	})
	return out, nil
}

func filterError(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...), Err: ErrInvalidFilter}
}

func checkFilterKey(key string) error {
	switch {
	case key == "":
		return filterError("invalid filter key: keys must not be empty")
	case strings.Contains(key, `"`):
		return filterError("invalid filter key %s: keys must not contain '\"'", key)
	case strings.HasPrefix(key, "$"):
		return filterError("invalid filter key %q: keys must not start with '$'", key)
	case len([]rune(key)) > MaxFilterKeyChars:
		return filterError("invalid filter key: keys must be at most %d characters", MaxFilterKeyChars)
	}
	for _, part := range strings.Split(key, ".") {
		if part == "" {
			return filterError("invalid filter key %q: empty path segment", key)
		}
	}
	return nil
}

func asCond(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case Cond:
		return m, true
	case map[string]any:
		return m, true
	}
	return nil, false
}

// scalar normalises a filter operand: strings, bools, numbers as float64, and nil when allowed.
func scalar(v any, nilOK bool) (any, error) {
	switch x := v.(type) {
	case nil:
		if nilOK {
			return nil, nil
		}
		return nil, fmt.Errorf("null is only allowed with $eq and $ne")
	case string, bool:
		return x, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("numbers must be finite")
		}
		return f, nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	}
	return nil, fmt.Errorf("expected a string, number, boolean or null, got %T", v)
}
