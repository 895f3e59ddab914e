package flow

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// EdgeKind says why a call can move along an [Edge].
type EdgeKind string

// The kinds of edge.
const (
	EdgeGoto       EdgeKind = "goto"        // a node's own goto, dial, record, enqueue, redirect or hangup
	EdgeOption     EdgeKind = "option"      // the caller chose an option (Label is its key)
	EdgeInvalid    EdgeKind = "invalid"     // an invalid choice: the gather again (a self edge)
	EdgeNoInput    EdgeKind = "no_input"    // silence: the gather again (a self edge)
	EdgeExhausted  EdgeKind = "exhausted"   // too many invalid choices or silences
	EdgeOpen       EdgeKind = "open"        // hours: open
	EdgeClosed     EdgeKind = "closed"      // hours: closed
	EdgeNoAnswer   EdgeKind = "no_answer"   // a dial was not answered
	EdgeThen       EdgeKind = "then"        // after a recording
	EdgeError      EdgeKind = "error"       // an error flow (Label is the ErrorKind)
	EdgePINRight   EdgeKind = "pin_right"   // a pin node's PIN was right
	EdgePINFailed  EdgeKind = "pin_failed"  // a pin node's PIN was wrong too often, or the caller is locked out
	EdgeAgent      EdgeKind = "agent"       // a node hands the call to an agent (To is TargetAgent)
	EdgeAgentEnd   EdgeKind = "agent_end"   // an agent session ended with a handoff value (Label is its on_end key)
	EdgeAgentError EdgeKind = "agent_error" // an agent session failed
	EdgeFetchError EdgeKind = "fetch_error" // a node's fetch failed: its on_error
	EdgeCase       EdgeKind = "case"        // a switch case held (Label is its index, from 0)
	EdgeDefault    EdgeKind = "default"     // no case of a switch held
)

// OtherLabel is the Label of the EdgeOption a gather's other takes: input that matches no option.
const OtherLabel = "(other)"

// Edge is one way a call can move, for drawing the flow. From is a node, or the error flows
// defined outside any node (TargetErrors); To is a node or where the call leaves the flow.
// Navigation keys are not edges.
type Edge struct {
	From, To Target
	Label    string // EdgeOption: the option's key; EdgeError: the ErrorKind; else empty
	Kind     EdgeKind
	Language string // the language the call switches to along this edge (Action.SetLanguage); else empty
}

// Target is one end of an [Edge]: a node of the flow, the error flows defined outside any node,
// or where a call leaves the flow. Value depends on Kind.
type Target struct {
	Kind  TargetKind
	Value string
}

// TargetKind says what a [Target] is, and what its Value holds.
type TargetKind uint8

// The kinds of target.
const (
	TargetNode     TargetKind = iota // a node: Value is its name
	TargetErrors                     // the top-level error flows (Value "") or a by_prefix entry's (Value is the prefix)
	TargetDial                       // a dial: Value is the number (call_center resolved when the flow sets one)
	TargetRecord                     // a recording: Value is ""
	TargetQueue                      // an enqueue: Value is the queue's name
	TargetRedirect                   // a redirect out of the flow or to a path on this server: Value is the URL or path
	TargetHangup                     // the call ends: Value is ""
	TargetAgent                      // an AI agent: Value is its wss:// URL
)

// String names the target the way a diagram labels it: a node's name, or in parentheses what is
// not a node: "(errors)", "(errors /ivr/es)", "(dial +15555550100)", "(record)",
// "(queue support)", "(redirect https://…)", "(hangup)".
func (t Target) String() string {
	if t.Kind == TargetNode {
		return t.Value
	}
	if t.Value == "" {
		return "(" + t.Kind.String() + ")"
	}
	return "(" + t.Kind.String() + " " + t.Value + ")"
}

var targetKindNames = [...]string{TargetNode: "node", TargetErrors: "errors", TargetDial: "dial",
	TargetRecord: "record", TargetQueue: "queue", TargetRedirect: "redirect", TargetHangup: "hangup", TargetAgent: "agent"}

// String returns the kind's name: "node", "errors", "dial", "record", "queue", "redirect",
// "hangup" or "agent".
func (k TargetKind) String() string {
	if int(k) < len(targetKindNames) {
		return targetKindNames[k]
	}
	return "TargetKind(" + strconv.Itoa(int(k)) + ")"
}

// Node returns the name of the node the target is, or "" when it is not a node.
func (t Target) Node() string {
	if t.Kind != TargetNode {
		return ""
	}
	return t.Value
}

func parens(what, value string) string {
	if value == "" {
		return "(" + what + ")"
	}
	return "(" + what + " " + value + ")"
}

// graph is a flow's edges with what validation needs: the field path that made each edge, and
// whether the call follows it without passing through a gather.
type graph struct {
	f      *Flow
	edges  []gedge
	from   map[string][]int  // edge indexes by the node they leave
	parent map[string]string // the static parent used by "back"
}

type gedge struct {
	Edge
	from, to string // the nodes the edge joins; "" for an end that is not a node
	path     string
	auto     bool // followed with no caller input in between
}

func buildGraph(f *Flow) *graph {
	g := &graph{f: f}
	for _, name := range sortedKeys(f.Menus) {
		n := f.Menus[name]
		if n == nil {
			continue
		}
		p := joinKey("menus", name)
		if fe := n.Fetch; fe != nil {
			fp := joinKey(joinKey(p, "fetch"), "on_error")
			if fe.OnError != nil {
				g.action(Target{TargetNode, name}, fp, fe.OnError, EdgeFetchError, "", true)
			} else {
				g.add(Target{TargetNode, name}, Target{TargetErrors, ""}, EdgeFetchError, Internal.String(), joinKey(p, "fetch"), true)
			}
		}
		h := n.Hours
		if h != nil {
			hp := joinKey(p, "hours")
			g.action(Target{TargetNode, name}, joinKey(hp, "closed"), h.Closed, EdgeClosed, "", true)
			if h.Open != nil {
				g.action(Target{TargetNode, name}, joinKey(hp, "open"), h.Open, EdgeOpen, "", true)
				continue
			}
		}
		g.action(Target{TargetNode, name}, p, &n.Action, EdgeGoto, "", true)
	}
	g.errorEdges(Target{TargetErrors, ""}, "errors", &f.Errors)
	for _, prefix := range sortedKeys(f.Errors.ByPrefix) {
		if e := f.Errors.ByPrefix[prefix]; e != nil {
			g.errorEdges(Target{TargetErrors, prefix}, joinKey(joinKey("errors", "by_prefix"), prefix), e)
		}
	}
	for _, name := range sortedKeys(f.Menus) {
		if n := f.Menus[name]; n != nil && n.Errors != nil {
			g.errorEdges(Target{TargetNode, name}, joinKey(joinKey("menus", name), "errors"), n.Errors)
		}
	}
	g.from = make(map[string][]int, len(f.Menus))
	for i, e := range g.edges {
		if e.from != "" {
			g.from[e.from] = append(g.from[e.from], i)
		}
	}
	g.parent = g.parents(f.Start)
	return g
}

// defaultTarget is where an exhausted gather without its own exhausted goes.
func defaultTarget(f *Flow) Target {
	if f.CallCenter != "" {
		return Target{TargetDial, f.CallCenter}
	}
	return Target{TargetHangup, ""}
}

func (g *graph) errorEdges(from Target, path string, e *ErrorFlows) {
	for k, a := range e.kinds() {
		kind := ErrorKind(k).String()
		g.action(from, joinKey(path, kind), a, EdgeError, kind, false)
	}
}

func (g *graph) add(from, to Target, kind EdgeKind, label, path string, auto bool) {
	e := gedge{Edge: Edge{From: from, To: to, Label: label, Kind: kind}, path: path, auto: auto}
	e.from, e.to = from.Node(), to.Node()
	g.edges = append(g.edges, e)
}

// action adds the edges of one destination or node body, with one case for each kind of step.
// auto says the call follows them with no input from the caller.
func (g *graph) action(from Target, path string, a *Action, kind EdgeKind, label string, auto bool) {
	if a == nil {
		return
	}
	switch a.Do.(type) {
	case *Gather, *PIN, *Switch: // no edge of their own: the caller's choice comes later
	default:
		if a.SetLanguage == "" {
			break
		}
		// The switch rides on the edge that takes the action, the first this call adds (the
		// step's own edge, before its no_answer or then).
		first := len(g.edges)
		defer func() {
			if first < len(g.edges) {
				g.edges[first].Language = a.SetLanguage
			}
		}()
	}
	if a.Do == nil {
		if a.SetLanguage != "" { // a language switch re-enters the menu (from an error flow, start)
			to := from
			if from.Kind != TargetNode {
				to = Target{TargetNode, g.f.Start}
			}
			g.add(from, to, kind, label, joinKey(path, "language"), auto)
			return
		}
		g.add(from, Target{TargetHangup, ""}, kind, label, path, auto)
		return
	}
	sp := joinKey(path, a.Do.Kind().String())
	switch s := a.Do.(type) {
	case *Gather:
		for _, key := range sortedKeys(s.Options) {
			o := s.Options[key]
			g.action(from, joinKey(joinKey(sp, "options"), key), &o, EdgeOption, key, false)
		}
		if s.Other != nil {
			g.action(from, joinKey(sp, "other"), s.Other, EdgeOption, OtherLabel, false)
		}
		g.add(from, from, EdgeInvalid, "", sp, false)
		g.add(from, from, EdgeNoInput, "", sp, false)
		if s.Exhausted != nil {
			g.action(from, joinKey(sp, "exhausted"), s.Exhausted, EdgeExhausted, "", false)
		} else {
			g.add(from, defaultTarget(g.f), EdgeExhausted, "", sp, false)
		}
	case Goto:
		g.add(from, Target{TargetNode, string(s)}, kind, label, sp, auto)
	case *Dial:
		number := s.Number
		if number == CallCenter && g.f.CallCenter != "" {
			number = g.f.CallCenter
		}
		g.add(from, Target{TargetDial, number}, kind, label, sp, auto)
		if s.NoAnswer != nil {
			g.action(from, joinKey(sp, "no_answer"), s.NoAnswer, EdgeNoAnswer, "", auto)
		}
	case *Record:
		g.add(from, Target{TargetRecord, ""}, kind, label, sp, auto)
		if s.Then != nil {
			g.action(from, joinKey(sp, "then"), s.Then, EdgeThen, "", auto)
		}
	case *Enqueue:
		g.add(from, Target{TargetQueue, s.Name}, kind, label, sp, auto)
	case Redirect:
		g.add(from, Target{TargetRedirect, string(s)}, kind, label, sp, auto)
		// A redirect to a route of this flow goes to its menu as a goto does.
		g.edges[len(g.edges)-1].to = g.localNode(string(s))
	case Hangup:
		g.add(from, Target{TargetHangup, ""}, kind, label, path, auto)
	case *PIN:
		g.action(from, joinKey(sp, "then"), s.Then, EdgePINRight, "", false)
		if s.Failed != nil {
			g.action(from, joinKey(sp, "failed"), s.Failed, EdgePINFailed, "", false)
		} else {
			g.add(from, Target{TargetHangup, ""}, EdgePINFailed, "", sp, false)
		}
	case *Agent:
		url := s.Relay
		if url == "" {
			url = s.Stream
		}
		g.add(from, Target{TargetAgent, url}, EdgeAgent, "", sp, auto)
		for _, key := range sortedKeys(s.OnEnd) {
			d := s.OnEnd[key]
			g.action(from, joinKey(joinKey(sp, "on_end"), key), &d, EdgeAgentEnd, key, false)
		}
		if s.OnError != nil {
			g.action(from, joinKey(sp, "on_error"), s.OnError, EdgeAgentError, "", false)
		} else {
			g.add(from, Target{TargetErrors, ""}, EdgeAgentError, Internal.String(), sp, false)
		}
	case *Switch:
		for i := range s.Cases {
			g.action(from, joinKey(joinIndex(joinKey(sp, "cases"), i), "then"), s.Cases[i].Then, EdgeCase, strconv.Itoa(i), auto)
		}
		g.action(from, joinKey(sp, "default"), s.Default, EdgeDefault, "", auto)
	}
}

// parents walks breadth-first from start along every edge but error flows, visiting a node's
// edges in order (hours, then options by key), and records where each node was first reached
// from.
func (g *graph) parents(start string) map[string]string {
	out := map[string]string{start: ""}
	queue := []string{start}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		for _, i := range g.from[from] {
			e := g.edges[i]
			if e.Kind == EdgeError || e.to == "" {
				continue
			}
			if _, seen := out[e.to]; !seen {
				out[e.to] = from
				queue = append(queue, e.to)
			}
		}
	}
	return out
}

// graph reports the graph's problems: unreachable nodes and loops without a gather.
func (c *checker) graph(g *graph) {
	reached := map[string]bool{}
	for n := range g.parent {
		reached[n] = true
	}
	// Error flows can start anywhere, so what they lead to is reachable too, and so is what the
	// flow's other entries lead to.
	var queue []string
	for _, e := range c.f.Entries {
		if _, ok := c.f.Menus[e]; ok && !reached[e] {
			reached[e] = true
			queue = append(queue, e)
		}
	}
	for _, e := range g.edges {
		if e.Kind == EdgeError && e.to != "" && !reached[e.to] {
			reached[e.to] = true
			queue = append(queue, e.to)
		}
	}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		for _, i := range g.from[from] {
			if e := g.edges[i]; e.to != "" && !reached[e.to] {
				reached[e.to] = true
				queue = append(queue, e.to)
			}
		}
	}
	c.refusals(g)
	_, started := c.f.Menus[c.f.Start]
	for _, name := range sortedKeys(c.f.Menus) {
		if started && !reached[name] {
			p := joinKey("menus", name)
			c.probs = append(c.probs, Problem{Pos: c.f.pos.atKey(p), Path: p, Warning: true,
				Message: fmt.Sprintf("no path from start %q reaches menu %q (list it under entries if calls enter it from outside)", c.f.Start, name)})
		}
	}
	for _, cyc := range g.autoCycles() {
		names := make([]string, len(cyc))
		for i, e := range cyc {
			names[i] = strconv.Quote(e.from)
		}
		names = append(names, strconv.Quote(cyc[0].from))
		c.errorf(cyc[len(cyc)-1].path, "menus %s loop forever with no gather between them: Twilio would redirect without end", strings.Join(names, " → "))
	}
}

// autoCycles returns one cycle, as its edges, for every strongly connected set of nodes joined by
// edges a call follows with no input (Tarjan's algorithm). Each cycle starts at its
// alphabetically first node.
func (g *graph) autoCycles() [][]gedge {
	out := map[string][]gedge{}
	for _, e := range g.edges {
		if e.auto && e.to != "" {
			out[e.from] = append(out[e.from], e)
		}
	}
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var sccs [][]string
	var strong func(v string)
	strong = func(v string) {
		index[v] = len(index)
		low[v] = index[v]
		stack = append(stack, v)
		onStack[v] = true
		for _, e := range out[v] {
			if _, seen := index[e.to]; !seen {
				strong(e.to)
				low[v] = min(low[v], low[e.to])
			} else if onStack[e.to] {
				low[v] = min(low[v], index[e.to])
			}
		}
		if low[v] == index[v] {
			var scc []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				scc = append(scc, w)
				if w == v {
					break
				}
			}
			sccs = append(sccs, scc)
		}
	}
	for _, v := range sortedKeys(out) {
		if _, seen := index[v]; !seen {
			strong(v)
		}
	}
	var cycles [][]gedge
	for _, scc := range sccs {
		slices.Sort(scc)
		in := map[string]bool{}
		for _, v := range scc {
			in[v] = true
		}
		first := scc[0]
		// Breadth-first inside the component from its first node back to itself.
		prev := map[string]gedge{}
		queue := []string{first}
		found := false
		for len(queue) > 0 && !found {
			v := queue[0]
			queue = queue[1:]
			for _, e := range out[v] {
				if !in[e.to] {
					continue
				}
				if e.to == first {
					prev[first] = e
					found = true
					break
				}
				if _, seen := prev[e.to]; !seen {
					prev[e.to] = e
					queue = append(queue, e.to)
				}
			}
		}
		if !found {
			continue // a single node without a self edge
		}
		var cyc []gedge
		for e := prev[first]; ; e = prev[e.from] {
			cyc = append(cyc, e)
			if e.from == first {
				break
			}
		}
		slices.Reverse(cyc)
		cycles = append(cycles, cyc)
	}
	slices.SortFunc(cycles, func(a, b []gedge) int { return strings.Compare(a[0].from, b[0].from) })
	return cycles
}
