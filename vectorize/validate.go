package vectorize

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// checkVectors validates a write batch and returns copies whose metadata is normalised to its
// JSON form (numbers float64, arrays []any), so every driver stores and returns the same shape.
func checkVectors(op Operation, vs []Vector, dims, maxBatch int) ([]Vector, error) {
	if len(vs) > maxBatch {
		return nil, &Error{Op: op, Message: fmt.Sprintf("too many vectors in payload; max vector count is %d, got %d", maxBatch, len(vs)), Err: ErrBatchTooLarge}
	}
	out := make([]Vector, len(vs))
	for i, v := range vs {
		if v.ID == "" {
			return nil, &Error{Op: op, Message: "invalid vector id: ids must not be empty", Err: ErrIDTooLong}
		}
		if len(v.ID) > MaxIDBytes {
			return nil, &Error{Op: op, Code: 40008, Message: fmt.Sprintf("id too long; max is %d bytes, got %d bytes", MaxIDBytes, len(v.ID)), Err: ErrIDTooLong}
		}
		if len(v.Values) != dims {
			return nil, &Error{Op: op, Code: 40012, Message: fmt.Sprintf("invalid vector for id=%q, expected %d dimensions, and got %d dimensions", v.ID, dims, len(v.Values)), Err: ErrInvalidVector}
		}
		for _, x := range v.Values {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, &Error{Op: op, Message: fmt.Sprintf("invalid vector for id=%q: values must be finite numbers", v.ID), Err: ErrInvalidVector}
			}
		}
		if len(v.Namespace) > MaxNamespaceBytes {
			return nil, &Error{Op: op, Message: fmt.Sprintf("namespace too long for id=%q; max is %d bytes, got %d bytes", v.ID, MaxNamespaceBytes, len(v.Namespace)), Err: ErrNamespaceTooLong}
		}
		md, err := normaliseMetadata(op, v.ID, v.Metadata)
		if err != nil {
			return nil, err
		}
		out[i] = Vector{ID: v.ID, Values: append([]float32(nil), v.Values...), Namespace: v.Namespace, Metadata: md}
	}
	return out, nil
}

func normaliseMetadata(op Operation, id string, md map[string]any) (map[string]any, error) {
	if len(md) == 0 {
		return nil, nil
	}
	if err := checkMetadataKeys(md); err != nil {
		return nil, &Error{Op: op, Message: fmt.Sprintf("invalid metadata for vector id=%q: %v", id, err), Err: ErrInvalidMetadata}
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, &Error{Op: op, Message: fmt.Sprintf("invalid metadata for vector id=%q: %v", id, err), Err: ErrInvalidMetadata}
	}
	if len(b) > MaxMetadataBytes {
		return nil, &Error{Op: op, Code: 40016, Message: fmt.Sprintf("oversized metadata for vector id=%q; the compact JSON representation of the metadata must not exceed %d bytes, got %d bytes", id, MaxMetadataBytes, len(b)), Err: ErrMetadataTooLarge}
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, &Error{Op: op, Message: err.Error(), Err: ErrInvalidMetadata}
	}
	return out, nil
}

// checkMetadataKeys applies the platform's key rules: not empty, no '.', no '"', no leading '$'.
func checkMetadataKeys(md map[string]any) error {
	for k, v := range md {
		switch {
		case k == "":
			return fmt.Errorf("keys must not be empty")
		case strings.ContainsAny(k, `."`):
			return fmt.Errorf("key %q must not contain '.' or '\"'", k)
		case strings.HasPrefix(k, "$"):
			return fmt.Errorf("key %q must not start with '$'", k)
		}
		if m, ok := v.(map[string]any); ok {
			if err := checkMetadataKeys(m); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkIDs(op Operation, ids []string, max int) error {
	if len(ids) > max {
		return &Error{Op: op, Code: 40007, Message: fmt.Sprintf("too many ids in payload; max id count is %d, got %d", max, len(ids)), Err: ErrTooManyIDs}
	}
	for _, id := range ids {
		if len(id) > MaxIDBytes {
			return &Error{Op: op, Code: 40008, Message: fmt.Sprintf("id too long; max is %d bytes, got %d bytes", MaxIDBytes, len(id)), Err: ErrIDTooLong}
		}
	}
	return nil
}

// IndexedValues returns what a vector contributes to the given metadata indexes when it is
// written (VZ-013): for each property, the value at its dotted path when it has the index's
// type (strings cut to their first 64 bytes at a UTF-8 boundary), or nil when it is missing
// or of another type. Drivers store the result with the vector: indexes created later do not
// see it until it is written again.
func IndexedValues(md map[string]any, idx []MetadataIndex) map[string]any {
	if len(idx) == 0 {
		return nil
	}
	out := make(map[string]any, len(idx))
	for _, mi := range idx {
		v, ok := lookupPath(md, mi.PropertyName)
		var iv any
		if ok {
			switch x := v.(type) {
			case string:
				if mi.IndexType == String {
					iv = TruncateUTF8(x, MaxIndexedStringBytes)
				}
			case float64:
				if mi.IndexType == Number {
					iv = x
				}
			case bool:
				if mi.IndexType == Boolean {
					iv = x
				}
			}
		}
		out[mi.PropertyName] = iv
	}
	return out
}

func lookupPath(md map[string]any, path string) (any, bool) {
	var cur any = md
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// NestIndexed turns indexed values keyed by dotted paths into nested metadata, leaving out
// the properties the vector did not have; it is what returnMetadata "indexed" returns.
func NestIndexed(iv map[string]any) map[string]any {
	var out map[string]any
	for path, v := range iv {
		if v == nil {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		parts := strings.Split(path, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}

// TruncateUTF8 cuts s to at most n bytes without splitting a UTF-8 sequence.
func TruncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
