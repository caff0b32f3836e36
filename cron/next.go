package cron

import (
	"math/bits"
	"time"
)

// horizon bounds the search for the next firing: an expression that matches no day within
// it (February 30th) never fires.
const horizon = 5 * 366

// Next returns the first firing time strictly after t, in UTC, or the zero Time when the
// expression never fires.
func (s *Schedule) Next(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < horizon; i++ {
		if s.matchDay(day) {
			from := 0
			if i == 0 {
				from = t.Hour()*60 + t.Minute()
			}
			if m, ok := s.firstMinute(from); ok {
				return day.Add(time.Duration(m) * time.Minute)
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// firstMinute finds the first matching minute of the day at or after from (minutes since
// midnight).
func (s *Schedule) firstMinute(from int) (int, bool) {
	for h := from / 60; h < 24; h++ {
		if s.hour&(1<<h) == 0 {
			continue
		}
		mins := s.minute
		if h == from/60 {
			mins &^= (1 << (from % 60)) - 1
		}
		if mins != 0 {
			return h*60 + bits.TrailingZeros64(mins), true
		}
	}
	return 0, false
}

func (s *Schedule) matchDay(d time.Time) bool {
	if s.month&(1<<int(d.Month())) == 0 {
		return false
	}
	switch {
	case s.domAny && s.dowAny:
		return true
	case s.domAny:
		return s.matchDOW(d)
	case s.dowAny:
		return s.matchDOM(d)
	default:
		return s.matchDOM(d) || s.matchDOW(d)
	}
}

func (s *Schedule) matchDOM(d time.Time) bool {
	day := d.Day()
	if s.dom&(1<<day) != 0 {
		return true
	}
	last := daysIn(d)
	if s.domLast && day == last {
		return true
	}
	if s.domLastWeek && day == lastWeekday(d.Year(), d.Month(), last) {
		return true
	}
	for _, n := range s.domNearest {
		if day == nearestWeekday(d.Year(), d.Month(), n, last) {
			return true
		}
	}
	return false
}

func (s *Schedule) matchDOW(d time.Time) bool {
	wd := int(d.Weekday())
	if s.dow&(1<<wd) != 0 {
		return true
	}
	if s.dowLast[wd] && d.Day()+7 > daysIn(d) {
		return true
	}
	k := (d.Day()-1)/7 + 1
	return s.dowNth[wd]&(1<<k) != 0
}

func daysIn(d time.Time) int {
	return time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func lastWeekday(y int, m time.Month, last int) int {
	switch time.Date(y, m, last, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		return last - 1
	case time.Sunday:
		return last - 2
	}
	return last
}

// nearestWeekday is the Mon–Fri day nearest day n, never leaving the month.
func nearestWeekday(y int, m time.Month, n, last int) int {
	if n > last {
		n = last
	}
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}
