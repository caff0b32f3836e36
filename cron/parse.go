package cron

import (
	"fmt"
	"strconv"
	"strings"
)

// SyntaxError is an expression the platform would not accept.
type SyntaxError struct {
	Expr  string // the whole expression
	Field string // "minute", "hour", "day-of-month", "month", "day-of-week", or "" for the shape
	Msg   string
}

func (e *SyntaxError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("cron %q: %s", e.Expr, e.Msg)
	}
	return fmt.Sprintf("cron %q: %s: %s", e.Expr, e.Field, e.Msg)
}

// Schedule is a parsed expression. The zero value never fires; use Parse.
type Schedule struct {
	expr   string
	minute uint64 // bit i: minute i
	hour   uint32 // bit i: hour i
	month  uint16 // bit i: month i (1–12)

	dom         uint32 // bit i: day i (1–31)
	domLast     bool   // L
	domLastWeek bool   // LW
	domNearest  []int  // nW
	domAny      bool   // * or ?

	dow     uint8    // bit i: weekday i (Go numbering, 0 = Sunday)
	dowLast [7]bool  // nL: last such weekday of the month
	dowNth  [7]uint8 // n#k: bit k set
	dowAny  bool
}

// String returns the expression as given.
func (s *Schedule) String() string { return s.expr }

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}

// Day names in the platform's numbering: 1 = Sunday.
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

// Parse parses a cron expression.
func Parse(expr string) (*Schedule, error) {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return nil, &SyntaxError{Expr: expr, Msg: fmt.Sprintf("expected 5 fields (minute hour day-of-month month day-of-week), got %d", len(fields))}
	}
	s := &Schedule{expr: expr}
	fail := func(field, format string, args ...any) error {
		return &SyntaxError{Expr: expr, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	var err error
	var bits uint64
	if bits, err = parseField(fields[0], 0, 59, nil); err != nil {
		return nil, fail("minute", "%v", err)
	}
	s.minute = bits
	if bits, err = parseField(fields[1], 0, 23, nil); err != nil {
		return nil, fail("hour", "%v", err)
	}
	s.hour = uint32(bits)
	if bits, err = parseField(fields[3], 1, 12, monthNames); err != nil {
		return nil, fail("month", "%v", err)
	}
	s.month = uint16(bits)
	if err := s.parseDOM(fields[2]); err != nil {
		return nil, fail("day-of-month", "%v", err)
	}
	if err := s.parseDOW(fields[4]); err != nil {
		return nil, fail("day-of-week", "%v", err)
	}
	return s, nil
}

// MustParse is Parse for expressions known to be valid; it panics otherwise.
func MustParse(expr string) *Schedule {
	s, err := Parse(expr)
	if err != nil {
		panic(err)
	}
	return s
}

func (s *Schedule) parseDOM(f string) error {
	if f == "*" || f == "?" {
		s.domAny = true
		return nil
	}
	var plain []string
	for _, item := range strings.Split(f, ",") {
		u := strings.ToUpper(item)
		switch {
		case u == "L":
			s.domLast = true
		case u == "LW":
			s.domLastWeek = true
		case strings.HasSuffix(u, "W"):
			n, err := strconv.Atoi(u[:len(u)-1])
			if err != nil || n < 1 || n > 31 {
				return fmt.Errorf("%q: W needs a day 1-31 before it", item)
			}
			s.domNearest = append(s.domNearest, n)
		default:
			plain = append(plain, item)
		}
	}
	if len(plain) > 0 {
		bits, err := parseField(strings.Join(plain, ","), 1, 31, nil)
		if err != nil {
			return err
		}
		s.dom = uint32(bits)
	}
	return nil
}

func (s *Schedule) parseDOW(f string) error {
	if f == "*" || f == "?" {
		s.dowAny = true
		return nil
	}
	var plain []string
	for _, item := range strings.Split(f, ",") {
		u := strings.ToUpper(item)
		switch {
		case strings.Contains(u, "#"):
			d, k, _ := strings.Cut(u, "#")
			day, err := dayValue(d)
			if err != nil {
				return fmt.Errorf("%q: %v", item, err)
			}
			n, err := strconv.Atoi(k)
			if err != nil || n < 1 || n > 5 {
				return fmt.Errorf("%q: the week after # must be 1-5", item)
			}
			s.dowNth[day-1] |= 1 << n
		case len(u) > 1 && strings.HasSuffix(u, "L"):
			day, err := dayValue(u[:len(u)-1])
			if err != nil {
				return fmt.Errorf("%q: %v", item, err)
			}
			s.dowLast[day-1] = true
		default:
			plain = append(plain, item)
		}
	}
	if len(plain) > 0 {
		bits, err := parseField(strings.Join(plain, ","), 1, 7, dayNames)
		if err != nil {
			if strings.Contains(err.Error(), "0 is out of range") {
				return fmt.Errorf("%v (1 = Sunday … 7 = Saturday)", err)
			}
			return err
		}
		s.dow = uint8(bits >> 1) // platform day d is Go weekday d-1
	}
	return nil
}

func dayValue(s string) (int, error) {
	if v, ok := dayNames[s]; ok {
		return v, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 7 {
		return 0, fmt.Errorf("%q is not a day of the week (1-7 or SUN-SAT, 1 = Sunday)", s)
	}
	return n, nil
}

// parseField parses a list of `*`, `v`, `a-b` and steps over [lo, hi] into a bitset.
func parseField(f string, lo, hi int, names map[string]int) (uint64, error) {
	var bits uint64
	for _, item := range strings.Split(f, ",") {
		if item == "" {
			return 0, fmt.Errorf("empty list item in %q", f)
		}
		rng, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 || n > hi {
				return 0, fmt.Errorf("step %q in %q must be a number from 1 to %d", stepText, item, hi)
			}
			step = n
		}
		start, end := lo, hi
		switch {
		case rng == "*":
		default:
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if start, err = value(a, lo, hi, names); err != nil {
				return 0, err
			}
			end = start
			if isRange {
				if end, err = value(b, lo, hi, names); err != nil {
					return 0, err
				}
				if end < start {
					return 0, fmt.Errorf("range %q runs backwards", rng)
				}
			} else if hasStep {
				end = hi // "a/s": from a to the end in steps of s
			}
		}
		for v := start; v <= end; v += step {
			bits |= 1 << v
		}
	}
	return bits, nil
}

func value(s string, lo, hi int, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number or name", s)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is out of range %d-%d", n, lo, hi)
	}
	return n, nil
}
