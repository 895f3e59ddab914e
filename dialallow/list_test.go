package dialallow_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-ivr/switchboard/dialallow"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		given    []string
		when     string
		expectOK bool
	}{
		{"an empty list allows an ordinary number", nil, "+15555550100", true},
		{"an empty list refuses NANP premium rate", nil, "+19005550100", false},
		{"an empty list refuses UK premium rate", nil, "+449098790000", false},
		{"a country code allows its numbers", []string{"+1"}, "+15555550100", true},
		{"a country code refuses other countries", []string{"+1"}, "+442071838750", false},
		{"a country code does not open its premium prefix", []string{"+1"}, "+19005550100", false},
		{"a listed premium prefix opens it", []string{"+1", "+1900"}, "+19005550100", true},
		{"a longer premium pattern opens that number", []string{"+19005550100"}, "+19005550100", true},
		{"X matches any one digit", []string{"+1555XXX01"}, "+15554440100", true},
		{"X does not match a different fixed digit", []string{"+1555XXX01"}, "+15554440200", false},
		{"a pattern longer than the number does not match", []string{"+15555550100"}, "+1555", false},
		{"lower-case x is X", []string{"+1555xxx01"}, "+15554440100", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := dialallow.Parse(tt.given)
			if err != nil {
				t.Fatal(err)
			}
			err = l.Check(tt.when)
			if (err == nil) != tt.expectOK {
				t.Fatalf("Check(%s) with %v = %v, want ok=%v", tt.when, tt.given, err, tt.expectOK)
			}
			if err != nil && !errors.Is(err, dialallow.ErrNotAllowed) {
				t.Fatalf("error %v does not wrap ErrNotAllowed", err)
			}
		})
	}
}

func TestParseRefusesWhatIsNotAPattern(t *testing.T) {
	for _, p := range []string{"", "+", "44", "+0", "+X1", "+1-555", "+1234567890123456", "US"} {
		if _, err := dialallow.Parse([]string{p}); err == nil {
			t.Errorf("Parse(%q) succeeded", p)
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("+1X", "+15555550100")
	f.Add("+1900", "+1900")
	f.Fuzz(func(t *testing.T, pattern, number string) {
		l, err := dialallow.Parse([]string{pattern})
		if err != nil {
			return
		}
		if l.Check(number) == nil && len(number) < len(pattern) {
			t.Fatalf("%q allowed %q, shorter than the pattern", pattern, number)
		}
	})
}

func ExampleList_Check() {
	l, _ := dialallow.Parse([]string{"+1", "+44"})
	fmt.Println(l.Check("+15555550100"))
	fmt.Println(l.Check("+33142685300"))
	fmt.Println(l.Check("+19005550100"))
	// Output:
	// <nil>
	// destination not allowed: +33142685300 matches no allowlist entry (+1, +44)
	// destination not allowed: +19005550100 has the premium-rate prefix +1900 (toll fraud risk), which no allowlist entry names; list +1900 to dial it
}
