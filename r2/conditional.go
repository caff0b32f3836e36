package r2

import (
	"net/http"
	"strings"
	"time"
)

// etagCond is one entry of an etag condition.
type etagCond struct {
	value    string
	weak     bool
	wildcard bool
}

// condition is a Conditional or conditional headers, normalised.
type condition struct {
	matches, noneMatch  []etagCond
	hasMatch, hasNone   bool
	before, after       time.Time
	hasBefore, hasAfter bool
	secondsGranularity  bool
}

// buildCondition turns the object or header form into a condition; nil when neither is
// set. Giving both is refused: the platform's option holds one or the other.
func buildCondition(c *Conditional, h http.Header) (*condition, error) {
	if c != nil && h != nil {
		return nil, typeError("onlyIf takes a Conditional or Headers, not both")
	}
	if h != nil {
		return conditionFromHeaders(h)
	}
	if c == nil {
		return nil, nil
	}
	out := &condition{secondsGranularity: c.SecondsGranularity}
	single := func(v string) ([]etagCond, error) {
		if len(v) >= 2 && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) {
			return nil, typeError("Conditional ETag should not be wrapped in quotes (" + v + ").")
		}
		if v == "*" {
			return []etagCond{{wildcard: true}}, nil
		}
		return []etagCond{{value: v}}, nil
	}
	var err error
	if c.ETagMatches != "" {
		if out.matches, err = single(c.ETagMatches); err != nil {
			return nil, err
		}
		out.hasMatch = true
	}
	if c.ETagDoesNotMatch != "" {
		if out.noneMatch, err = single(c.ETagDoesNotMatch); err != nil {
			return nil, err
		}
		out.hasNone = true
	}
	if !c.UploadedBefore.IsZero() {
		out.before, out.hasBefore = c.UploadedBefore, true
	}
	if !c.UploadedAfter.IsZero() {
		out.after, out.hasAfter = c.UploadedAfter, true
	}
	return out, nil
}

// conditionFromHeaders reads If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since at seconds granularity (R2-026). If-Range is ignored, as on the
// platform. Unparseable dates are ignored, as RFC 7232 asks.
func conditionFromHeaders(h http.Header) (*condition, error) {
	c := &condition{secondsGranularity: true}
	var err error
	if v := h.Get("If-Match"); v != "" {
		if c.matches, err = parseETagList(v); err != nil {
			return nil, err
		}
		c.hasMatch = true
	}
	if v := h.Get("If-None-Match"); v != "" {
		if c.noneMatch, err = parseETagList(v); err != nil {
			return nil, err
		}
		c.hasNone = true
	}
	if v := h.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			c.after, c.hasAfter = t, true
		}
	}
	if v := h.Get("If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			c.before, c.hasBefore = t, true
		}
	}
	return c, nil
}

// parseETagList parses an If-Match / If-None-Match value: strong "x", weak W/"x", *, in a
// comma-separated list where empty elements are allowed and a wildcard overrides the
// rest. Errors carry the platform's texts.
func parseETagList(s string) ([]etagCond, error) {
	var out []etagCond
	commaRequired := false
	for {
		wild, quote := strings.IndexByte(s, '*'), strings.IndexByte(s, '"')
		weak, comma := strings.IndexByte(s, 'W'), strings.IndexByte(s, ',')
		if wild < 0 && quote < 0 {
			return out, nil
		}
		first := minPos(wild, quote, weak)
		if comma >= 0 && (first < 0 || comma < first) {
			s, commaRequired = s[comma+1:], false
			continue
		}
		if commaRequired {
			reason := "Encountered a wildcard character '*' instead."
			switch first {
			case quote:
				reason = "Encountered a double quote character '\"' instead. This would otherwise indicate the start of a new strong etag."
			case weak:
				reason = "Encountered a weak quotation character 'W' instead. This would otherwise indicate the start of a new weak etag."
			}
			return nil, plainError("Comma was expected to separate etags. " + reason)
		}
		if wild >= 0 && (quote < 0 || wild < quote) {
			return []etagCond{{wildcard: true}}, nil
		}
		end := strings.IndexByte(s[quote+1:], '"')
		if end < 0 {
			return nil, plainError("Unclosed double quote for Etag")
		}
		end += quote + 1
		value := s[quote+1 : end]
		if weak >= 0 && weak < quote {
			if !(len(s) > weak+2 && s[weak+1] == '/' && weak+2 == quote) {
				return nil, plainError("Weak etags must start with W/ and their value must be quoted")
			}
			out = append(out, etagCond{value: value, weak: true})
		} else {
			out = append(out, etagCond{value: value})
		}
		s, commaRequired = s[end+1:], true
	}
}

// minPos is the smallest non-negative position, or -1.
func minPos(ps ...int) int {
	m := -1
	for _, p := range ps {
		if p >= 0 && (m < 0 || p < m) {
			m = p
		}
	}
	return m
}

func includesETag(conds []etagCond, etag string, weakCompare bool) bool {
	for _, c := range conds {
		if c.wildcard {
			return true
		}
		if c.value == etag && (!c.weak || weakCompare) {
			return true
		}
	}
	return false
}

// passes applies RFC 7232's rules as the platform does (R2-027): etagMatches compares
// strongly, etagDoesNotMatch weakly; a passing etag condition overrides the date that
// pairs with it; on a missing object only etagMatches and uploadedAfter fail.
func (c *condition) passes(etag string, uploaded time.Time, exists bool) bool {
	if c == nil {
		return true
	}
	if !exists {
		return !c.hasMatch && !c.hasAfter
	}
	ifMatch := !c.hasMatch || includesETag(c.matches, etag, false)
	ifNone := !c.hasNone || !includesETag(c.noneMatch, etag, true)
	trunc := func(t time.Time) int64 {
		ms := t.UnixMilli()
		if c.secondsGranularity {
			ms = ms / 1000 * 1000
		}
		return ms
	}
	last := trunc(uploaded)
	ifModified := !c.hasAfter || trunc(c.after) < last || (c.hasNone && ifNone)
	ifUnmodified := !c.hasBefore || last < trunc(c.before) || (c.hasMatch && ifMatch)
	return ifMatch && ifNone && ifModified && ifUnmodified
}

func (c *condition) check(old *Record) error {
	if old == nil {
		if c.passes("", time.Time{}, false) {
			return nil
		}
	} else if c.passes(old.ETag, old.Uploaded, true) {
		return nil
	}
	return ErrPreconditionFailed
}
