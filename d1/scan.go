package d1

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// All runs s and returns its rows as values of T:
//   - a struct: each column goes to the field tagged `db:"name"`, else `json:"name"`, else
//     the field whose name matches case-insensitively (embedded structs are searched;
//     `db:"-"` skips a field; columns without a field are ignored);
//   - map[string]any: the row object, as in Result.Results;
//   - any other type (string, int64, []byte, *string, sql.NullInt64, time.Time…): the
//     first column.
//
// Values convert as database/sql converts them (an INTEGER into a string field, a numeric
// TEXT into an int), and NULL leaves the zero value (use a pointer or a sql.Null type to see
// it). A TEXT or BLOB column goes into a struct, map or slice field as JSON. time.Time reads
// SQLite's date-time text or Unix seconds.
func All[T any](ctx context.Context, s *Statement) ([]T, error) {
	r, err := s.query(ctx)
	if err != nil {
		return nil, err
	}
	sc, err := scannerFor(reflect.TypeFor[T](), r.Columns)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(r.Values))
	for i, row := range r.Values {
		if err := sc.scan(unsafe.Pointer(&out[i]), row); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// First runs s and returns its first row as a T (see All); ok is false when there are no
// rows, the platform's null.
func First[T any](ctx context.Context, s *Statement) (v T, ok bool, err error) {
	r, err := s.query(ctx)
	if err != nil || len(r.Values) == 0 {
		return v, false, err
	}
	sc, err := scannerFor(reflect.TypeFor[T](), r.Columns)
	if err != nil {
		return v, false, err
	}
	if err := sc.scan(unsafe.Pointer(&v), r.Values[0]); err != nil {
		return v, false, err
	}
	return v, true, nil
}

// setter stores one value at p, which points to a value of the setter's type.
type setter func(p unsafe.Pointer, v any) error

// scanner stores a row into a T.
type scanner struct {
	whole  setter                                // non-struct T: the first column (or the row object)
	fields []func(unsafe.Pointer) unsafe.Pointer // struct T: the field of each column, or nil
	sets   []setter
	cols   []string
	object bool // T is map[string]any
}

func (sc *scanner) scan(p unsafe.Pointer, row []any) error {
	switch {
	case sc.object:
		m := make(map[string]any, len(sc.cols))
		for j, c := range sc.cols {
			m[c] = row[j]
		}
		*(*map[string]any)(p) = m
		return nil
	case sc.whole != nil:
		if len(row) == 0 {
			return nil
		}
		return sc.whole(p, row[0])
	}
	for j, f := range sc.fields {
		if f == nil {
			continue
		}
		if err := sc.sets[j](f(p), row[j]); err != nil {
			return fmt.Errorf("d1: column %q: %w", sc.cols[j], err)
		}
	}
	return nil
}

type scanKey struct {
	t    reflect.Type
	cols string
}

var scanners sync.Map // scanKey → *scanner

func scannerFor(t reflect.Type, cols []string) (*scanner, error) {
	key := scanKey{t, strings.Join(cols, "\x00")}
	if sc, ok := scanners.Load(key); ok {
		return sc.(*scanner), nil
	}
	sc := &scanner{cols: cols}
	switch {
	case t == reflect.TypeFor[map[string]any]():
		sc.object = true
	case t.Kind() == reflect.Struct && !isValueStruct(t):
		byName := fieldsOf(t)
		sc.fields = make([]func(unsafe.Pointer) unsafe.Pointer, len(cols))
		sc.sets = make([]setter, len(cols))
		for j, c := range cols {
			f, ok := byName[c]
			if !ok {
				f, ok = byName[strings.ToLower(c)]
			}
			if !ok {
				continue
			}
			set, err := setterFor(f.typ)
			if err != nil {
				return nil, fmt.Errorf("d1: column %q: %w", c, err)
			}
			sc.fields[j], sc.sets[j] = f.at, set
		}
	default:
		set, err := setterFor(t)
		if err != nil {
			return nil, err
		}
		sc.whole = set
	}
	scanners.Store(key, sc)
	return sc, nil
}

// isValueStruct reports struct types that hold one value rather than a row.
func isValueStruct(t reflect.Type) bool {
	return t == reflect.TypeFor[time.Time]() || reflect.PointerTo(t).Implements(reflect.TypeFor[sql.Scanner]())
}

type field struct {
	typ reflect.Type
	at  func(unsafe.Pointer) unsafe.Pointer
}

// fieldsOf maps column names to the fields of struct t: tag names as written, field names
// lower-cased. Outer fields win over embedded ones.
func fieldsOf(t reflect.Type) map[string]field {
	out := map[string]field{}
	var walk func(t reflect.Type, base func(unsafe.Pointer) unsafe.Pointer, depth int)
	walk = func(t reflect.Type, base func(unsafe.Pointer) unsafe.Pointer, depth int) {
		var embedded []reflect.StructField
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() && !sf.Anonymous {
				continue
			}
			tag := sf.Tag.Get("db")
			if tag == "-" {
				continue
			}
			if sf.Anonymous && tag == "" && sf.Type.Kind() == reflect.Struct && !isValueStruct(sf.Type) {
				embedded = append(embedded, sf)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			off := sf.Offset
			at := func(p unsafe.Pointer) unsafe.Pointer { return unsafe.Add(base(p), off) }
			name, _, _ := strings.Cut(tag, ",")
			if name == "" {
				j, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
				if j == "-" {
					continue
				}
				name = j
			}
			f := field{typ: sf.Type, at: at}
			for _, n := range []string{name, strings.ToLower(name), strings.ToLower(sf.Name)} {
				if n == "" {
					continue
				}
				if _, taken := out[n]; !taken {
					out[n] = f
				}
			}
		}
		for _, sf := range embedded {
			off := sf.Offset
			walk(sf.Type, func(p unsafe.Pointer) unsafe.Pointer { return unsafe.Add(base(p), off) }, depth+1)
		}
	}
	walk(t, func(p unsafe.Pointer) unsafe.Pointer { return p }, 0)
	return out
}

var (
	scannerType = reflect.TypeFor[sql.Scanner]()
	timeType    = reflect.TypeFor[time.Time]()
)

// setterFor returns the setter for values of type t.
func setterFor(t reflect.Type) (setter, error) {
	if reflect.PointerTo(t).Implements(scannerType) {
		return func(p unsafe.Pointer, v any) error {
			return reflect.NewAt(t, p).Interface().(sql.Scanner).Scan(v)
		}, nil
	}
	if t == timeType {
		return func(p unsafe.Pointer, v any) error {
			if v == nil {
				return nil
			}
			tm, err := toTime(v)
			*(*time.Time)(p) = tm
			return err
		}, nil
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			break
		}
		return func(p unsafe.Pointer, v any) error { *(*any)(p) = v; return nil }, nil
	case reflect.String:
		return func(p unsafe.Pointer, v any) error {
			s, err := toString(v)
			*(*string)(unsafe.Pointer(p)) = s
			return err
		}, nil
	case reflect.Bool:
		return func(p unsafe.Pointer, v any) error {
			n, err := toFloat(v)
			*(*bool)(p) = n != 0
			return err
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(p unsafe.Pointer, v any) error {
			n, err := toInt(v)
			if err != nil {
				return err
			}
			if bits < 64 && (n < -1<<(bits-1) || n >= 1<<(bits-1)) {
				return fmt.Errorf("value %d overflows %s", n, t)
			}
			reflect.NewAt(t, p).Elem().SetInt(n)
			return nil
		}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bits := t.Bits()
		return func(p unsafe.Pointer, v any) error {
			n, err := toInt(v)
			if err != nil {
				return err
			}
			if n < 0 || (bits < 64 && n >= 1<<bits) {
				return fmt.Errorf("value %d overflows %s", n, t)
			}
			reflect.NewAt(t, p).Elem().SetUint(uint64(n))
			return nil
		}, nil
	case reflect.Float32, reflect.Float64:
		return func(p unsafe.Pointer, v any) error {
			f, err := toFloat(v)
			reflect.NewAt(t, p).Elem().SetFloat(f)
			return err
		}, nil
	case reflect.Pointer:
		elem, err := setterFor(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(p unsafe.Pointer, v any) error {
			ptr := reflect.NewAt(t, p).Elem()
			if v == nil {
				ptr.SetZero()
				return nil
			}
			n := reflect.New(t.Elem())
			if err := elem(n.UnsafePointer(), v); err != nil {
				return err
			}
			ptr.Set(n)
			return nil
		}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return func(p unsafe.Pointer, v any) error {
				dst := reflect.NewAt(t, p).Elem()
				switch x := v.(type) {
				case nil:
					dst.SetZero()
				case []byte:
					dst.SetBytes(x)
				case string:
					dst.SetBytes([]byte(x))
				default:
					return fmt.Errorf("cannot store %T in %s", v, t)
				}
				return nil
			}, nil
		}
		return jsonSetter(t), nil
	case reflect.Struct, reflect.Map, reflect.Array:
		return jsonSetter(t), nil
	}
	return nil, fmt.Errorf("cannot scan into %s", t)
}

// jsonSetter decodes TEXT or BLOB columns holding JSON.
func jsonSetter(t reflect.Type) setter {
	return func(p unsafe.Pointer, v any) error {
		var b []byte
		switch x := v.(type) {
		case nil:
			return nil
		case string:
			b = []byte(x)
		case []byte:
			b = x
		default:
			b = []byte(fmt.Sprint(x))
		}
		return json.Unmarshal(b, reflect.NewAt(t, p).Interface())
	}
}

func toString(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("cannot store %T in a string", v)
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return x, nil
	case float64:
		if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
			return 0, fmt.Errorf("cannot store %v in an integer", x)
		}
		return int64(x), nil
	case string:
		return strconv.ParseInt(strings.TrimSpace(x), 10, 64)
	case []byte:
		return strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64)
	}
	return 0, fmt.Errorf("cannot store %T in an integer", v)
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		return strconv.ParseFloat(strings.TrimSpace(x), 64)
	case []byte:
		return strconv.ParseFloat(strings.TrimSpace(string(x)), 64)
	}
	return 0, fmt.Errorf("cannot store %T in a number", v)
}

// timeLayouts are SQLite's date-time formats, and RFC 3339 (what JavaScript's toISOString
// writes).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case int64:
		return time.Unix(x, 0).UTC(), nil
	case float64:
		sec, frac := math.Modf(x)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	case []byte:
		return toTime(string(x))
	case string:
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, x); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("cannot read %q as a time", x)
	}
	return time.Time{}, fmt.Errorf("cannot store %T in a time.Time", v)
}
