package flow

import (
	"slices"
	"strconv"
	"strings"
)

// refusals reports the forbidden, unauthenticated and denied flows that can lead a refused caller back
// into a refusal with no input in between: a caller refused at a menu hears the flow that
// applies there, which sends them (by goto, or by redirect to a path of this flow) to a menu
// where they can be refused again, whose flow sends them on, and so on back to the first: Twilio
// would redirect them forever, on the owner's minutes.
//
// A menu where a refused caller cannot be refused again — one that opts.Open says the policy
// opens to every caller — breaks such a loop; without opts.Open any menu may refuse. Going to a
// menu that refuses is fine when that menu's own flow does not lead back.
func (c *checker) refusals(g *graph) {
	base := c.f.basePath()
	mayRefuse := func(name string) bool {
		n := c.f.Menus[name]
		if n == nil {
			return false
		}
		return c.opts.Open == nil || !c.opts.Open(routePath(base, name), n.permission())
	}
	reported := map[string]bool{} // error flows' paths: one flow can start many loops
	for _, kind := range []ErrorKind{Forbidden, Unauthenticated, Denied} {
		// next[a] lists the menus where a caller refused at a may be refused next, with the
		// field path of the error flow that sends them there.
		type hop struct{ to, path string }
		next := map[string][]hop{}
		for _, name := range sortedKeys(c.f.Menus) {
			src, used, ok := c.refusalFlow(name, kind)
			if !ok {
				continue
			}
			for _, e := range g.edges {
				if e.Kind != EdgeError || e.From != src || e.Label != used.String() || e.to == "" {
					continue
				}
				for _, to := range g.autoReach(e.to) {
					if mayRefuse(to) {
						next[name] = append(next[name], hop{to, e.path})
					}
				}
			}
		}
		for _, start := range sortedKeys(next) {
			cycle, first, ok := cycleThrough(start, func(at string) []hop { return next[at] }, func(h hop) string { return h.to })
			if !ok || reported[first.path] {
				continue
			}
			reported[first.path] = true
			names := make([]string, len(cycle))
			for i, n := range cycle {
				names[i] = strconv.Quote(n)
			}
			who, instead := "a caller refused at", "dial or hang up instead, or go to a menu every caller may use"
			switch kind {
			case Unauthenticated:
				who = "an unauthenticated caller at"
			case Denied:
				who, instead = "a caller a deny line refused at", "say something and hang up instead"
			}
			c.errorf(first.path, "%s %q hears this flow, which leads back into a refusal (%s), forever: %s",
				who, start, strings.Join(names, " → "), instead)
		}
	}
}

// cycleThrough finds a shortest cycle from start back to start along next (breadth-first),
// returning its nodes (start first and last) and the first hop taken.
func cycleThrough[H any](start string, next func(string) []H, to func(H) string) (cycle []string, first H, ok bool) {
	type visit struct {
		prev  string
		first H
	}
	seen := map[string]visit{}
	var queue []string
	last := ""
	for _, h := range next(start) {
		if to(h) == start {
			return []string{start, start}, h, true
		}
		if _, dup := seen[to(h)]; !dup {
			seen[to(h)] = visit{start, h}
			queue = append(queue, to(h))
		}
	}
	for len(queue) > 0 && last == "" {
		at := queue[0]
		queue = queue[1:]
		for _, h := range next(at) {
			if to(h) == start {
				last = at
				break
			}
			if _, dup := seen[to(h)]; !dup {
				seen[to(h)] = visit{at, seen[at].first}
				queue = append(queue, to(h))
			}
		}
	}
	if last == "" {
		return nil, first, false
	}
	cycle = []string{start}
	for at := last; at != start; at = seen[at].prev {
		cycle = append(cycle, at)
	}
	cycle = append(cycle, start)
	slices.Reverse(cycle)
	return cycle, seen[last].first, true
}

// refusalFlow returns where the error flow of kind that a refusal at menu name's routes plays is
// defined — the menu itself, a by_prefix entry, the top level — and the kind it was set as (an
// unset unauthenticated flow is the forbidden one; denied never falls back); ok is false for
// the built-in flow, which leads nowhere. It follows the compiler's resolution (see [Compiled.ErrorFlow]).
func (c *checker) refusalFlow(name string, kind ErrorKind) (src Target, used ErrorKind, ok bool) {
	route := routePath(c.f.basePath(), name)
	best := ""
	for prefix := range c.f.Errors.ByPrefix {
		if underPrefix(route, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	chain := []ErrorKind{kind}
	if kind == Unauthenticated {
		chain = append(chain, Forbidden)
	}
	for _, k := range chain {
		if n := c.f.Menus[name]; n != nil && n.Errors != nil && n.Errors.kinds()[k] != nil {
			return Target{TargetNode, name}, k, true
		}
		if e := c.f.Errors.ByPrefix[best]; best != "" && e != nil && e.kinds()[k] != nil {
			return Target{TargetErrors, best}, k, true
		}
		if c.f.Errors.kinds()[k] != nil {
			return Target{TargetErrors, ""}, k, true
		}
	}
	return Target{}, 0, false
}

// autoReach returns the menus a call at menu name reaches with no input from the caller: name,
// then every menu along edges followed without input.
func (g *graph) autoReach(name string) []string {
	seen := map[string]bool{name: true}
	out := []string{name}
	for i := 0; i < len(out); i++ {
		for _, j := range g.from[out[i]] {
			if e := g.edges[j]; e.auto && e.to != "" && !seen[e.to] {
				seen[e.to] = true
				out = append(out, e.to)
			}
		}
	}
	return out
}

// permission returns the permission the node's routes ask for.
func (n *Node) permission() string {
	if n.Permission == "" {
		return DefaultPermission
	}
	return n.Permission
}

// localNode returns the menu whose route (its own, or one of its sub-routes) a redirect to a
// path on this server reaches, or "" when it names no route of this flow.
func (g *graph) localNode(target string) string {
	if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") {
		return ""
	}
	path, _, _ := strings.Cut(target, "?")
	path, _, _ = strings.Cut(path, "#")
	rest, ok := strings.CutPrefix(path, g.f.basePath()+"/")
	if !ok {
		return ""
	}
	if _, ok := g.f.Menus[rest]; ok {
		return rest
	}
	if i := strings.LastIndexByte(rest, '/'); i > 0 {
		for _, s := range routeSuffixes {
			if rest[i+1:] == s {
				if _, ok := g.f.Menus[rest[:i]]; ok {
					return rest[:i]
				}
			}
		}
	}
	return ""
}
