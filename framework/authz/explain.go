package authz

import (
	"fmt"
	"slices"
	"strings"
)

// Explanation lists every policy line that matches a request, for `switchboard explain` and for
// logs, beside the decision.
type Explanation struct {
	Decision   Decision
	Principals []string // the request's principals, as given
	Groups     []string // the groups they reach through g lines, in the order found
	Matches    []Match  // every p line whose subject, route and permission match, in file order
}

// Match is one policy line that matches a request.
type Match struct {
	Origin         // where the line came from
	Rule    string // the line as written
	Deny    bool
	Subject string
	// Via is the path from one of the request's principals to Subject through g lines, such as
	// ["caller:+15555550199", "group:blocked"]; just [Subject] when the request holds it.
	Via []string
}

// Explain decides the request with [Authorizer.Decide] and lists every line that matches it,
// allow and deny, with the principal or group each matched through. Matches follow the package's
// semantics: with the default matcher, the request is allowed exactly when some match allows and
// none denies. With a refined matcher, Decision is the authority.
func (a *Authorizer) Explain(principals []string, route, permission string) Explanation {
	x := Explanation{Decision: a.Decide(principals, route, permission), Principals: principals}
	via := map[string]string{}
	set := a.expand(principals, via)
	x.Groups = set.names[len(principals):]
	for i := range a.rules {
		r := &a.rules[i]
		if !r.grants(permission) || !set.has(r.sub) || !a.routes[r.obj].match(route) {
			continue
		}
		path := []string{r.sub}
		for n := r.sub; via[n] != ""; {
			n = via[n]
			path = append(path, n)
		}
		slices.Reverse(path)
		x.Matches = append(x.Matches, Match{Origin: r.origin, Rule: r.text, Deny: r.deny, Subject: r.sub, Via: path})
	}
	return x
}

// String renders the explanation as `switchboard explain` prints it: the decision, then one line
// per match. The decision line masks caller numbers, as logs do; the match lines name the policy's
// own subjects as written.
func (x Explanation) String() string {
	var b strings.Builder
	b.WriteString(x.Decision.Reason())
	b.WriteByte('\n')
	if len(x.Groups) > 0 {
		fmt.Fprintf(&b, "  groups: %s\n", strings.Join(x.Groups, ", "))
	}
	if len(x.Matches) == 0 {
		b.WriteString("  no line matches\n")
	}
	for _, m := range x.Matches {
		eft := "allow"
		if m.Deny {
			eft = "deny "
		}
		fmt.Fprintf(&b, "  %s %s %q via %s\n", eft, m.Origin, m.Rule, strings.Join(m.Via, " → "))
	}
	return b.String()
}
