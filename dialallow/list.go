package dialallow

import (
	"errors"
	"fmt"
	"strings"
)

// Pattern is one allowlist entry: "+" then digits and X, a prefix of the E.164 numbers it allows.
// A country code ("+44"), an area ("+1555") or a whole number ("+15555550100"); X stands for any
// one digit ("+1555XXX01").
type Pattern string

// List is a destination allowlist. The zero List allows every number except the premium-rate
// prefixes ([Premium]); a List with patterns allows only the numbers some pattern matches, and a
// premium-rate number only when a matching pattern names the premium prefix itself (so "+1"
// does not open "+1900", but "+1900" or "+1900555" does).
type List struct {
	patterns []Pattern
}

// Parse checks patterns and returns their List. Each problem names the entry (by index) and what
// is wrong with it; all are reported together.
func Parse(patterns []string) (List, error) {
	var errs []error
	l := List{patterns: make([]Pattern, 0, len(patterns))}
	for i, p := range patterns {
		if err := checkPattern(p); err != nil {
			errs = append(errs, fmt.Errorf("dialallow: entry %d: %w", i, err))
			continue
		}
		l.patterns = append(l.patterns, Pattern(strings.ToUpper(p)))
	}
	if len(errs) > 0 {
		return List{}, errors.Join(errs...)
	}
	return l, nil
}

// CheckPattern reports what is wrong with an allowlist entry, or nil.
func CheckPattern(p string) error { return checkPattern(p) }

func checkPattern(p string) error {
	if len(p) < 2 || p[0] != '+' {
		return fmt.Errorf("%q is not a destination pattern: write + then a country code, area or number, such as +1, +44 or +1555XXXXXXX", p)
	}
	if len(p) > 16 {
		return fmt.Errorf("%q is longer than an E.164 number (+ then at most 15 digits)", p)
	}
	if p[1] == '0' || p[1] == 'X' || p[1] == 'x' {
		return fmt.Errorf("%q must start with a country code (a digit 1-9 after +)", p)
	}
	for i := 1; i < len(p); i++ {
		if c := p[i]; (c < '0' || c > '9') && c != 'X' && c != 'x' {
			return fmt.Errorf("%q holds %q: a pattern is + then digits and X (any one digit)", p, c)
		}
	}
	return nil
}

// Patterns returns the list's entries, in order.
func (l List) Patterns() []Pattern { return append([]Pattern(nil), l.patterns...) }

// Restricted reports whether the list names any pattern (and so allows only what they match).
func (l List) Restricted() bool { return len(l.patterns) > 0 }

// ErrNotAllowed is wrapped by every error Check returns.
var ErrNotAllowed = errors.New("destination not allowed")

// Check returns nil when number may be dialed, or an error wrapping [ErrNotAllowed] that says why:
// no pattern matches it, or it has a premium-rate prefix no pattern names. number is E.164.
func (l List) Check(number string) error {
	premium := premiumPrefix(number)
	if !l.Restricted() {
		if premium != "" {
			return fmt.Errorf("%w: %s has the premium-rate prefix %s (toll fraud risk); list %s in the allowlist to dial it", ErrNotAllowed, number, premium, premium)
		}
		return nil
	}
	matched := false
	for _, p := range l.patterns {
		if !p.matches(number) {
			continue
		}
		matched = true
		if premium == "" || strings.HasPrefix(string(p), premium) {
			return nil
		}
	}
	if matched {
		return fmt.Errorf("%w: %s has the premium-rate prefix %s (toll fraud risk), which no allowlist entry names; list %s to dial it", ErrNotAllowed, number, premium, premium)
	}
	return fmt.Errorf("%w: %s matches no allowlist entry (%s)", ErrNotAllowed, number, l.String())
}

// String returns the patterns joined by ", ".
func (l List) String() string {
	s := make([]string, len(l.patterns))
	for i, p := range l.patterns {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// matches reports whether p is a prefix of number, X matching any digit.
func (p Pattern) matches(number string) bool {
	if len(number) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := number[i]
		if p[i] == 'X' {
			if c < '0' || c > '9' {
				return false
			}
		} else if p[i] != c {
			return false
		}
	}
	return true
}

// Premium lists premium-rate and high-cost prefixes (E.164) refused unless an allowlist entry
// names them: the numbers toll fraud dials to earn a share of the charge. It is not every costly
// number in the world (no static list can be), which is why a flow should set its own allowlist.
var Premium = []string{
	"+1900", "+1976", // NANP premium rate
	"+449", "+4487", // UK premium rate (09) and revenue share (087)
	"+3389",            // France 089x
	"+49900", "+49137", // Germany 0900 and 0137 tele-voting
	"+3989",                                // Italy 89x
	"+34803", "+34806", "+34807", "+34905", // Spain
	"+61190",               // Australia 190x
	"+979",                 // International Premium Rate Service
	"+881", "+882", "+883", // satellite and international networks
	"+870", // Inmarsat
}

// premiumPrefix returns the premium prefix number starts with, or "".
func premiumPrefix(number string) string {
	for _, p := range Premium {
		if strings.HasPrefix(number, p) {
			return p
		}
	}
	return ""
}
