package d1

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// bindValue converts one Bind argument to a driver value the way the platform's bind does
// (D1-003, D1-004): numbers and strings pass through, booleans become 1 and 0, nil stays
// NULL, []byte is a BLOB. Beyond the platform, pointers are followed (nil is NULL) and a
// driver.Valuer (sql.NullString, custom types) is asked for its value.
func bindValue(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return x, nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		return number(x), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case []byte:
		if x == nil {
			return []byte{}, nil
		}
		return x, nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return nil, typeError("bigint", x)
		}
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return nil, typeError("bigint", x)
		}
		return int64(x), nil
	case float32:
		return number(float64(x)), nil
	case time.Time:
		// A Date is an object to the platform's bind; say what to pass instead.
		return nil, &Error{Code: CodeTypeError, Message: fmt.Sprintf("Type 'object' not supported for value '%s' (bind time.Time as t.Format(time.RFC3339) or t.Unix())", x.Format(time.RFC3339Nano))}
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil {
			return nil, &Error{Code: CodeTypeError, Message: err.Error(), Err: err}
		}
		if _, again := dv.(driver.Valuer); again {
			return nil, typeError("object", v)
		}
		return bindValue(dv)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return bindValue(rv.Elem().Interface())
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return bindValue(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return bindValue(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return number(rv.Float()), nil
	case reflect.Slice, reflect.Array:
		// Arrays of integers 0–255 are BLOBs, as on the platform.
		if b, ok := byteArray(rv); ok {
			return b, nil
		}
	case reflect.Func:
		return nil, typeError("function", v)
	}
	return nil, typeError("object", v)
}

// number is a JS number going through JSON: NaN and the infinities become null.
func number(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return f
}

func byteArray(rv reflect.Value) ([]byte, bool) {
	if rv.Type().Elem().Kind() == reflect.Uint8 {
		b := make([]byte, rv.Len())
		reflect.Copy(reflect.ValueOf(b), rv)
		return b, true
	}
	out := make([]byte, rv.Len())
	for i := range out {
		e := rv.Index(i)
		for e.Kind() == reflect.Interface && !e.IsNil() {
			e = e.Elem()
		}
		switch e.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if e.Int() < 0 || e.Int() > 255 {
				return nil, false
			}
			out[i] = byte(e.Int())
		case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			if e.Uint() > 255 {
				return nil, false
			}
			out[i] = byte(e.Uint())
		default:
			return nil, false
		}
	}
	return out, true
}

// typeError is the platform's D1_TYPE_ERROR, naming the value's type as JavaScript's typeof
// would and the value as JavaScript would print it.
func typeError(kind string, v any) error {
	return &Error{Code: CodeTypeError, Message: fmt.Sprintf("Type '%s' not supported for value '%s'", kind, jsString(v))}
}

func jsString(v any) string {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = jsString(rv.Index(i).Interface())
		}
		return strings.Join(parts, ",")
	case reflect.Map, reflect.Struct:
		return "[object Object]"
	case reflect.Func:
		return "function"
	case reflect.Invalid:
		return "null"
	}
	return fmt.Sprint(v)
}
