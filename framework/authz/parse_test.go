package authz

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard"
)

func TestBrokenPolicyIsRejectedWithItsLine(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		want   string
	}{
		{"TooFewFields", "p, twilio, /ivr/*, view", `policy.csv:1: p line has 3 fields after p, want 4: p, subject, route, permission, allow|deny`},
		{"TooManyFields", "p, twilio, /ivr/*, view, allow, now", `policy.csv:1: p line has 5 fields after p, want 4: p, subject, route, permission, allow|deny`},
		{"GroupingWithADomain", "# Casbin accepts this silently\ng, caller:+15550000001, group:staff, acme", `policy.csv:2: g line has 3 fields after g, want 2: g, member, group`},
		{"GroupingTooShort", "g, caller:+15550000001", `policy.csv:1: g line has 1 fields after g, want 2: g, member, group`},
		{"UnknownSection", "\n\nx, twilio, /ivr/*, view, allow", `policy.csv:3: unknown section "x": a line starts with p or g`},
		{"SecondPolicyType", "p2, twilio, /ivr/*, view, allow", `policy.csv:1: unknown section "p2": a line starts with p or g`},
		{"CapitalisedEffect", "p, twilio, /ivr/*, view, Allow", `policy.csv:1: effect "Allow" must be allow or deny`},
		{"MissingEffect", "p, twilio, /ivr/*, view, ", `policy.csv:1: effect "" must be allow or deny`},
		{"EmptySubject", "p, , /ivr/*, view, allow", `policy.csv:1: empty subject`},
		{"EmptyRoute", "p, twilio, , view, allow", `policy.csv:1: empty route`},
		{"EmptyPermission", "p, twilio, /ivr/*,, allow", `policy.csv:1: empty permission`},
		{"EmptyMember", "g, , group:staff", `policy.csv:1: empty member`},
		{"EmptyGroup", "g, caller:+15550000001,", `policy.csv:1: empty group`},
		{"MisspeltSystemPrincipal", "p, system.everyone, /ivr/*, view, allow", `policy.csv:1: unknown system principal "system.everyone" (want system.Everyone or system.Authenticated)`},
		{"ReservedGroup", "g, key:ci, twilio", `policy.csv:1: group "twilio" is a reserved principal: requests get it from authentication, never from a g line`},
		{"SelfMembership", "g, group:staff, group:staff", `policy.csv:1: "group:staff" is made a member of itself`},
		{"RelativeRoute", "p, twilio, ivr/*, view, allow", `policy.csv:1: route "ivr/*" must start with "/"`},
		{"BadRoutePattern", "p, twilio, /ivr/(, view, allow", "policy.csv:1: route \"/ivr/(\" is not a valid pattern: missing closing ): `^/ivr/($`"},
		{"UnterminatedQuote", `p, "twilio, /ivr/*, view, allow`, `policy.csv:1: extraneous or missing " in quoted-field`},
		{"CommaInField", `p, "a,b", /ivr/*, view, allow`, `policy.csv:1: field 2 contains a comma`},
		{"ControlCharacter", "p, twi\x01lio, /ivr/*, view, allow", `policy.csv:1: field 2 contains a control character`},
		{"Duplicate", "p, twilio, /ivr/*, view, allow\n\np,twilio,/ivr/*,view,allow", `policy.csv:3: duplicate of line 1`},
		{"EveryProblemAtOnce", "p, twilio\ng, a, b, c\n# fine\np, twilio, /ivr/*, view, allow\nq, x",
			"policy.csv:1: p line has 1 fields after p, want 4: p, subject, route, permission, allow|deny\n" +
				"policy.csv:2: g line has 3 fields after g, want 2: g, member, group\n" +
				`policy.csv:5: unknown section "q": a line starts with p or g`},
		{"SeveralProblemsInOneLine", "p, , /ivr/*, , maybe", "policy.csv:1: empty subject\npolicy.csv:1: empty permission\n" + `policy.csv:1: effect "maybe" must be allow or deny`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(switchboard.DefaultModel, tt.policy, nil)
			if err == nil {
				t.Fatalf("New accepted %q (%d rules)", tt.policy, a.Rules())
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Source != "policy.csv" || e.Line == 0 {
				t.Errorf("error %#v does not hold an *Error with a line", err)
			}
		})
	}
}

func TestBrokenModelIsRejectedWithItsLine(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(switchboard.DefaultModel, old) {
			t.Fatalf("model.conf has no %q", old)
		}
		return strings.Replace(switchboard.DefaultModel, old, new, 1)
	}
	line := func(prefix string) string {
		for i, l := range strings.Split(switchboard.DefaultModel, "\n") {
			if strings.HasPrefix(l, prefix) {
				return "model.conf:" + itoa(i+1)
			}
		}
		t.Fatalf("model.conf has no line %q", prefix)
		return ""
	}
	tests := []struct {
		name  string
		model string
		want  string
	}{
		{"RequestWithoutPermission", replace("r = sub, obj, act", "r = sub, obj"), line("r =") + `: r must be "sub, obj, act", got "sub, obj"`},
		{"PolicyWithoutEffect", replace("p = sub, obj, act, eft", "p = sub, obj, act"), line("p =") + `: p must be "sub, obj, act, eft", got "sub, obj, act"`},
		{"AllowOverride", replace(" && !some(where (p.eft == deny))", ""), line("e =") + `: e must be "some(where (p.eft == allow)) && !some(where (p.eft == deny))", got "some(where (p.eft == allow))"`},
		{"MatcherWithoutPrincipalSet", replace("hasPrincipal(r.sub, p.sub)", "r.sub == p.sub"), line("m =") + ": the matcher must use r.sub only in hasPrincipal(r.sub, p.sub)"},
		{"MatcherUsesSubjectTwice", replace("hasPrincipal(r.sub, p.sub) &&", "hasPrincipal(r.sub, p.sub) && r.sub != \"\" &&"), line("m =") + ": the matcher must use r.sub only in hasPrincipal(r.sub, p.sub)"},
		{"UnknownFunction", replace("routeMatch(r.obj, p.obj)", "keyMatch9(r.obj, p.obj)"), line("m =") + ": matcher: Undefined function keyMatch9"},
		{"MatcherSyntax", replace("routeMatch(r.obj, p.obj)", "routeMatch(r.obj, p.obj"), line("m =") + ": matcher: Unbalanced parenthesis"},
		{"UnknownSection", replace("[matchers]", "[matcher]"), line("[matchers]") + ": unknown section \"[matcher]\"\nmodel.conf: missing [matchers] m = …"},
		{"WrongKey", replace("g = _, _", "g2 = _, _"), line("g =") + `: [role_definition] takes only g = …, got "g2"`},
		{"NotKeyValue", replace("g = _, _", "g _, _"), line("g =") + `: want "key = value", got "g _, _"`},
		{"Redefined", replace("r = sub, obj, act", "r = sub, obj, act\nr = sub, obj"), "model.conf:11: r is defined again (first on line 10)"},
		{"OutsideASection", "r = sub, obj, act\n" + switchboard.DefaultModel, `model.conf:1: "r" is outside any [section]`},
		{"MissingSections", "[request_definition]\nr = sub, obj, act\n", "model.conf: missing [policy_definition] p = sub, obj, act, eft\nmodel.conf: missing [policy_effect] e = some(where (p.eft == allow)) && !some(where (p.eft == deny))\nmodel.conf: missing [matchers] m = …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.model, "p, twilio, /ivr/*, view, allow\n", nil)
			if err == nil {
				t.Fatalf("New accepted the model:\n%s", tt.model)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}

func TestGroupLinesNeedARoleDefinition(t *testing.T) {
	model := strings.Replace(switchboard.DefaultModel, "[role_definition]\ng = _, _\n", "", 1)
	_, err := New(model, "p, twilio, /ivr/*, view, allow\ng, a, b\n", nil)
	if want := "policy.csv:2: g line, but the model has no [role_definition]"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestModelAndPolicyProblemsAreReportedTogether(t *testing.T) {
	model := strings.Replace(switchboard.DefaultModel, "p = sub, obj, act, eft", "p = sub, obj, act", 1)
	_, err := New(model, "p, twilio\n", &Options{ModelName: "m.conf", PolicyName: "p.csv"})
	want := `m.conf:13: p must be "sub, obj, act, eft", got "sub, obj, act"` + "\n" +
		"p.csv:1: p line has 1 fields after p, want 4: p, subject, route, permission, allow|deny"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestRefinedMatcherIsAccepted(t *testing.T) {
	// Exact route patterns instead of routeMatch, with the matcher spread over two lines.
	model := strings.Replace(switchboard.DefaultModel, "routeMatch(r.obj, p.obj)", "\\\n    r.obj == p.obj", 1)
	a, err := New(model, "p, twilio, /ivr/*, view, allow\np, twilio, /ivr/welcome, view, allow\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := a.Decide(verified, "/ivr/welcome", "view"); !d.Allowed || d.Line != 2 {
		t.Errorf("%s, want allowed by line 2", d.Reason())
	}
	if d := a.Decide(verified, "/ivr/sales", "view"); d.Allowed {
		t.Errorf("%s, want refused: the refined matcher compares routes exactly", d.Reason())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
