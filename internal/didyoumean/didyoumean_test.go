package didyoumean

import (
	"fmt"
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"say", "say", 0},
		{"", "abc", 3},
		{"sya", "say", 2},
		{"sy", "say", 1},
		{"kitten", "sitting", 3},
		{"optoins", "options", 2},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (not symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestHint(t *testing.T) {
	long := strings.Repeat("a", 300)
	for _, tc := range []struct {
		name  string
		known []string
		want  string
	}{
		{"optoins", []string{"gather", "options", "say"}, ` (did you mean "options"?)`},
		{"sya", []string{"play", "say"}, ` (did you mean "say"?)`},
		{"menu", []string{"main", "menus"}, ` (did you mean "menus"?)`}, // nearest wins over first
		{"xyzzy", []string{"say", "gather"}, ""},                        // three edits or more: none
		{"say", nil, ""},
		{long + "b", []string{long}, ""}, // too long to compare
	} {
		if got := Hint(tc.name, tc.known); got != tc.want {
			t.Errorf("Hint(%.20q, %q) = %q, want %q", tc.name, tc.known, got, tc.want)
		}
	}
}

func ExampleHint() {
	fmt.Printf("unknown key %q%s\n", "promt", Hint("promt", []string{"permission", "prompt", "say"}))
	// Output: unknown key "promt" (did you mean "prompt"?)
}
