package principals

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestParseFormKeepsWhatGoDrops(t *testing.T) {
	tests := []struct {
		name, in string
		want     []param
	}{
		{"SemicolonIsText", "a=1;2&b=;", []param{{"a", "1;2"}, {"b", ";"}}},
		{"EmptyValueCounts", "FinishedOnKey=&Digits=1", []param{{"FinishedOnKey", ""}, {"Digits", "1"}}},
		{"KeyWithoutEquals", "flag&x=1", []param{{"flag", ""}, {"x", "1"}}},
		{"EmptyPairsAreSkipped", "&&a=1&&", []param{{"a", "1"}}},
		{"RepeatedKeysStayInOrder", "d=2&d=1", []param{{"d", "2"}, {"d", "1"}}},
		{"PlusAndEscapesDecode", "City=SAN+FRANCISCO&From=%2B1555&k%3D=v%26", []param{{"City", "SAN FRANCISCO"}, {"From", "+1555"}, {"k=", "v&"}}},
		{"SecondEqualsBelongsToTheValue", "a=b=c", []param{{"a", "b=c"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseForm(nil, tc.in, true)
			if !ok || !slices.Equal(got, tc.want) {
				t.Errorf("parseForm(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
			}
		})
	}
	for _, bad := range []string{"a=%", "a=%2", "a=%zz", "%g0=1", "a=1&b=%"} {
		if got, ok := parseForm(nil, bad, true); ok {
			t.Errorf("strict parseForm(%q) = %q, ok; want a malformed escape", bad, got)
		}
		if got, _ := parseForm(nil, bad, false); len(got) > 1 {
			t.Errorf("lenient parseForm(%q) = %q; want the bad pair dropped", bad, got)
		}
	}
}

// FuzzParseFormAgreesWithGo checks parseForm against url.ParseQuery wherever Go accepts the text
// (Go refuses ';' and malformed escapes).
func FuzzParseFormAgreesWithGo(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "a=%2B1&a=+x", "x", "=v", "a=b=c&&", "%41%42=%43", "d=2&d=1&d=", "a=%zz", "é=ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseForm(nil, s, true)
		lenient, _ := parseForm(nil, s, false)
		if ok && !slices.Equal(got, lenient) {
			t.Fatalf("strict %q and lenient %q differ on valid input", got, lenient)
		}
		// Into an arena that holds the text itself, as the policy parses a body: the same pairs,
		// and the text and what the arena held before it untouched.
		arena := append(make([]byte, 0, 2*len(s)+8), "held:"+s...)
		held := bytesString(arena)
		inArena, okArena := parseFormInto(nil, held[len("held:"):], true, &arena)
		if okArena != ok || !slices.Equal(inArena, got) || held != "held:"+s {
			t.Fatalf("in an arena: %q, %v, arena now %q; alone: %q, %v", inArena, okArena, held, got, ok)
		}
		if strings.Contains(s, ";") {
			return
		}
		want, err := url.ParseQuery(s)
		if err != nil {
			if ok {
				t.Fatalf("Go refuses %q (%v) but parseForm accepts it", s, err)
			}
			return
		}
		if !ok {
			t.Fatalf("parseForm refuses %q, which Go accepts", s)
		}
		gotV := url.Values{}
		for _, p := range got {
			gotV[p.key] = append(gotV[p.key], p.value)
		}
		if len(gotV) != len(want) {
			t.Fatalf("parseForm(%q) = %v, Go %v", s, gotV, want)
		}
		for k, v := range want {
			if !slices.Equal(gotV[k], v) {
				t.Fatalf("parseForm(%q)[%q] = %q, Go %q", s, k, gotV[k], v)
			}
		}
	})
}

func TestTargetPortVariantRemovesAnyPortOrAddsTheDefault(t *testing.T) {
	tests := []struct{ scheme, host, toggled string }{
		{"https", "example.com", "https://example.com:443"},
		{"https", "example.com:443", "https://example.com"},
		{"http", "example.com", "http://example.com:80"},
		{"http", "example.com:80", "http://example.com"},
		{"https", "example.com:8443", "https://example.com"},
		{"http", "example.com:1234", "http://example.com"},
		{"https", "[::1]", "https://[::1]:443"},
		{"https", "[::1]:443", "https://[::1]"},
		{"https", "[2001:db8::1]:8443", "https://[2001:db8::1]"},
		{"HTTPS", "Example.com:443", "HTTPS://Example.com"},
		{"wss", "example.com", "wss://example.com:443"},
		{"ws", "example.com:8080", "ws://example.com"},
	}
	for _, tc := range tests {
		tg := target{scheme: tc.scheme, host: tc.host}
		if got := string(tg.appendURL(nil, variant{togglePort: true})); got != tc.toggled || !tg.hasPortVariant() {
			t.Errorf("port variant of %s://%s = %s (has one: %v), want %s", tc.scheme, tc.host, got, tg.hasPortVariant(), tc.toggled)
		}
		if got, want := string(tg.appendURL(nil, variant{userinfo: []byte("u:p")})), tc.scheme+"://u:p@"+tc.host; got != want {
			t.Errorf("with userinfo: %s, want %s", got, want)
		}
	}
}
