package authz

import (
	"encoding/csv"
	"errors"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

// rule is a "p" line of the policy.
type rule struct {
	origin Origin
	text   string // the line as written, trimmed
	sub    string
	obj    string
	act    string
	deny   bool
}

// grouping is a "g" line of the policy.
type grouping struct {
	origin Origin
	text   string
	member string
	group  string
}

// policy is a parsed, validated policy.
type policy struct {
	rules     []rule
	groupings []grouping
	routes    map[string]*routePattern // every rule's route pattern, compiled
}

// parsePolicy reads a policy line by line, the way Casbin's adapters do (a line is one CSV
// record; blank lines and lines starting with "#" are skipped), and checks every line against
// Switchboard's model: it reports every problem, each with its origin, including those Casbin
// would accept silently (a g line with extra fields, an effect that is neither allow nor deny).
// hasGroups says whether the model has a role definition.
func parsePolicy(p Policy, hasGroups bool) (*policy, error) {
	pr := problems{source: p.Name}
	pol := &policy{routes: map[string]*routePattern{}}
	seen := map[string]Origin{} // the fields of each line, joined → where it was first
	for _, l := range p.Lines {
		o := l.Origin
		line := strings.TrimSpace(l.Text)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields, err := splitLine(line)
		if err != nil {
			pr.at(o, "%v", err)
			continue
		}
		key := strings.Join(fields, "\x00")
		if first, ok := seen[key]; ok {
			if first.Source == o.Source && first.Line > 0 && first.ID == "" {
				pr.at(o, "duplicate of line %d", first.Line)
			} else {
				pr.at(o, "duplicate of %s", first)
			}
			continue
		}
		seen[key] = o
		bad := false
		for j, f := range fields {
			if strings.ContainsFunc(f, isControl) {
				pr.at(o, "field %d contains a control character", j+1)
				bad = true
			}
			if strings.Contains(f, ",") { // Casbin keys its rules by the fields joined with ","
				pr.at(o, "field %d contains a comma", j+1)
				bad = true
			}
		}
		if bad {
			continue
		}
		switch fields[0] {
		case "p":
			if r, ok := checkRule(&pr, o, line, fields[1:]); ok {
				if _, done := pol.routes[r.obj]; !done {
					rp, err := compileRoute(r.obj)
					if err != nil {
						pr.at(o, "%v", err)
						continue
					}
					pol.routes[r.obj] = &rp
				}
				pol.rules = append(pol.rules, r)
			}
		case "g":
			if !hasGroups {
				pr.at(o, "g line, but the model has no [role_definition]")
				continue
			}
			if g, ok := checkGrouping(&pr, o, line, fields[1:]); ok {
				pol.groupings = append(pol.groupings, g)
			}
		default:
			pr.at(o, "unknown section %s: a line starts with p or g", excerpt(fields[0]))
		}
	}
	if err := pr.err(); err != nil {
		return nil, err
	}
	return pol, nil
}

// splitLine splits one policy line into trimmed fields with Casbin's CSV settings.
func splitLine(line string) ([]string, error) {
	if !strings.Contains(line, `"`) { // no quoting: what csv would return, without its 4 KB buffer
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		return fields, nil
	}
	r := csv.NewReader(strings.NewReader(line))
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	fields, err := r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return fields, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// checkRule validates the fields of a p line after the "p".
func checkRule(pr *problems, o Origin, line string, f []string) (rule, bool) {
	if len(f) != 4 {
		pr.at(o, "p line has %d fields after p, want 4: p, subject, route, permission, allow|deny", len(f))
		return rule{}, false
	}
	before := pr.count
	checkPrincipal(pr, o, "subject", f[0])
	if f[1] == "" {
		pr.at(o, "empty route")
	}
	if f[2] == "" {
		pr.at(o, "empty permission")
	}
	if f[3] != "allow" && f[3] != "deny" {
		pr.at(o, "effect %s must be allow or deny", excerpt(f[3]))
	}
	if pr.count > before {
		return rule{}, false
	}
	return rule{origin: o, text: line, sub: f[0], obj: f[1], act: f[2], deny: f[3] == "deny"}, true
}

// checkGrouping validates the fields of a g line after the "g".
func checkGrouping(pr *problems, o Origin, line string, f []string) (grouping, bool) {
	if len(f) != 2 {
		pr.at(o, "g line has %d fields after g, want 2: g, member, group", len(f))
		return grouping{}, false
	}
	before := pr.count
	checkPrincipal(pr, o, "member", f[0])
	checkPrincipal(pr, o, "group", f[1])
	if f[1] != "" && principals.IsReserved(f[1]) {
		pr.at(o, "group %s is a reserved principal: requests get it from authentication, never from a g line", excerpt(f[1]))
	}
	if f[0] != "" && f[0] == f[1] {
		pr.at(o, "%s is made a member of itself", excerpt(f[0]))
	}
	if pr.count > before {
		return grouping{}, false
	}
	return grouping{origin: o, text: line, member: f[0], group: f[1]}, true
}

// checkPrincipal rejects an empty name and a misspelt system principal, which would never match.
func checkPrincipal(pr *problems, o Origin, what, name string) {
	switch {
	case name == "":
		pr.at(o, "empty %s", what)
	case strings.HasPrefix(name, "system.") && name != principals.Everyone && name != principals.Authenticated:
		pr.at(o, "unknown system principal %q (want %s or %s)", name, principals.Everyone, principals.Authenticated)
	}
}
