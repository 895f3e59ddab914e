package flowtest

import (
	"strings"

	"github.com/switchboard-ivr/switchboard/framework/flow"
)

// Coverage says which menus, options and error flows of one flow the calls reached.
type Coverage struct {
	// Flow names the flow: its file, or "the built-in demo flow".
	Flow string
	// Menus are the flow's nodes, each with the calls a route of it answered (without an error
	// flow); Options the gather options, named "menu key", with the calls that chose them;
	// ErrorFlows the error flows the flow defines, named "kind at menu", "kind at the top level"
	// or "kind under /prefix", with the calls that heard them. Each is in the flow's order.
	Menus, Options, ErrorFlows []Covered

	f *flow.Compiled
}

// Covered is one thing of a flow and how many calls reached it.
type Covered struct {
	Name  string
	Calls int
}

// Reached returns how many of items the calls reached.
func Reached(items []Covered) int {
	n := 0
	for _, it := range items {
		if it.Calls > 0 {
			n++
		}
	}
	return n
}

// Never returns the names of the items no call reached.
func Never(items []Covered) []string {
	var out []string
	for _, it := range items {
		if it.Calls == 0 {
			out = append(out, it.Name)
		}
	}
	return out
}

func newCoverage(name string, f *flow.Compiled) *Coverage {
	c := &Coverage{Flow: name, f: f}
	seen := map[string]bool{}
	for _, rt := range f.Routes() {
		if !seen[rt.Node] {
			seen[rt.Node] = true
			c.Menus = append(c.Menus, Covered{Name: rt.Node})
		}
	}
	for _, e := range f.Edges() {
		switch e.Kind {
		case flow.EdgeOption:
			c.Options = append(c.Options, Covered{Name: e.From.Node() + " " + e.Label})
		case flow.EdgeError:
			c.ErrorFlows = append(c.ErrorFlows, Covered{Name: errorFlowName(e.Label, e.From)})
		}
	}
	return c
}

// errorFlowName names the error flow of kind that scope defines: a node's, the flow's own
// (flow.TargetErrors with no Value), or a by_prefix entry's (its Value is the prefix).
func errorFlowName(kind string, scope flow.Target) string {
	switch {
	case scope.Kind == flow.TargetErrors && scope.Value == "":
		return kind + " at the top level"
	case scope.Kind == flow.TargetErrors:
		return kind + " under " + scope.Value
	}
	return kind + " at " + scope.Node()
}

// add counts what one call reached; each thing counts once per call.
func (c *Coverage) add(r *Result) {
	menus, options, errs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, q := range r.Heard.Requests {
		switch {
		case q.ErrorFlow != "":
			errs[c.heardFrom(q.Path, q.Node, q.ErrorFlow)] = true
		case q.Node != "":
			menus[q.Node] = true
			if q.Option != "" {
				options[q.Node+" "+q.Option] = true
			}
		}
	}
	count(c.Menus, menus)
	count(c.Options, options)
	count(c.ErrorFlows, errs)
}

func count(items []Covered, hit map[string]bool) {
	for i := range items {
		if hit[items[i].Name] {
			items[i].Calls++
		}
	}
}

// heardFrom names the defined error flow that answered a request for path (a route of node, or
// none) with kind, in the order flow.Compiled.ErrorFlow looks for one: the node's, the longest
// by_prefix entry's, the flow's; an unauthenticated flow nobody defines falls back to the
// forbidden one. A kind only the built-in flow answers names nothing defined.
func (c *Coverage) heardFrom(path, node, kind string) string {
	for _, k := range []string{kind, "forbidden"} {
		if t := (flow.Target{Kind: flow.TargetNode, Value: node}); node != "" && c.defines(k, t) {
			return errorFlowName(k, t)
		}
		best := ""
		for _, e := range c.f.Edges() {
			if e.Kind != flow.EdgeError || e.Label != k || e.From.Kind != flow.TargetErrors || e.From.Value == "" {
				continue
			}
			prefix := e.From.Value
			if (path == prefix || strings.HasPrefix(path, prefix+"/")) && len(prefix) > len(best) {
				best = prefix
			}
		}
		if best != "" {
			return errorFlowName(k, flow.Target{Kind: flow.TargetErrors, Value: best})
		}
		if top := (flow.Target{Kind: flow.TargetErrors}); c.defines(k, top) {
			return errorFlowName(k, top)
		}
		if kind != "unauthenticated" {
			break
		}
	}
	return ""
}

func (c *Coverage) defines(kind string, scope flow.Target) bool {
	for _, e := range c.f.Edges() {
		if e.Kind == flow.EdgeError && e.Label == kind && e.From == scope {
			return true
		}
	}
	return false
}
