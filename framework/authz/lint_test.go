package authz_test

import (
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/framework/authz"
)

// lintRoutes are the routes of a small phone tree, with a JSON route and /metrics.
var lintRoutes = []authz.Route{
	{Path: "/ivr/welcome", Permission: "view", Voice: true},
	{Path: "/ivr/welcome/gather", Permission: "view", Voice: true},
	{Path: "/ivr/sales", Permission: "view", Voice: true},
	{Path: "/ivr/sales/gather", Permission: "view", Voice: true},
	{Path: "/ivr/staff", Permission: "staff", Voice: true},
	{Path: "/calls", Permission: "call"},
	{Path: "/metrics", Permission: "metrics"},
}

func TestLintFindsPolicyLinesThatDoNothingOrLessThanTheySeem(t *testing.T) {
	const base = "p, twilio, /ivr/*, view, allow\np, group:staff, /ivr/*, staff, allow\n"
	tests := []struct {
		name   string
		policy string
		want   []string // each a substring of one warning, in order
	}{
		{"AGoodPolicyHasNoWarnings", base + "g, caller:+15555550123, group:staff\np, group:ops, /calls, call, allow\n", nil},
		{"AMemberWithoutItsNamespace", base + "g, +15555550304, group:staff\n",
			[]string{`policy.csv:3: member: "+15555550304" has no namespace; a caller is caller:+15555550304`}},
		{"AGroupWithoutItsNamespace", base + "g, caller:+15555550304, staff\n",
			[]string{`policy.csv:3: group: "staff" has no namespace`}},
		{"ACallerThatIsNotE164", base + "p, caller:5555550303, /ivr/*, view, deny\n",
			[]string{`policy.csv:3: subject: "caller:5555550303" is not a caller`}},
		{"ACallerWithALeadingZero", base + "g, caller:+05555550303, group:staff\n",
			[]string{`policy.csv:3: member: "caller:+05555550303" is not a caller`}},
		{"ARoutePatternThatMatchesNoRoute", base + "p, group:staff, /piza/*, view, allow\n",
			[]string{`policy.csv:3: route pattern /piza/* matches no route (the routes: /calls, /ivr, /metrics)`}},
		{"APermissionNoRouteAsksFor", base + "p, group:staff, /ivr/*, veiw, allow\n",
			[]string{`policy.csv:3: permission "veiw" is asked for by no route (they ask for: call, metrics, staff, view)`}},
		{"ADenyBelowAPrefixThatMissesThePrefixItself", base + "p, group:blocked, /ivr/sales/*, view, deny\n",
			[]string{`policy.csv:3: this deny on /ivr/sales/* does not cover the route /ivr/sales itself ("*" matches only below /ivr/sales/); add: p, group:blocked, /ivr/sales, view, deny`}},
		{"ADenyBelowAPrefixWithThePrefixDeniedToo", base + "p, group:blocked, /ivr/sales/*, view, deny\np, group:blocked, /ivr/sales, view, deny\n", nil},
		{"TwilioGrantedOnlySomeVoiceRoutes", "p, twilio, /ivr/welcome, view, allow\np, twilio, /ivr/sales/*, view, allow\np, group:staff, /ivr/*, staff, allow\n",
			[]string{`policy.csv: a verified Twilio request may use "view" on 2 voice routes but not on /ivr/welcome/gather, /ivr/sales`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			az, err := authz.New(switchboard.DefaultModel, tc.policy, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range az.Lint(lintRoutes) {
				got = append(got, w.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("warnings:\n%s\nwant %d", strings.Join(got, "\n"), len(tc.want))
			}
			all := strings.Join(got, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("warnings:\n%s\nwant one containing %q", all, w)
				}
			}
		})
	}
}

func TestCheckPrincipal(t *testing.T) {
	tests := []struct {
		name string
		want string // a substring of the error; "" for none
	}{
		{"twilio", ""},
		{"system.Everyone", ""},
		{"caller:+15555550199", ""},
		{"caller:anonymous", ""},
		{"caller-attested:+15555550199", ""},
		{"group:staff", ""},
		{"key:ops", ""},
		{"pin:staff", ""}, // another package's namespace
		{"caller:5555550199", "is not a caller"},
		{"caller-attested:5555550199", "is not an attested caller"},
		{"+15555550199", "a caller is caller:+15555550199"},
		{"staff", "has no namespace"},
		{"group:", "names nobody"},
		{"system.everyone", "unknown system principal"},
		{"", "empty"},
	}
	for _, tc := range tests {
		err := authz.CheckPrincipal(tc.name)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckPrincipal(%q) = %v, want nil", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckPrincipal(%q) = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
