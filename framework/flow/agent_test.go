package flow

import "testing"

func TestHandoffValueReadsReasonThenNext(t *testing.T) {
	for _, tc := range []struct{ given, want string }{
		{`{"reason":"transfer"}`, "transfer"},
		{`{"next":"menu"}`, "menu"},
		{`{"reason":"transfer","next":"menu"}`, "transfer"},
		{` {"reason":"transfer","summary":{"topic":"refund"}} `, "transfer"},
		{`transfer`, "transfer"},
		{`{"reason":7}`, ""},
		{`{"reason":`, ""},
		{`["transfer"]`, ""},
		{`two words`, ""},
		{``, ""},
		{`{"summary":"no reason"}`, ""},
		{"{\"reason\":\"\x86\xdf\"}", ""}, // not UTF-8: JSON would make each bad byte a U+FFFD
		{`{"reason":"caf\u00e9"}`, "café"},
		{`{"reason":"` + string(make([]byte, MaxHandoffData)) + `"}`, ""},
	} {
		if got := HandoffValue(tc.given); got != tc.want {
			t.Errorf("HandoffValue(%.40q) = %q, want %q", tc.given, got, tc.want)
		}
	}
}

func FuzzHandoffValue(f *testing.F) {
	for _, s := range []string{`{"reason":"transfer"}`, `{"next":"x"}`, `word`, `{`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := HandoffValue(s) // never panics
		if len(v) > len(s) {
			t.Fatalf("value %q longer than the data %q", v, s)
		}
	})
}

func TestAgentWSSRule(t *testing.T) {
	for _, tc := range []struct {
		given string
		want  bool
	}{
		{"wss://agent.example.com/relay", true},
		{"wss://agent.example.com:8443/relay", true},
		{"wss://127.0.0.1:9000/relay", true},
		{"ws://agent.example.com/relay", false},
		{"https://agent.example.com/relay", false},
		{"wss://agent.example.com/relay?call=1", false},
		{"wss://user:pw@agent.example.com/relay", false},
		{"wss:///relay", false},
		{"wss://agent.example.com/relay#x", false},
	} {
		if got := validWSS(tc.given); got != tc.want {
			t.Errorf("validWSS(%q) = %v, want %v", tc.given, got, tc.want)
		}
	}
}
