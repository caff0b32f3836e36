package d1sqlite

import (
	"database/sql/driver"
	"reflect"
	"sync/atomic"
	"unsafe"
)

// The modernc driver turns TEXT stored in a column declared DATE, DATETIME or TIMESTAMP into a
// time.Time, with no option to turn that off. D1 returns the text as stored, and no
// time.Time can be turned back into it exactly ("…T…Z" and "… …" parse alike). The driver
// decides by the declared types it caches in its rows value when a query starts, so
// clearing that cache before the first row is read makes it return every TEXT as a string.
// The field is unexported: it is found by name and type once, and if a future version of
// the driver drops it, clearDecltypes does nothing and TestDatetimeTextStaysText fails.

type declField struct {
	typ    reflect.Type
	offset uintptr
	ok     bool
}

var declCache atomic.Pointer[declField]

// clearDecltypes makes rs, a modernc rows value, report no declared column types.
func clearDecltypes(rs driver.Rows) {
	t := reflect.TypeOf(rs)
	f := declCache.Load()
	if f == nil || f.typ != t {
		f = &declField{typ: t}
		if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
			if sf, ok := t.Elem().FieldByName("decltypes"); ok && sf.Type == reflect.TypeFor[[]string]() {
				f.offset, f.ok = sf.Offset, true
			}
		}
		declCache.Store(f)
	}
	if !f.ok {
		return
	}
	p := reflect.ValueOf(rs).UnsafePointer()
	decl := (*[]string)(unsafe.Add(p, f.offset))
	for i := range *decl {
		(*decl)[i] = ""
	}
}
