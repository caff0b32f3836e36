package env

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Source is what Load fills an Env from.
type Source struct {
	// Config provides vars; may be nil.
	Config *Config
	// Secrets are the local secrets (LoadSecrets).
	Secrets map[string]string
	// Resolve makes the value of a binding field of type t bound as name. It returns
	// ok=false when it does not know that binding name at all, and an error when it does
	// but cannot provide it as t (wrong kind, failed to open). May be nil.
	Resolve func(name string, t reflect.Type) (v reflect.Value, ok bool, err error)
}

// Problem is one field Load could not fill.
type Problem struct {
	Field   string // Go field name
	Binding string // name in the binding tag
	Type    string // Go type of the field
	Msg     string
}

// LoadError lists every field Load could not fill.
type LoadError struct{ Problems []Problem }

func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "env: %d binding problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  - %s (field %s, %s): %s", p.Binding, p.Field, p.Type, p.Msg)
	}
	return b.String()
}

// Load builds an E from src; see the package documentation for how each field is filled.
func Load[E any](src Source) (E, error) {
	var e E
	err := LoadInto(reflect.ValueOf(&e).Elem(), src)
	return e, err
}

var secretType = reflect.TypeFor[Secret]()

// LoadInto fills the struct v (settable) from src. It returns a *LoadError naming every
// field it could not fill; fields it could fill are set either way.
func LoadInto(v reflect.Value, src Source) error {
	t := v.Type()
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("env: Env type %v is not a struct", t)
	}
	var vars map[string]json.RawMessage
	if src.Config != nil {
		vars = src.Config.Vars
	}
	var problems []Problem
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("binding")
		if !ok || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		optional := opts == "optional"
		if name == "" {
			name = f.Name
		}
		bad := func(msg string) {
			problems = append(problems, Problem{Field: f.Name, Binding: name, Type: f.Type.String(), Msg: msg})
		}
		if !f.IsExported() {
			bad("field is not exported")
			continue
		}
		fv := v.Field(i)
		if f.Type == secretType {
			s, ok := src.Secrets[name]
			if !ok {
				if !optional {
					bad("secret is not set (put it in .dev.vars)")
				}
				continue
			}
			fv.Set(reflect.ValueOf(NewSecret(s)))
			continue
		}
		if raw, ok := vars[name]; ok {
			if err := setVar(fv, raw); err != nil {
				bad(err.Error())
			}
			continue
		}
		if src.Resolve != nil {
			rv, ok, err := src.Resolve(name, f.Type)
			if err != nil {
				bad(err.Error())
				continue
			}
			if ok {
				if !rv.Type().AssignableTo(f.Type) {
					bad(fmt.Sprintf("configured binding is %v", rv.Type()))
					continue
				}
				fv.Set(rv)
				continue
			}
		}
		if !optional {
			bad("not configured: no var, secret or binding of that name")
		}
	}
	if len(problems) > 0 {
		return &LoadError{Problems: problems}
	}
	return nil
}

// setVar decodes a var into a field: a string var into a string field as is; any var into
// other types as JSON (W-002).
func setVar(fv reflect.Value, raw json.RawMessage) error {
	if fv.Kind() == reflect.String {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("var is JSON %s, not a string", kindOfJSON(raw))
		}
		fv.SetString(s)
		return nil
	}
	p := reflect.New(fv.Type())
	if err := json.Unmarshal(raw, p.Interface()); err != nil {
		// A string var may hold the text of a number or JSON value.
		var s string
		if json.Unmarshal(raw, &s) == nil && json.Unmarshal([]byte(s), p.Interface()) == nil {
			fv.Set(p.Elem())
			return nil
		}
		return fmt.Errorf("var does not decode into %v: %v", fv.Type(), err)
	}
	fv.Set(p.Elem())
	return nil
}

func kindOfJSON(raw json.RawMessage) string {
	switch s := strings.TrimSpace(string(raw)); {
	case strings.HasPrefix(s, "{"):
		return "object"
	case strings.HasPrefix(s, "["):
		return "array"
	case s == "true" || s == "false":
		return "boolean"
	case s == "null":
		return "null"
	default:
		return "number"
	}
}
