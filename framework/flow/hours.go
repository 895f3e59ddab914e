package flow

import (
	"fmt"
	"strings"
	"time"
)

// schedule is a parsed Hours: open minutes per weekday in a time zone, minus holidays.
type schedule struct {
	loc      *time.Location
	week     [7][]span // by time.Weekday
	holidays []date
}

type span struct{ from, to int } // minutes since midnight, [from, to)

type date struct {
	year  int
	month time.Month
	day   int
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// weekly is one parsed open range: the days it applies to and its minutes.
type weekly struct {
	days [7]bool
	span span
}

// parseWeekly parses an open range: days ("Mon", "Mon-Fri", "Mon,Wed,Fri", "Fri-Mon" wraps),
// a space, then "HH:MM-HH:MM" with the end after the start ("24:00" ends the day).
func parseWeekly(s string) (weekly, error) {
	var w weekly
	dayPart, timePart, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return w, fmt.Errorf("hours range %q must be days then times, such as \"Mon-Fri 09:00-17:00\"", s)
	}
	for _, d := range strings.Split(dayPart, ",") {
		from, to, isRange := strings.Cut(d, "-")
		a, ok1 := weekdays[strings.ToLower(from)]
		b, ok2 := a, true
		if isRange {
			b, ok2 = weekdays[strings.ToLower(to)]
		}
		if !ok1 || !ok2 {
			return w, fmt.Errorf("hours range %q: unknown day in %q; use Mon, Tue, Wed, Thu, Fri, Sat, Sun", s, d)
		}
		for i := a; ; i = (i + 1) % 7 {
			w.days[i] = true
			if i == b {
				break
			}
		}
	}
	fromS, toS, ok := strings.Cut(strings.TrimSpace(timePart), "-")
	from, ok1 := clock(fromS)
	to, ok2 := clock(toS)
	if !ok || !ok1 || !ok2 || from == 24*60 {
		return w, fmt.Errorf("hours range %q: times must be HH:MM-HH:MM, such as 09:00-17:00", s)
	}
	if to <= from {
		return w, fmt.Errorf("hours range %q ends before it starts; split a range that passes midnight in two", s)
	}
	w.span = span{from, to}
	return w, nil
}

// clock parses "HH:MM" (00:00 to 24:00) into minutes.
func clock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// newSchedule parses a validated Hours.
func newSchedule(h *Hours) (*schedule, error) {
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil {
		return nil, err
	}
	s := &schedule{loc: loc}
	for _, r := range h.Weekly {
		w, err := parseWeekly(r)
		if err != nil {
			return nil, err
		}
		for d, on := range w.days {
			if on {
				s.week[d] = append(s.week[d], w.span)
			}
		}
	}
	for _, d := range h.Holidays {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return nil, err
		}
		s.holidays = append(s.holidays, date{t.Year(), t.Month(), t.Day()})
	}
	return s, nil
}

// open reports whether now falls in an open range of the schedule's local week and is not a
// holiday there. It does not allocate.
func (s *schedule) open(now time.Time) bool {
	t := now.In(s.loc)
	y, m, d := t.Date()
	for _, h := range s.holidays {
		if h.year == y && h.month == m && h.day == d {
			return false
		}
	}
	hh, mm, _ := t.Clock()
	minute := hh*60 + mm
	for _, sp := range s.week[t.Weekday()] {
		if minute >= sp.from && minute < sp.to {
			return true
		}
	}
	return false
}
