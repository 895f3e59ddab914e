package authz

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/principals"
)

// defaultAuthorizer builds the authorizer over the real root model.conf and policy.csv.
func defaultAuthorizer(t testing.TB) *Authorizer {
	t.Helper()
	a, err := New(switchboard.DefaultModel, switchboard.DefaultPolicy, nil)
	if err != nil {
		t.Fatalf("default model and policy: %v", err)
	}
	return a
}

// lineOf returns the line number of the first line of the default policy that starts with text.
func lineOf(t testing.TB, text string) int {
	t.Helper()
	for i, l := range strings.Split(switchboard.DefaultPolicy, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), text) {
			return i + 1
		}
	}
	t.Fatalf("policy.csv has no line %q", text)
	return 0
}

func set(names ...string) []string { return principals.NewSet(names...).Names() }

const (
	blocked = "caller:+15555550199"          // g, caller:+15555550199, group:blocked
	staff   = "caller-attested:+15555550123" // g, caller-attested:+15555550123, group:staff
	other   = "caller:+15555550142"          // named by no line
)

var verified = []string{principals.Everyone, principals.Authenticated, principals.Twilio}

func TestDefaultPolicyDecisions(t *testing.T) {
	a := defaultAuthorizer(t)
	tests := []struct {
		name       string
		given      []string
		route      string
		permission string
		allowed    bool
		denied     bool
		rule       string // the deciding line's text; "" for a default deny
	}{
		{"TwilioMayViewMenus", append(set(other), verified...), "/ivr/welcome", "view", true, false, "p, twilio, /ivr/*, view, allow"},
		{"TwilioMayViewGatherRoutes", append(set(other), verified...), "/ivr/welcome/gather", "view", true, false, "p, twilio, /ivr/*, view, allow"},
		{"AnonymousIsRefused", set(principals.Everyone), "/ivr/welcome", "view", false, false, ""},
		{"AnonymousCallerClaimIsRefused", set(principals.Everyone, other), "/ivr/welcome", "view", false, false, ""},
		{"BlockedCallerIsDeniedThoughTwilioIsAllowed", set(append([]string{blocked}, verified...)...), "/ivr/welcome", "view", false, true, "p, group:blocked, /ivr/*, *, deny"},
		{"BlockedCallerIsDeniedStaffToo", set(append([]string{blocked}, verified...)...), "/ivr/staff", "staff", false, true, "p, group:blocked, /ivr/*, *, deny"},
		{"AttestedStaffCallerInheritsStaffLoginThroughG", set(append([]string{staff}, verified...)...), "/ivr/staff_login", "staff_login", true, false, "p, group:staff, /ivr/*, staff_login, allow"},
		{"SpoofableStaffNumberLacksStaffLogin", set(append([]string{"caller:+15555550123"}, verified...)...), "/ivr/staff_login", "staff_login", false, false, ""},
		{"AttestedStaffCallerLacksStaffWithoutThePIN", set(append([]string{staff}, verified...)...), "/ivr/staff", "staff", false, false, ""},
		{"TheStaffPINGrantsStaff", set(append([]string{"pin:staff"}, verified...)...), "/ivr/staff", "staff", true, false, "p, pin:staff, /ivr/*, staff, allow"},
		{"OtherCallerLacksStaff", set(append([]string{other}, verified...)...), "/ivr/staff", "staff", false, false, ""},
		{"TwilioAloneLacksStaff", set(verified...), "/ivr/staff", "staff", false, false, ""},
		{"StaffIsOnlyForIVRRoutes", set(append([]string{staff}, verified...)...), "/calls", "staff", false, false, ""},
		{"OperatorKeyMayCall", set(principals.Everyone, principals.Authenticated, "key:ops", "group:operators"), "/calls", "call", true, false, "p, group:operators, /calls, call, allow"},
		{"OperatorKeyMayNotAdmin", set(principals.Everyone, principals.Authenticated, "key:ops", "group:operators"), "/admin/x", "admin", false, false, ""},
		{"OperatorKeyMayNotViewMenus", set(principals.Everyone, principals.Authenticated, "key:ops", "group:operators"), "/ivr/welcome", "view", false, false, ""},
		{"AdminMayAdmin", set(principals.Everyone, principals.Authenticated, "key:root", "group:admins"), "/admin/keys", "admin", true, false, "p, group:admins, /admin/*, admin, allow"},
		{"AdminMayScrapeMetrics", set(principals.Everyone, principals.Authenticated, "key:root", "group:admins"), "/metrics", "metrics", true, false, "p, group:admins, /metrics, metrics, allow"},
		{"MonitoringMayScrapeMetrics", set(principals.Everyone, "group:monitoring"), "/metrics", "metrics", true, false, "p, group:monitoring, /metrics, metrics, allow"},
		{"TwilioMayNotScrapeMetrics", set(verified...), "/metrics", "metrics", false, false, ""},
		{"TwilioMayNotStartCalls", set(verified...), "/calls", "call", false, false, ""},
		{"TwilioMayReportCallbacks", set(verified...), "/callbacks/status", "callback", true, false, "p, twilio, /callbacks/*, callback, allow"},
		{"TwilioMayReportRecordings", set(verified...), "/callbacks/recording", "callback", true, false, "p, twilio, /callbacks/*, callback, allow"},
		{"CallbackIsNotAMenuPermission", set(verified...), "/ivr/welcome", "callback", false, false, ""},
		{"AnUnsignedCallbackIsRefused", set(principals.Everyone), "/callbacks/status", "callback", false, false, ""},
		{"ABlockedCallerCannotForgeACallback", set(append([]string{blocked}, principals.Everyone)...), "/callbacks/status", "callback", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for pass := range 2 { // the second pass answers from the cache
				d := a.Decide(set(tt.given...), tt.route, tt.permission)
				if d.Allowed != tt.allowed || d.Denied != tt.denied || d.Rule != tt.rule || d.Err != nil {
					t.Fatalf("pass %d: Decide(%v, %s, %s) = %+v (%s), want allowed=%v denied=%v rule %q",
						pass, tt.given, tt.route, tt.permission, d, d.Reason(), tt.allowed, tt.denied, tt.rule)
				}
				wantLine := 0
				if tt.rule != "" {
					wantLine = lineOf(t, tt.rule)
				}
				if d.Line != wantLine || d.Source != "policy.csv" {
					t.Fatalf("pass %d: decided by %s:%d, want policy.csv:%d", pass, d.Source, d.Line, wantLine)
				}
			}
		})
	}
}

func TestReasonNamesTheLine(t *testing.T) {
	a := defaultAuthorizer(t)
	tests := []struct {
		given []string
		route string
		perm  string
		want  string
	}{
		{verified, "/ivr/welcome", "view", `allowed by policy.csv:6 "p, twilio, /ivr/*, view, allow"`},
		{append([]string{blocked}, verified...), "/ivr/welcome", "view", `denied by policy.csv:13 "p, group:blocked, /ivr/*, *, deny"`},
		{set(principals.Everyone), "/ivr/x", "view", `no policy line grants "view" on /ivr/x to [system.Everyone]`},
		{set(principals.Everyone, other), "/ivr/x", "view", `no policy line grants "view" on /ivr/x to [caller:+1555***0142 system.Everyone]`},
	}
	for _, tt := range tests {
		if got := a.Decide(set(tt.given...), tt.route, tt.perm).Reason(); got != tt.want {
			t.Errorf("Reason() = %s\nwant       %s", got, tt.want)
		}
	}
}

// Pyramid's ACLs let the first matching entry decide, so an allow written above a deny wins
// there. Here a deny wins wherever it stands.
func TestDenyWinsWhereverItStands(t *testing.T) {
	const (
		allowFirst = "p, system.Everyone, /ivr/*, view, allow\np, caller:+15550000000, /ivr/*, view, deny\n"
		denyFirst  = "p, caller:+15550000000, /ivr/*, view, deny\np, system.Everyone, /ivr/*, view, allow\n"
	)
	caller := set(principals.Everyone, "caller:+15550000000")
	for _, tt := range []struct {
		name, policy string
		denyLine     int
	}{{"AllowWrittenFirst", allowFirst, 2}, {"DenyWrittenFirst", denyFirst, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(switchboard.DefaultModel, tt.policy, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Pyramid's first match would allow the caller when the allow is written first.
			if d := a.Decide(caller, "/ivr/welcome", "view"); d.Allowed || !d.Denied || d.Line != tt.denyLine {
				t.Errorf("blocked caller: %s, want denied by line %d", d.Reason(), tt.denyLine)
			}
			if d := a.Decide(set(principals.Everyone), "/ivr/welcome", "view"); !d.Allowed {
				t.Errorf("anybody else: %s, want allowed", d.Reason())
			}
		})
	}
}

func TestGroupsAreFollowedTransitively(t *testing.T) {
	policy := `
p, group:support, /ivr/*, staff, allow
g, caller:+15550000001, group:night
g, group:night, group:tier1
g, group:tier1, group:support
g, group:support, group:night
`
	a, err := New(switchboard.DefaultModel, policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := a.Explain(set("caller:+15550000001", principals.Everyone), "/ivr/staff", "staff")
	if !x.Decision.Allowed || x.Decision.Line != 2 {
		t.Fatalf("%s, want allowed by line 2", x.Decision.Reason())
	}
	want := "caller:+15550000001 → group:night → group:tier1 → group:support"
	if len(x.Matches) != 1 || strings.Join(x.Matches[0].Via, " → ") != want {
		t.Fatalf("matches %+v, want one via %s", x.Matches, want)
	}
}

func TestExplainListsEveryMatchingLine(t *testing.T) {
	a := defaultAuthorizer(t)
	x := a.Explain(set(append([]string{blocked}, verified...)...), "/ivr/welcome", "view")
	want := `denied by policy.csv:13 "p, group:blocked, /ivr/*, *, deny"
  groups: group:blocked
  allow policy.csv:6 "p, twilio, /ivr/*, view, allow" via twilio
  deny  policy.csv:13 "p, group:blocked, /ivr/*, *, deny" via caller:+15555550199 → group:blocked
`
	if got := x.String(); got != want {
		t.Errorf("Explain:\n%s\nwant:\n%s", got, want)
	}
}

func TestGrantsAndSubjects(t *testing.T) {
	a := defaultAuthorizer(t)
	for perm, want := range map[string]bool{"view": true, "staff": true, "call": true, "admin": true, "metrics": true, "delete": false} {
		if got := a.Grants(perm); got != want {
			t.Errorf("Grants(%q) = %v, want %v", perm, got, want)
		}
	}
	if allow, deny := a.Subjects("/ivr/welcome", "view"); fmt.Sprint(allow, deny) != "[twilio] [group:blocked]" {
		t.Errorf("Subjects(/ivr/welcome, view) = %v %v", allow, deny)
	}
	if allow, deny := a.Subjects("/calls", "call"); fmt.Sprint(allow, deny) != "[group:admins group:operators] []" {
		t.Errorf("Subjects(/calls, call) = %v %v", allow, deny)
	}
	if a.Rules() != 10 || a.Groupings() != 2 {
		t.Errorf("Rules() = %d, Groupings() = %d, want 10 and 2", a.Rules(), a.Groupings())
	}
	// A deny for everything does not grant anything.
	b, err := New(switchboard.DefaultModel, "p, system.Everyone, /*, *, deny\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Grants("view") {
		t.Error("a deny line counts as a grant")
	}
}

func TestFreshCallerNumbersShareACacheEntry(t *testing.T) {
	a := defaultAuthorizer(t)
	for i := range 100 {
		d := a.Decide(set(principals.Caller(fmt.Sprintf("+1555%07d", i)), principals.Everyone, principals.Twilio), "/ivr/welcome", "view")
		if !d.Allowed {
			t.Fatal(d.Reason())
		}
	}
	if n := a.cache.len(); n != 1 {
		t.Errorf("%d cache entries after 100 callers the policy never names, want 1", n)
	}
}

func TestCacheStaysBounded(t *testing.T) {
	var policy strings.Builder
	for i := range 50 {
		fmt.Fprintf(&policy, "p, caller:+1555%07d, /ivr/*, view, deny\n", i)
	}
	a, err := New(switchboard.DefaultModel, policy.String(), &Options{CacheSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if d := a.Decide(set(principals.Caller(fmt.Sprintf("+1555%07d", i))), "/ivr/x", "view"); !d.Denied {
			t.Fatal(d.Reason())
		}
	}
	if n := a.cache.len(); n != 10 {
		t.Errorf("%d cache entries, want the bound, 10", n)
	}
}

func TestLoadNamesTheFiles(t *testing.T) {
	dir := t.TempDir()
	model, policy := filepath.Join(dir, "model.conf"), filepath.Join(dir, "policy.csv")
	if err := os.WriteFile(model, []byte(switchboard.DefaultModel), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policy, []byte("p, twilio, /ivr/*, view, allow\np, twilio, /ivr/*, view\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(model, policy, nil)
	want := policy + ":2: p line has 3 fields after p, want 4: p, subject, route, permission, allow|deny"
	if err == nil || err.Error() != want {
		t.Fatalf("Load: %v\nwant %s", err, want)
	}
	if err := os.WriteFile(policy, []byte("p, twilio, /ivr/*, view, allow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := Load(model, policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := a.Decide(verified, "/ivr/x", "view"); d.Source != policy || d.Line != 1 {
		t.Errorf("decided by %s:%d, want %s:1", d.Source, d.Line, policy)
	}
	if _, err := Load(model, filepath.Join(dir, "missing.csv"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing policy: %v, want a not-exist error", err)
	}
}

func TestConcurrentDecisionsAgree(t *testing.T) {
	a, err := New(switchboard.DefaultModel, switchboard.DefaultPolicy, &Options{CacheSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	type request struct {
		ps          []string
		route, perm string
	}
	requests := []request{
		{verified, "/ivr/welcome", "view"},
		{append([]string{blocked}, verified...), "/ivr/welcome", "view"},
		{append([]string{staff}, verified...), "/ivr/staff", "staff"},
		{append([]string{other}, verified...), "/ivr/staff", "staff"},
		{[]string{"group:operators", "key:ops"}, "/calls", "call"},
		{[]string{"group:operators", "key:ops"}, "/admin/x", "admin"},
		{[]string{principals.Everyone}, "/metrics", "metrics"},
	}
	want := make([]Decision, len(requests))
	for i, r := range requests {
		r.ps = set(r.ps...)
		requests[i] = r
		want[i] = a.Decide(r.ps, r.route, r.perm)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := (i + g) % len(requests)
				r := requests[k]
				ps := append(set(r.ps...), principals.Caller(fmt.Sprintf("+1666%03d%04d", g, i)))
				d := a.Decide(ps, r.route, r.perm)
				if d.Allowed != want[k].Allowed || d.Denied != want[k].Denied || d.Line != want[k].Line {
					t.Errorf("goroutine %d: %s, want %s", g, d.Reason(), want[k].Reason())
					return
				}
				if i%50 == 0 {
					_ = a.Explain(ps, r.route, r.perm)
				}
			}
		})
	}
	wg.Wait()
}

// A route is open only when everybody is allowed it and nobody is denied it: a blocklist on
// /ivr/* closes every menu, and a permission granted only to twilio is not open.
func TestOpenMeansAllowedToEverybodyAndDeniedToNobody(t *testing.T) {
	policy := "p, system.Everyone, /ivr/goodbye, view, allow\n" +
		"p, system.Everyone, /ivr/welcome, view, allow\n" +
		"p, group:blocked, /ivr/welcome, *, deny\n" +
		"p, twilio, /ivr/*, view, allow\n"
	a, err := New(switchboard.DefaultModel, policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		route, permission string
		want              bool
	}{
		{"/ivr/goodbye", "view", true},
		{"/ivr/welcome", "view", false}, // group:blocked is denied
		{"/ivr/sales", "view", false},   // only twilio
		{"/ivr/goodbye", "staff", false},
	} {
		if got := a.Open(tt.route, tt.permission); got != tt.want {
			t.Errorf("Open(%s, %s) = %v, want %v", tt.route, tt.permission, got, tt.want)
		}
	}
	if defaultAuthorizer(t).Open("/ivr/welcome", "view") {
		t.Error("the default policy, with its blocklist, opens /ivr/welcome to every caller")
	}
}
