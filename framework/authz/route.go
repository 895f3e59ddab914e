package authz

import (
	"fmt"
	"regexp"
	"strings"
)

// paramRe finds ":name" segment parameters, exactly as Casbin's keyMatch2 does.
var paramRe = regexp.MustCompile(`:[^/]+`)

// routePattern is a policy route pattern compiled once. It matches exactly what Casbin's
// keyMatch2 matches; the built-in recompiles its regular expression on every call, and most
// patterns ("/calls", "/ivr/*") need none at all.
type routePattern struct {
	kind patternKind
	lit  string         // the whole route (exact) or its prefix, ending in "/" (prefix)
	re   *regexp.Regexp // regexp only
}

type patternKind uint8

const (
	exactPattern  patternKind = iota // no wildcard, no parameter, no regexp syntax
	prefixPattern                    // "/literal/*"
	regexpPattern                    // anything else
)

// compileRoute compiles a policy route pattern.
func compileRoute(pattern string) (routePattern, error) {
	if !strings.HasPrefix(pattern, "/") {
		return routePattern{}, fmt.Errorf("route %s must start with \"/\"", excerpt(pattern))
	}
	literal := func(s string) bool { return !strings.Contains(s, ":") && regexp.QuoteMeta(s) == s }
	if literal(pattern) {
		return routePattern{kind: exactPattern, lit: pattern}, nil
	}
	if head, ok := strings.CutSuffix(pattern, "*"); ok && strings.HasSuffix(head, "/") && literal(head) {
		return routePattern{kind: prefixPattern, lit: head}, nil
	}
	expr := strings.ReplaceAll(pattern, "/*", "/.*")
	expr = paramRe.ReplaceAllString(expr, "[^/]+")
	re, err := regexp.Compile("^" + expr + "$")
	if err != nil {
		return routePattern{}, fmt.Errorf("route %s is not a valid pattern: %v", excerpt(pattern), unwrapRegexpError(err))
	}
	return routePattern{kind: regexpPattern, re: re}, nil
}

// unwrapRegexpError drops the regexp package's "error parsing regexp: " prefix.
func unwrapRegexpError(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

// match reports whether route matches the pattern.
func (p *routePattern) match(route string) bool {
	switch p.kind {
	case exactPattern:
		return route == p.lit
	case prefixPattern:
		// ".*" does not match a newline; keep keyMatch2's answer for such routes.
		return strings.HasPrefix(route, p.lit) && strings.IndexByte(route[len(p.lit):], '\n') < 0
	default:
		return p.re.MatchString(route)
	}
}
