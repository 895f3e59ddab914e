package authz

import (
	"encoding/csv"
	"errors"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

// rule is a "p" line of the policy.
type rule struct {
	line int
	text string // the line as written, trimmed
	sub  string
	obj  string
	act  string
	deny bool
}

// grouping is a "g" line of the policy.
type grouping struct {
	line   int
	text   string
	member string
	group  string
}

// policy is a parsed, validated policy file.
type policy struct {
	rules     []rule
	groupings []grouping
	routes    map[string]*routePattern // every rule's route pattern, compiled
}

// parsePolicy reads policy text line by line, the way Casbin's adapters do (a line is one CSV
// record; blank lines and lines starting with "#" are skipped), and checks every line against
// Switchboard's model: it reports every problem, each with its line, including those Casbin would
// accept silently (a g line with extra fields, an effect that is neither allow nor deny).
// hasGroups says whether the model has a role definition.
func parsePolicy(file, text string, hasGroups bool) (*policy, error) {
	pr := problems{file: file}
	pol := &policy{routes: map[string]*routePattern{}}
	seen := map[string]int{} // the fields of each line, joined → its line number
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields, err := splitLine(line)
		if err != nil {
			pr.add(n, "%v", err)
			continue
		}
		key := strings.Join(fields, "\x00")
		if first, ok := seen[key]; ok {
			pr.add(n, "duplicate of line %d", first)
			continue
		}
		seen[key] = n
		bad := false
		for j, f := range fields {
			if strings.ContainsFunc(f, isControl) {
				pr.add(n, "field %d contains a control character", j+1)
				bad = true
			}
			if strings.Contains(f, ",") { // Casbin keys its rules by the fields joined with ","
				pr.add(n, "field %d contains a comma", j+1)
				bad = true
			}
		}
		if bad {
			continue
		}
		switch fields[0] {
		case "p":
			if r, ok := checkRule(&pr, n, line, fields[1:]); ok {
				if _, done := pol.routes[r.obj]; !done {
					rp, err := compileRoute(r.obj)
					if err != nil {
						pr.add(n, "%v", err)
						continue
					}
					pol.routes[r.obj] = &rp
				}
				pol.rules = append(pol.rules, r)
			}
		case "g":
			if !hasGroups {
				pr.add(n, "g line, but the model has no [role_definition]")
				continue
			}
			if g, ok := checkGrouping(&pr, n, line, fields[1:]); ok {
				pol.groupings = append(pol.groupings, g)
			}
		default:
			pr.add(n, "unknown section %q: a line starts with p or g", fields[0])
		}
	}
	if len(pr.errs) > 0 {
		return nil, errors.Join(pr.errs...)
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
func checkRule(pr *problems, n int, line string, f []string) (rule, bool) {
	if len(f) != 4 {
		pr.add(n, "p line has %d fields after p, want 4: p, subject, route, permission, allow|deny", len(f))
		return rule{}, false
	}
	before := len(pr.errs)
	checkPrincipal(pr, n, "subject", f[0])
	if f[1] == "" {
		pr.add(n, "empty route")
	}
	if f[2] == "" {
		pr.add(n, "empty permission")
	}
	if f[3] != "allow" && f[3] != "deny" {
		pr.add(n, "effect %q must be allow or deny", f[3])
	}
	if len(pr.errs) > before {
		return rule{}, false
	}
	return rule{line: n, text: line, sub: f[0], obj: f[1], act: f[2], deny: f[3] == "deny"}, true
}

// checkGrouping validates the fields of a g line after the "g".
func checkGrouping(pr *problems, n int, line string, f []string) (grouping, bool) {
	if len(f) != 2 {
		pr.add(n, "g line has %d fields after g, want 2: g, member, group", len(f))
		return grouping{}, false
	}
	before := len(pr.errs)
	checkPrincipal(pr, n, "member", f[0])
	checkPrincipal(pr, n, "group", f[1])
	if f[1] != "" && principals.IsReserved(f[1]) {
		pr.add(n, "group %q is a reserved principal: requests get it from authentication, never from a g line", f[1])
	}
	if f[0] != "" && f[0] == f[1] {
		pr.add(n, "%q is made a member of itself", f[0])
	}
	if len(pr.errs) > before {
		return grouping{}, false
	}
	return grouping{line: n, text: line, member: f[0], group: f[1]}, true
}

// checkPrincipal rejects an empty name and a misspelt system principal, which would never match.
func checkPrincipal(pr *problems, n int, what, name string) {
	switch {
	case name == "":
		pr.add(n, "empty %s", what)
	case strings.HasPrefix(name, "system.") && name != principals.Everyone && name != principals.Authenticated:
		pr.add(n, "unknown system principal %q (want %s or %s)", name, principals.Everyone, principals.Authenticated)
	}
}
