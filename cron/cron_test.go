package cron_test

import (
	"testing"
	"time"

	"github.com/flarego/flarego/cron"
	"github.com/stretchr/testify/require"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func nextN(s *cron.Schedule, from time.Time, n int) []string {
	var out []string
	for range n {
		from = s.Next(from)
		out = append(out, from.Format("2006-01-02 15:04 Mon"))
	}
	return out
}

// The platform's documented examples, with their next five firings from 2027-01-01 00:00
// (a Friday).
func TestDocumentedExamples_CR001_CR004_CR005(t *testing.T) {
	from := at("2027-01-01 00:00")
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"*/3 * * * *", []string{"2027-01-01 00:03 Fri", "2027-01-01 00:06 Fri", "2027-01-01 00:09 Fri", "2027-01-01 00:12 Fri", "2027-01-01 00:15 Fri"}},
		{"0 15 1 * *", []string{"2027-01-01 15:00 Fri", "2027-02-01 15:00 Mon", "2027-03-01 15:00 Mon", "2027-04-01 15:00 Thu", "2027-05-01 15:00 Sat"}},
		{"*/30 * * * *", []string{"2027-01-01 00:30 Fri", "2027-01-01 01:00 Fri", "2027-01-01 01:30 Fri", "2027-01-01 02:00 Fri", "2027-01-01 02:30 Fri"}},
		{"0 17 * * sun", []string{"2027-01-03 17:00 Sun", "2027-01-10 17:00 Sun", "2027-01-17 17:00 Sun", "2027-01-24 17:00 Sun", "2027-01-31 17:00 Sun"}},
		{"10 7 * * mon-fri", []string{"2027-01-01 07:10 Fri", "2027-01-04 07:10 Mon", "2027-01-05 07:10 Tue", "2027-01-06 07:10 Wed", "2027-01-07 07:10 Thu"}},
		{"0 0 LW * *", []string{"2027-01-29 00:00 Fri", "2027-02-26 00:00 Fri", "2027-03-31 00:00 Wed", "2027-04-30 00:00 Fri", "2027-05-31 00:00 Mon"}},
		{"0 18 * * 6L", []string{"2027-01-29 18:00 Fri", "2027-02-26 18:00 Fri", "2027-03-26 18:00 Fri", "2027-04-30 18:00 Fri", "2027-05-28 18:00 Fri"}},
		{"0 18 * * friL", []string{"2027-01-29 18:00 Fri", "2027-02-26 18:00 Fri", "2027-03-26 18:00 Fri", "2027-04-30 18:00 Fri", "2027-05-28 18:00 Fri"}},
		{"23 59 LW * *", nil}, // hour 59 is invalid: checked below
		{"59 23 LW * *", []string{"2027-01-29 23:59 Fri", "2027-02-26 23:59 Fri", "2027-03-31 23:59 Wed", "2027-04-30 23:59 Fri", "2027-05-31 23:59 Mon"}},
		{"0 12 * * 2#1", []string{"2027-01-04 12:00 Mon", "2027-02-01 12:00 Mon", "2027-03-01 12:00 Mon", "2027-04-05 12:00 Mon", "2027-05-03 12:00 Mon"}},
		{"0 0 L * *", []string{"2027-01-31 00:00 Sun", "2027-02-28 00:00 Sun", "2027-03-31 00:00 Wed", "2027-04-30 00:00 Fri", "2027-05-31 00:00 Mon"}},
		{"0 0 15W * *", []string{"2027-01-15 00:00 Fri", "2027-02-15 00:00 Mon", "2027-03-15 00:00 Mon", "2027-04-15 00:00 Thu", "2027-05-14 00:00 Fri"}},
		{"0 9 1,15 JAN,jul *", []string{"2027-01-01 09:00 Fri", "2027-01-15 09:00 Fri", "2027-07-01 09:00 Thu", "2027-07-15 09:00 Thu", "2028-01-01 09:00 Sat"}},
		{"0 0 29 2 *", []string{"2028-02-29 00:00 Tue", "2032-02-29 00:00 Sun", "2036-02-29 00:00 Fri", "2040-02-29 00:00 Wed", "2044-02-29 00:00 Mon"}},
	} {
		s, err := cron.Parse(tc.expr)
		if tc.want == nil {
			require.Error(t, err, tc.expr)
			continue
		}
		require.NoError(t, err, tc.expr)
		require.Equal(t, tc.want, nextN(s, from, 5), tc.expr)
	}
}

// CR-003: 1 = Sunday … 7 = Saturday; names and numbers agree.
func TestDayOfWeekNumbering_CR003(t *testing.T) {
	from := at("2027-01-01 00:00")
	pairs := [][2]string{{"0 17 * * sun", "0 17 * * 1"}, {"0 9 * * mon-fri", "0 9 * * 2-6"}, {"0 9 * * SAT", "0 9 * * 7"}}
	for _, p := range pairs {
		a, b := cron.MustParse(p[0]), cron.MustParse(p[1])
		require.Equal(t, nextN(a, from, 10), nextN(b, from, 10), p)
	}
	_, err := cron.Parse("0 0 * * 0")
	require.EqualError(t, err, `cron "0 0 * * 0": day-of-week: 0 is out of range 1-7 (1 = Sunday … 7 = Saturday)`)
}

// 0 9 * * MON-FRI over 2027 fires on exactly its 261 weekdays at 09:00 UTC (CR-006).
func TestWeekdaysOf2027(t *testing.T) {
	s := cron.MustParse("0 9 * * MON-FRI")
	n := 0
	for next := s.Next(at("2026-12-31 23:59")); next.Year() == 2027; next = s.Next(next) {
		require.Equal(t, 9, next.Hour())
		require.Zero(t, next.Minute())
		require.NotContains(t, []time.Weekday{time.Saturday, time.Sunday}, next.Weekday())
		require.Equal(t, time.UTC, next.Location())
		n++
	}
	require.Equal(t, 261, n)
}

func TestRejectsWithExpressionAndField_CR001(t *testing.T) {
	for expr, want := range map[string]string{
		"* * * *":       `cron "* * * *": expected 5 fields (minute hour day-of-month month day-of-week), got 4`,
		"* * * * * *":   `cron "* * * * * *": expected 5 fields (minute hour day-of-month month day-of-week), got 6`,
		"60 * * * *":    `cron "60 * * * *": minute: 60 is out of range 0-59`,
		"* 24 * * *":    `cron "* 24 * * *": hour: 24 is out of range 0-23`,
		"* * 0 * *":     `cron "* * 0 * *": day-of-month: 0 is out of range 1-31`,
		"* * * 13 *":    `cron "* * * 13 *": month: 13 is out of range 1-12`,
		"* * * FOO *":   `cron "* * * FOO *": month: "FOO" is not a number or name`,
		"* * * * 8":     `cron "* * * * 8": day-of-week: 8 is out of range 1-7`,
		"*/0 * * * *":   `cron "*/0 * * * *": minute: step "0" in "*/0" must be a number from 1 to 59`,
		"5-1 * * * *":   `cron "5-1 * * * *": minute: range "5-1" runs backwards`,
		"* * * * MON#6": `cron "* * * * MON#6": day-of-week: "MON#6": the week after # must be 1-5`,
		"* * 32W * *":   `cron "* * 32W * *": day-of-month: "32W": W needs a day 1-31 before it`,
		"1,,2 * * * *":  `cron "1,,2 * * * *": minute: empty list item in "1,,2"`,
	} {
		_, err := cron.Parse(expr)
		require.EqualError(t, err, want)
		var se *cron.SyntaxError
		require.ErrorAs(t, err, &se)
	}
}

func TestNeverFires(t *testing.T) {
	require.True(t, cron.MustParse("0 0 30 2 *").Next(at("2027-01-01 00:00")).IsZero())
}

func TestStepFromValueAndNamesCaseInsensitive_CR002(t *testing.T) {
	s := cron.MustParse("5/20 * * jAn-Mar Mon")
	require.Equal(t, []string{"2027-01-04 00:05 Mon", "2027-01-04 00:25 Mon", "2027-01-04 00:45 Mon"}, nextN(s, at("2027-01-01 00:00"), 3))
}

func BenchmarkNext(b *testing.B) {
	s := cron.MustParse("0 9 * * MON-FRI")
	t := at("2027-01-01 00:00")
	for b.Loop() {
		t = s.Next(t)
	}
}

// Conformance items proven by the tests here (their names carry the IDs without the hyphen):
// CR-001 CR-002 CR-005
