package queues

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// ContentType is how a message body is encoded on the queue. It is also a
// SendOption: p.Send(ctx, "hello", queues.ContentText).
type ContentType string

// The platform's content types. The zero value means ContentJSON, the platform's default
// for current compatibility dates.
const (
	// ContentJSON encodes the body with encoding/json; the consumer decodes it into T.
	ContentJSON ContentType = "json"
	// ContentText sends a string as UTF-8; the body must be a string (or a type whose
	// underlying type is string).
	ContentText ContentType = "text"
	// ContentBytes sends a []byte as is.
	ContentBytes ContentType = "bytes"
	// ContentV8 is accepted for compatibility. Go has no structured clone, so the body is
	// encoded like ContentJSON but labelled "v8"; pull consumers get it base64-encoded and,
	// as on the platform, cannot decode it.
	ContentV8 ContentType = "v8"
)

func (c ContentType) applySend(o *sendOptions) { o.contentType = c; o.contentSet = true }

// normalize returns the canonical content type, or an error with the platform's text.
func (c ContentType) normalize() (ContentType, bool) {
	switch ContentType(strings.ToLower(string(c))) {
	case "", ContentJSON:
		return ContentJSON, true
	case ContentText:
		return ContentText, true
	case ContentBytes:
		return ContentBytes, true
	case ContentV8:
		return ContentV8, true
	}
	return c, false
}

// encode turns body into the bytes stored for content type ct (already normalized).
func encode(op, queue string, body any, ct ContentType) ([]byte, error) {
	if body == nil {
		// A nil interface is JavaScript's undefined; a nil pointer or map is null and
		// encodes as JSON null, as it does on the platform.
		return nil, typeError(op, queue, ErrInvalidMessage, "Message body cannot be undefined")
	}
	switch ct {
	case ContentText:
		v := reflect.ValueOf(body)
		if v.Kind() != reflect.String {
			return nil, typeError(op, queue, ErrInvalidMessage,
				"Content Type %q requires a value of type string, but received: %s", "text", jsTypeOf(v))
		}
		return []byte(v.String()), nil
	case ContentBytes:
		v := reflect.ValueOf(body)
		if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Uint8 {
			return nil, typeError(op, queue, ErrInvalidMessage,
				"Content Type %q requires a value of type ArrayBufferView, but received: %s", "bytes", jsTypeOf(v))
		}
		return append([]byte(nil), v.Bytes()...), nil
	default:
		b, err := json.Marshal(body)
		if err != nil {
			return nil, typeError(op, queue, fmt.Errorf("%w: %w", ErrInvalidMessage, err), "%s", err.Error())
		}
		return b, nil
	}
}

// jsTypeOf names a Go value the way JavaScript's typeof would name its JSON image, for the
// platform's "but received: <type>" messages.
func jsTypeOf(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Func:
		return "function"
	}
	return "object"
}

// decode turns stored bytes back into a T.
func decode[T any](data []byte, ct ContentType) (T, error) {
	var out T
	switch ct {
	case ContentText, ContentBytes:
		dst := reflect.ValueOf(&out).Elem()
		switch {
		case dst.Kind() == reflect.String:
			dst.SetString(string(data))
		case dst.Kind() == reflect.Slice && dst.Type().Elem().Kind() == reflect.Uint8:
			dst.SetBytes(append([]byte(nil), data...))
		case dst.Kind() == reflect.Interface && dst.NumMethod() == 0:
			if ct == ContentText {
				dst.Set(reflect.ValueOf(string(data)))
			} else {
				dst.Set(reflect.ValueOf(append([]byte(nil), data...)))
			}
		default:
			return out, fmt.Errorf("queues: cannot decode a %q message into %v", ct, dst.Type())
		}
		return out, nil
	default:
		if err := json.Unmarshal(data, &out); err != nil {
			return out, fmt.Errorf("queues: decode %q message body into %T: %w", ct, out, err)
		}
		return out, nil
	}
}
