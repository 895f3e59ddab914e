package authz

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/casbin/casbin/v2/util"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/principals"
)

// The oracle: plain Casbin, one subject per Enforce, with the stock g() and keyMatch2 and an
// allow-only effect. One enforcer holds the allow lines, the other the deny lines (rewritten as
// allow), so that for a principal set, anyAllow && !anyDeny is the package's semantics.
const oracleModel = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && (r.act == p.act || p.act == "*")
`

type oracle struct{ allow, deny *casbin.Enforcer }

func newOracle(t *testing.T, policy string) oracle {
	t.Helper()
	var allow, deny strings.Builder
	for _, line := range strings.Split(policy, "\n") {
		switch {
		case strings.HasPrefix(line, "g,"):
			allow.WriteString(line + "\n")
			deny.WriteString(line + "\n")
		case strings.HasSuffix(line, ", allow"):
			allow.WriteString(line + "\n")
		case strings.HasSuffix(line, ", deny"):
			deny.WriteString(strings.TrimSuffix(line, "deny") + "allow\n")
		}
	}
	enforcer := func(text string) *casbin.Enforcer {
		text += "p, nobody, /nowhere, none, allow\n" // the string adapter refuses an empty text
		m, err := model.NewModelFromString(oracleModel)
		if err != nil {
			t.Fatal(err)
		}
		e, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(text))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	return oracle{enforcer(allow.String()), enforcer(deny.String())}
}

func (o oracle) decide(t *testing.T, ps []string, route, perm string) (anyAllow, anyDeny bool) {
	t.Helper()
	for _, p := range ps {
		a, err := o.allow.Enforce(p, route, perm)
		if err != nil {
			t.Fatal(err)
		}
		d, err := o.deny.Enforce(p, route, perm)
		if err != nil {
			t.Fatal(err)
		}
		anyAllow, anyDeny = anyAllow || a, anyDeny || d
	}
	return anyAllow, anyDeny
}

var (
	genSubjects = []string{
		principals.Everyone, principals.Authenticated, principals.Twilio,
		"key:ops", "key:root", "caller:+15550000001", "caller:+15550000002", "caller:+15550000003",
		"caller:+15550000004", "account:AC1", "group:g0", "group:g1", "group:g2", "group:g3", "group:g4",
	}
	genMembers   = []string{"key:ops", "key:root", "caller:+15550000001", "caller:+15550000002", "caller:+15550000003", "caller:+15550000004", "account:AC1"}
	genPatterns  = []string{"/*", "/ivr/*", "/ivr/:menu", "/ivr/:menu/gather", "/ivr/welcome", "/ivr/welcome/*", "/calls", "/admin/*", "/metrics", "/ivr/:menu/:step"}
	genPerms     = []string{"view", "call", "admin", "staff", "metrics", "*"}
	genRoutes    = []string{"/", "/ivr/welcome", "/ivr/welcome/gather", "/ivr/sales", "/ivr/x/y/z", "/calls", "/admin/x", "/admin", "/metrics", "/other"}
	genAskPerms  = []string{"view", "call", "admin", "staff", "metrics", "other"}
	genPrincipal = append(append([]string{}, genSubjects...), "group:g9", "key:nobody")
)

// randomPolicy writes n distinct p lines and some g lines (members into groups, and groups into
// later groups, so chains are up to five deep).
func randomPolicy(r *rand.Rand, n int) string {
	var b strings.Builder
	seen := map[string]bool{}
	for range n {
		eft := "allow"
		if r.IntN(4) == 0 {
			eft = "deny"
		}
		line := fmt.Sprintf("p, %s, %s, %s, %s", genSubjects[r.IntN(len(genSubjects))], genPatterns[r.IntN(len(genPatterns))], genPerms[r.IntN(len(genPerms))], eft)
		if !seen[line] {
			seen[line] = true
			b.WriteString(line + "\n")
		}
	}
	for range r.IntN(8) {
		var line string
		if r.IntN(3) == 0 {
			i := r.IntN(4)
			line = fmt.Sprintf("g, group:g%d, group:g%d", i, i+1+r.IntN(4-i))
		} else {
			line = fmt.Sprintf("g, %s, group:g%d", genMembers[r.IntN(len(genMembers))], r.IntN(5))
		}
		if !seen[line] {
			seen[line] = true
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// TestDecisionsAgreeWithPlainCasbin checks Decide, twice (the second from the cache), and
// Explain against the oracle on random policies and random principal sets, which always carry a
// caller number no policy names.
func TestDecisionsAgreeWithPlainCasbin(t *testing.T) {
	policies, requests := 300, 40
	if raceEnabled || testing.Short() {
		policies = 40
	}
	r := rand.New(rand.NewPCG(1, 2))
	cases, allowed, denied := 0, 0, 0
	for pi := range policies {
		policy := randomPolicy(r, 1+r.IntN(40))
		a, err := New(switchboard.DefaultModel, policy, nil)
		if err != nil {
			t.Fatalf("policy %d:\n%s\n%v", pi, policy, err)
		}
		o := newOracle(t, policy)
		for range requests {
			ps := []string{principals.Everyone, principals.Caller(fmt.Sprintf("+1777%07d", r.IntN(1e7)))}
			for range 1 + r.IntN(5) {
				ps = append(ps, genPrincipal[r.IntN(len(genPrincipal))])
			}
			ps = principals.NewSet(ps...).Names()
			route, perm := genRoutes[r.IntN(len(genRoutes))], genAskPerms[r.IntN(len(genAskPerms))]
			anyAllow, anyDeny := o.decide(t, ps, route, perm)
			if anyDeny {
				denied++
			} else if anyAllow {
				allowed++
			}
			for pass := range 2 {
				d := a.Decide(ps, route, perm)
				cases++
				if d.Err != nil || d.Allowed != (anyAllow && !anyDeny) || d.Denied != anyDeny {
					t.Fatalf("pass %d, policy:\n%s\nDecide(%v, %s, %s) = %s (denied=%v)\ncasbin: anyAllow=%v anyDeny=%v",
						pass, policy, ps, route, perm, d.Reason(), d.Denied, anyAllow, anyDeny)
				}
			}
			// Explain lists the same lines: the first deny decides a denial, the first allow an
			// allowance.
			x := a.Explain(ps, route, perm)
			var firstAllow, firstDeny int
			for _, m := range x.Matches {
				if m.Deny && firstDeny == 0 {
					firstDeny = m.Line
				}
				if !m.Deny && firstAllow == 0 {
					firstAllow = m.Line
				}
			}
			if (firstAllow != 0) != anyAllow || (firstDeny != 0) != anyDeny {
				t.Fatalf("policy:\n%s\nExplain(%v, %s, %s):\n%s\ncasbin: anyAllow=%v anyDeny=%v", policy, ps, route, perm, x, anyAllow, anyDeny)
			}
			want := 0
			if anyDeny {
				want = firstDeny
			} else if anyAllow {
				want = firstAllow
			}
			if x.Decision.Line != want {
				t.Fatalf("policy:\n%s\n%s\nwant the decision from line %d", policy, x, want)
			}
		}
	}
	t.Logf("%d decisions over %d random policies agree with plain Casbin (requests: %d allowed, %d denied by a line, %d by default)",
		cases, policies, allowed, denied, cases/2-allowed-denied)
}

// TestRouteMatchIsKeyMatch2 compares the compiled patterns with Casbin's own keyMatch2, including
// patterns the fast paths must refuse.
func TestRouteMatchIsKeyMatch2(t *testing.T) {
	patterns := append([]string{"/metrics.json", "/a/*/b", "/ivr/*/gather", "/x/:id.json", "/ivr/wel+come", "/", "/ivr/"}, genPatterns...)
	routes := append([]string{"/metricsXjson", "/metrics.json", "/a/x/y/b", "/ivr/q/gather", "/x/7.json", "/x/7/json", "/ivr/welcome", "/ivr/wellcome", "/ivr/a\nb", "/ivr/"}, genRoutes...)
	for _, p := range patterns {
		rp, err := compileRoute(p)
		if err != nil {
			t.Fatalf("compileRoute(%q): %v", p, err)
		}
		for _, route := range routes {
			want, err := casbinKeyMatch2(route, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := rp.match(route); got != want {
				t.Errorf("routeMatch(%q, %q) = %v, keyMatch2 says %v", route, p, got, want)
			}
		}
	}
}

func casbinKeyMatch2(route, pattern string) (bool, error) {
	ok, err := util.KeyMatch2Func(route, pattern)
	if err != nil {
		return false, err
	}
	return ok.(bool), nil
}
