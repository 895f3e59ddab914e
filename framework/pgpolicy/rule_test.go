package pgpolicy

import (
	"strings"
	"testing"
)

func TestParseRuleReadsAPolicyLine(t *testing.T) {
	tests := []struct {
		given  string
		expect string // the rule's Text, or the error's substring after "error: "
	}{
		{"p, group:blocked, /ivr/*, *, deny", "p, group:blocked, /ivr/*, *, deny"},
		{"  g,caller:+15555550199 ,  group:blocked ", "g, caller:+15555550199, group:blocked"},
		{`p, "twilio", /ivr/*, view, allow`, "p, twilio, /ivr/*, view, allow"},
		{"", "error: an empty rule"},
		{"# p, twilio, /ivr/*, view, allow", "error: is a comment, not a rule"},
		{"p, twilio, /ivr/*, view", "error: a p rule has 4 fields after p"},
		{"g, caller:+15555550199", "error: a g rule has 2 fields after g"},
		{"x, a, b", "error: a rule starts with p or g"},
		{"p, twilio, , view, allow", "error: field 3 is empty"},
		{"p, twilio, /ivr/*, view, allow\ng, a, b", "error: a rule is one line"},
		{`p, "twilio, /ivr/*, view, allow`, "error: "},
	}
	for _, tt := range tests {
		r, err := ParseRule(tt.given)
		got := r.Text()
		if err != nil {
			got = "error: " + err.Error()
		}
		if want, isErr := strings.CutPrefix(tt.expect, "error: "); isErr && (err == nil || !strings.Contains(err.Error(), want)) ||
			!isErr && got != tt.expect {
			t.Errorf("ParseRule(%q) = %q, want %q", tt.given, got, tt.expect)
		}
	}
}

// FuzzParseRule checks that a rule ParseRule accepts renders to a line it reads back the same.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"p, group:blocked, /ivr/*, *, deny", "g, caller:+15555550199, group:blocked", `p, "a b", c, d, e`, "p,,,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			return
		}
		if r.Type != "p" && r.Type != "g" {
			t.Fatalf("accepted type %q", r.Type)
		}
		back, err := ParseRule(r.Text())
		if err != nil {
			if strings.ContainsAny(r.Text(), `",`) {
				return // a field holding a quote or comma: the policy validator refuses it as a whole
			}
			t.Fatalf("%q parsed to %q, which does not parse: %v", s, r.Text(), err)
		}
		if back.key() != r.key() {
			t.Fatalf("%q: %q reads back as %q", s, r.Text(), back.Text())
		}
	})
}
