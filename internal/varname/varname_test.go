package varname

import (
	"strings"
	"testing"
)

func TestValidNamesAreIdentifiers(t *testing.T) {
	for _, tt := range []struct {
		given string
		want  bool
	}{
		{"balance", true}, {"_x9", true}, {"A", true}, {strings.Repeat("a", MaxLen), true},
		{"", false}, {"9a", false}, {"a-b", false}, {"a.b", false}, {"é", false}, {strings.Repeat("a", MaxLen+1), false},
	} {
		if got := Valid(tt.given); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.given, got, tt.want)
		}
	}
}
