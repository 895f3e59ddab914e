package principals_test

import (
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
)

func TestIsE164(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"+15555550100", true},
		{"+442071838750", true},
		{"+12345678", true},          // 8 digits, the shortest
		{"+123456789012345", true},   // 15 digits, the longest
		{"+1234567", false},          // 7 digits
		{"+1234567890123456", false}, // 16 digits
		{"+05555550100", false},      // no country code starts with 0
		{"15555550100", false},       // no '+'
		{"+1555555010a", false},
		{"+1 555 555 0100", false},
		{"", false},
		{"+", false},
	}
	for _, tc := range tests {
		if got := principals.IsE164(tc.in); got != tc.want {
			t.Errorf("IsE164(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
