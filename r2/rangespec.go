package r2

import (
	"strconv"
	"strings"
)

// checkRange validates a Range before any I/O, with the platform's texts (R2-021).
func checkRange(r *Range) error {
	if r == nil {
		return nil
	}
	if r.Offset != nil && *r.Offset < 0 {
		return rangeError("Invalid range. Starting offset (" + strconv.FormatInt(*r.Offset, 10) + ") must be greater than or equal to 0.")
	}
	if r.Length != nil && *r.Length < 0 {
		return rangeError("Invalid range. Length (" + strconv.FormatInt(*r.Length, 10) + ") must be greater than or equal to 0.")
	}
	if r.Suffix != nil {
		if r.Offset != nil {
			return typeError("Suffix is incompatible with offset.")
		}
		if r.Length != nil {
			return typeError("Suffix is incompatible with length.")
		}
		if *r.Suffix < 0 {
			return rangeError("Invalid suffix. Suffix (" + strconv.FormatInt(*r.Suffix, 10) + ") must be greater than or equal to 0.")
		}
	}
	return nil
}

// resolveRange picks the bytes a get returns; ok is false for the whole object. Errors
// are ErrInvalidRange (R2-019, R2-020, R2-022).
func resolveRange(r *Range, header string, size int64) (off, n int64, ok bool, err error) {
	if header != "" {
		if off, n, ok = parseSingleRange(header, size); !ok {
			return 0, size, false, nil
		}
		return off, n, true, nil
	}
	if r == nil {
		return 0, size, false, nil
	}
	var offset, length int64
	if r.Suffix != nil {
		s := *r.Suffix
		if s <= 0 {
			return 0, 0, false, ErrInvalidRange
		}
		s = min(s, size)
		offset, length = size-s, s
	} else {
		if r.Offset != nil {
			offset = *r.Offset
		}
		length = size - offset
		if r.Length != nil {
			length = *r.Length
		}
	}
	if offset < 0 || offset > size || length <= 0 {
		return 0, 0, false, ErrInvalidRange
	}
	if offset+length > size || offset+length < 0 {
		length = size - offset
	}
	return offset, length, true, nil
}

// parseSingleRange reads a "bytes=" header. Only a header that holds exactly one
// satisfiable range selects bytes; anything else means the whole object (R2-022).
func parseSingleRange(h string, size int64) (off, n int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		v, err := strconv.ParseInt(s, 10, 64)
		return v, err == nil
	}
	switch {
	case first == "" && last == "":
		return 0, 0, false
	case first == "":
		s, good := num(last)
		if !good || s == 0 || size == 0 {
			return 0, 0, false
		}
		s = min(s, size)
		return size - s, s, true
	default:
		start, good := num(first)
		if !good || start >= size {
			return 0, 0, false
		}
		end := size - 1
		if last != "" {
			e, good := num(last)
			if !good || e < start {
				return 0, 0, false
			}
			end = min(e, size-1)
		}
		return start, end - start + 1, true
	}
}
