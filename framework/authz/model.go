package authz

import "strings"

// The parts of Switchboard's model that the authorizer relies on. Only the matcher may differ
// from the default model.conf, and it must keep comparing principals by name through
// hasPrincipal: the decision cache leaves out principals the policy never names.
const (
	wantRequest  = "sub, obj, act"
	wantPolicy   = "sub, obj, act, eft"
	wantRole     = "_, _"
	wantEffect   = "some(where (p.eft == allow)) && !some(where (p.eft == deny))"
	wantPrincipl = "hasPrincipal(r.sub, p.sub)"
)

// modelDef is one "key = value" of the model, with the line it starts on.
type modelDef struct {
	line  int
	value string
}

// modelInfo is what checkModel learnt from the model text.
type modelInfo struct {
	hasGroups   bool
	matcherLine int
}

var sectionKeys = map[string]string{
	"request_definition": "r",
	"policy_definition":  "p",
	"role_definition":    "g",
	"policy_effect":      "e",
	"matchers":           "m",
}

// checkModel reads model text with the rules of Casbin's config parser (sections in brackets,
// "key = value" lines, "#" and ";" comments, "\" continues a line) and checks that it is
// Switchboard's model, reporting every problem with its line.
func checkModel(file, text string) (modelInfo, error) {
	pr := problems{source: file}
	defs := map[string]modelDef{}
	section, pending, start := "", "", 0
	flush := func() {
		if pending == "" {
			return
		}
		key, value, ok := strings.Cut(pending, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		pending = ""
		switch {
		case !ok:
			pr.add(start, "want \"key = value\", got %s", excerpt(key))
		case section == "":
			pr.add(start, "%s is outside any [section]", excerpt(key))
		case sectionKeys[section] == "":
			// the unknown section is reported already
		case sectionKeys[section] != key:
			pr.add(start, "[%s] takes only %s = …, got %s", section, sectionKeys[section], excerpt(key))
		default:
			if prev, dup := defs[key]; dup {
				pr.add(start, "%s is defined again (first on line %d)", key, prev.line)
				return
			}
			defs[key] = modelDef{line: start, value: value}
		}
	}
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
			flush()
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			flush()
			section = line[1 : len(line)-1]
			if _, ok := sectionKeys[section]; !ok {
				pr.add(n, "unknown section %s", excerpt("["+section+"]"))
			}
		default:
			if pending == "" {
				start = n
			}
			cont := strings.HasSuffix(line, "\\")
			if cont {
				line = strings.TrimSpace(strings.TrimSuffix(line, "\\")) + " "
			}
			if i := strings.IndexAny(line, "#;"); i >= 0 {
				line = line[:i]
			}
			pending += line
			if !cont {
				flush()
			}
		}
	}
	flush()

	check := func(key, section, want string) {
		d, ok := defs[key]
		switch {
		case !ok:
			pr.add(0, "missing [%s] %s = %s", section, key, want)
		case d.value != want:
			pr.add(d.line, "%s must be %q, got %q", key, want, d.value)
		}
	}
	check("r", "request_definition", wantRequest)
	check("p", "policy_definition", wantPolicy)
	check("e", "policy_effect", wantEffect)
	info := modelInfo{}
	if _, ok := defs["g"]; ok {
		check("g", "role_definition", wantRole)
		info.hasGroups = true
	}
	if m, ok := defs["m"]; !ok {
		pr.add(0, "missing [matchers] m = …")
	} else {
		info.matcherLine = m.line
		if strings.Count(m.value, "r.sub") != 1 || !strings.Contains(m.value, wantPrincipl) {
			pr.add(m.line, "the matcher must use r.sub only in %s", wantPrincipl)
		}
	}
	return info, pr.err()
}
