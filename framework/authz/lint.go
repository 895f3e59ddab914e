package authz

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

// CheckPrincipal returns what is wrong with a principal name that a policy line or a request
// holds, or nil. It refuses names that can never be a request's principal: no namespace (a bare
// "+15555550304" or "staff"; only the reserved names go without), an empty name after the
// namespace, a misspelt system principal, and a caller that is not E.164 ("caller:5555550303").
// A namespace it does not know (a custom policy's) is accepted.
func CheckPrincipal(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty principal")
	case name == principals.Everyone || name == principals.Authenticated || name == principals.Twilio:
		return nil
	case strings.HasPrefix(name, "system."):
		return fmt.Errorf("unknown system principal %q (want %s or %s)", name, principals.Everyone, principals.Authenticated)
	}
	ns, rest, ok := strings.Cut(name, ":")
	if !ok {
		if principals.IsE164(name) {
			return fmt.Errorf("%q has no namespace; a caller is %s", name, principals.Caller(name))
		}
		return fmt.Errorf("%q has no namespace; principals are written caller:+E164, group:NAME, key:NAME, account:AC… (or twilio, %s, %s)",
			name, principals.Everyone, principals.Authenticated)
	}
	if rest == "" {
		return fmt.Errorf("%q names nobody after %q", name, ns+":")
	}
	switch ns + ":" {
	case principals.CallerPrefix:
		if name != principals.AnonymousCaller && !principals.IsE164(rest) {
			return fmt.Errorf("%q is not a caller: a caller is %s+ then the E.164 number, such as caller:+15555550100, or %s", name, principals.CallerPrefix, principals.AnonymousCaller)
		}
	case principals.AttestedCallerPrefix:
		if !principals.IsE164(rest) {
			return fmt.Errorf("%q is not an attested caller: write %s+ then the E.164 number", name, principals.AttestedCallerPrefix)
		}
	}
	return nil
}

// Route is a route the policy is linted against: its pattern, the permission it asks for, and
// whether Twilio calls it (a voice route).
type Route struct {
	Path       string
	Permission string
	Voice      bool
}

// Lint returns the policy's likely mistakes against the routes that will be served, each an
// [*Error] with its line (0 for the policy as a whole). They are warnings: the policy loads and
// works as written, but some line does nothing or less than it seems to.
//
//   - a principal that can never be a request's (see [CheckPrincipal]), in a p or g line;
//   - a route pattern that matches none of the routes;
//   - a permission that no route asks for ("*" aside);
//   - a deny on "/x/*" while a route "/x" exists that no deny of the same subject covers: "*"
//     matches below "/x/", never "/x" itself;
//   - a policy that lets a verified Twilio request reach some voice routes asking a permission
//     but not others asking the same one: the callers of those hear the forbidden flow.
func (a *Authorizer) Lint(routes []Route) []*Error {
	pr := problems{source: a.name}
	warn := func(o Origin, format string, args ...any) { pr.at(o, format, args...) }
	for _, r := range a.rules {
		if err := CheckPrincipal(r.sub); err != nil {
			warn(r.origin, "subject: %v", err)
		}
	}
	for _, g := range a.groupings {
		if err := CheckPrincipal(g.member); err != nil {
			warn(g.origin, "member: %v", err)
		}
		if err := CheckPrincipal(g.group); err != nil {
			warn(g.origin, "group: %v", err)
		}
	}
	asked := map[string]bool{}
	for _, rt := range routes {
		asked[rt.Permission] = true
	}
	for _, r := range a.rules {
		pat := a.routes[r.obj]
		if !slices.ContainsFunc(routes, func(rt Route) bool { return pat.match(rt.Path) }) {
			warn(r.origin, "route pattern %s matches no route (the routes: %s)", r.obj, routeSummary(routes))
		}
		if r.act != "*" && !asked[r.act] {
			warn(r.origin, "permission %q is asked for by no route (they ask for: %s)", r.act, strings.Join(slices.Sorted(maps.Keys(asked)), ", "))
		}
		if r.deny {
			a.lintDenyPrefix(&pr, r, routes)
		}
	}
	a.lintTwilioReach(&pr, routes)
	out := make([]*Error, len(pr.errs))
	for i, e := range pr.errs {
		out[i] = e.(*Error)
	}
	order := func(e *Error) int { // in file order (a database's rules in their order); the policy as a whole last
		if e.Line == 0 && e.ID == "" {
			return math.MaxInt
		}
		return e.Line
	}
	slices.SortStableFunc(out, func(x, y *Error) int { return cmp.Compare(order(x), order(y)) })
	return out
}

// lintDenyPrefix warns when a deny on "/x/*" leaves the route "/x" itself to the allow lines.
func (a *Authorizer) lintDenyPrefix(pr *problems, r rule, routes []Route) {
	head, ok := strings.CutSuffix(r.obj, "/*")
	if !ok || head == "" {
		return
	}
	for _, rt := range routes {
		if rt.Path != head || !r.grants(rt.Permission) {
			continue
		}
		covered := slices.ContainsFunc(a.rules, func(o rule) bool {
			return o.deny && o.sub == r.sub && o.grants(rt.Permission) && a.routes[o.obj].match(rt.Path)
		})
		if !covered {
			pr.at(r.origin, "this deny on %s does not cover the route %s itself (\"*\" matches only below %s/); add: p, %s, %s, %s, deny",
				r.obj, rt.Path, head, r.sub, rt.Path, r.act)
		}
	}
}

// lintTwilioReach warns, per permission, when a verified Twilio request may use some voice routes
// asking it and not others.
func (a *Authorizer) lintTwilioReach(pr *problems, routes []Route) {
	twilio := principals.NewSet(principals.Everyone, principals.Authenticated, principals.Twilio).Names()
	byPerm := map[string][]Route{}
	for _, rt := range routes {
		if rt.Voice {
			byPerm[rt.Permission] = append(byPerm[rt.Permission], rt)
		}
	}
	for _, perm := range slices.Sorted(maps.Keys(byPerm)) {
		var reached, missed []string
		for _, rt := range byPerm[perm] {
			if a.Decide(twilio, rt.Path, perm).Allowed {
				reached = append(reached, rt.Path)
			} else {
				missed = append(missed, rt.Path)
			}
		}
		if len(reached) > 0 && len(missed) > 0 {
			pr.add(0, "a verified Twilio request may use %q on %d voice routes but not on %s: its callers hear the forbidden flow there",
				perm, len(reached), strings.Join(missed, ", "))
		}
	}
}

// routeSummary lists the first segment of each route path, "/ivr, /metrics", for a message.
func routeSummary(routes []Route) string {
	seen := map[string]bool{}
	for _, rt := range routes {
		first, _, _ := strings.Cut(strings.TrimPrefix(rt.Path, "/"), "/")
		seen["/"+first] = true
	}
	if len(seen) == 0 {
		return "none"
	}
	return strings.Join(slices.Sorted(maps.Keys(seen)), ", ")
}
