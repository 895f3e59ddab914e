package principals

import (
	"strings"
	"testing"
)

func TestParseBearer(t *testing.T) {
	tests := []struct {
		in               string
		token            string
		isBearer, wellOK bool
	}{
		{"Bearer abc", "abc", true, true},
		{"bearer abc", "abc", true, true},
		{"BEARER  a.b-c_d~e+f/g==", "a.b-c_d~e+f/g==", true, true},
		{"Bearer", "", true, false},
		{"Bearer ", "", true, false},
		{"Bearer a b", "", true, false},
		{"Bearer a=b", "", true, false},
		{"Bearer \x00", "", true, false},
		{"Basic dXNlcjpwYXNz", "", false, false},
		{"", "", false, false},
		{"Bearerabc", "", false, false},
	}
	for _, tc := range tests {
		tok, isBearer, ok := parseBearer(tc.in)
		if tok != tc.token || isBearer != tc.isBearer || ok != tc.wellOK {
			t.Errorf("parseBearer(%q) = %q, %v, %v; want %q, %v, %v", tc.in, tok, isBearer, ok, tc.token, tc.isBearer, tc.wellOK)
		}
	}
}

func FuzzParseBearer(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer a==", "Basic x", "Bearer  ", "Bearer a b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		tok, isBearer, ok := parseBearer(h)
		if ok && (!isBearer || tok == "" || strings.ContainsAny(tok, " \t\r\n")) {
			t.Fatalf("parseBearer(%q) = %q, %v, %v", h, tok, isBearer, ok)
		}
		if ok {
			if again, _, ok2 := parseBearer("Bearer " + tok); !ok2 || again != tok {
				t.Fatalf("token %q does not round-trip", tok)
			}
		}
	})
}
