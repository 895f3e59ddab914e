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
	EdgeGoto      EdgeKind = "goto"      // a node's own goto, dial, record, enqueue, redirect or hangup
	EdgeOption    EdgeKind = "option"    // the caller chose an option (Label is its key)
	EdgeInvalid   EdgeKind = "invalid"   // an invalid choice: the gather again (a self edge)
	EdgeNoInput   EdgeKind = "no_input"  // silence: the gather again (a self edge)
	EdgeExhausted EdgeKind = "exhausted" // too many invalid choices or silences
	EdgeOpen      EdgeKind = "open"      // hours: open
	EdgeClosed    EdgeKind = "closed"    // hours: closed
	EdgeNoAnswer  EdgeKind = "no_answer" // a dial was not answered
	EdgeThen      EdgeKind = "then"      // after a recording
	EdgeError     EdgeKind = "error"     // an error flow (Label is the ErrorKind)
)

// Edge is one way a call can move, for drawing the flow. From and To are node names, or for
// what is not a node a description in parentheses: "(dial +15555550100)", "(queue support)",
// "(redirect https://…)", "(hangup)"; error flows defined at the top level come from "(errors)"
// or "(errors /ivr/es)". Navigation keys are not edges.
type Edge struct {
	From, To string
	Label    string
	Kind     EdgeKind
}

// graph is a flow's edges with what validation needs: the field path that made each edge, and
// whether the call follows it without passing through a gather.
type graph struct {
	f      *Flow
	edges  []gedge
	from   map[string][]int  // edge indexes by From
	parent map[string]string // the static parent used by "back"
}

type gedge struct {
	Edge
	path string
	auto bool // followed with no caller input in between
}

func buildGraph(f *Flow) *graph {
	g := &graph{f: f}
	for _, name := range sortedKeys(f.Menus) {
		n := f.Menus[name]
		if n == nil {
			continue
		}
		p := joinKey("menus", name)
		h := n.Hours
		if h != nil {
			hp := joinKey(p, "hours")
			g.action(name, joinKey(hp, "closed"), h.Closed, EdgeClosed, "", true)
			if h.Open != nil {
				g.action(name, joinKey(hp, "open"), h.Open, EdgeOpen, "", true)
				continue
			}
		}
		g.action(name, p, &n.Action, EdgeGoto, "", true)
	}
	g.errorEdges("(errors)", "errors", &f.Errors)
	for _, prefix := range sortedKeys(f.Errors.ByPrefix) {
		if e := f.Errors.ByPrefix[prefix]; e != nil {
			g.errorEdges("(errors "+prefix+")", joinKey(joinKey("errors", "by_prefix"), prefix), e)
		}
	}
	for _, name := range sortedKeys(f.Menus) {
		if n := f.Menus[name]; n != nil && n.Errors != nil {
			g.errorEdges(name, joinKey(joinKey("menus", name), "errors"), n.Errors)
		}
	}
	g.from = make(map[string][]int, len(f.Menus))
	for i, e := range g.edges {
		g.from[e.From] = append(g.from[e.From], i)
	}
	g.parent = g.parents(f.Start)
	return g
}

func defaultTarget(f *Flow) string {
	if f.CallCenter != "" {
		return "(dial " + f.CallCenter + ")"
	}
	return "(hangup)"
}

func (g *graph) errorEdges(from, path string, e *ErrorFlows) {
	for k, a := range e.kinds() {
		kind := ErrorKind(k).String()
		g.action(from, joinKey(path, kind), a, EdgeError, kind, false)
	}
}

func (g *graph) add(from, to string, kind EdgeKind, label, path string, auto bool) {
	g.edges = append(g.edges, gedge{Edge{From: from, To: to, Label: label, Kind: kind}, path, auto})
}

// action adds the edges of one destination or node body, with one case for each kind of step.
// auto says the call follows them with no input from the caller.
func (g *graph) action(from, path string, a *Action, kind EdgeKind, label string, auto bool) {
	if a == nil {
		return
	}
	if a.Do == nil {
		g.add(from, "(hangup)", kind, label, path, auto)
		return
	}
	sp := joinKey(path, a.Do.Kind().String())
	switch s := a.Do.(type) {
	case *Gather:
		for _, key := range sortedKeys(s.Options) {
			o := s.Options[key]
			g.action(from, joinKey(joinKey(sp, "options"), key), &o, EdgeOption, key, false)
		}
		g.add(from, from, EdgeInvalid, "", sp, false)
		g.add(from, from, EdgeNoInput, "", sp, false)
		if s.Exhausted != nil {
			g.action(from, joinKey(sp, "exhausted"), s.Exhausted, EdgeExhausted, "", false)
		} else {
			g.add(from, defaultTarget(g.f), EdgeExhausted, "", sp, false)
		}
	case Goto:
		g.add(from, string(s), kind, label, sp, auto)
	case *Dial:
		number := s.Number
		if number == CallCenter && g.f.CallCenter != "" {
			number = g.f.CallCenter
		}
		g.add(from, "(dial "+number+")", kind, label, sp, auto)
		if s.NoAnswer != nil {
			g.action(from, joinKey(sp, "no_answer"), s.NoAnswer, EdgeNoAnswer, "", auto)
		}
	case *Record:
		g.add(from, "(record)", kind, label, sp, auto)
		if s.Then != nil {
			g.action(from, joinKey(sp, "then"), s.Then, EdgeThen, "", auto)
		}
	case *Enqueue:
		g.add(from, "(queue "+s.Name+")", kind, label, sp, auto)
	case Redirect:
		g.add(from, "(redirect "+string(s)+")", kind, label, sp, auto)
	case Hangup:
		g.add(from, "(hangup)", kind, label, path, auto)
	default:
		g.add(from, "("+a.Do.Kind().String()+")", kind, label, sp, auto)
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
			if e.Kind == EdgeError || isPseudo(e.To) {
				continue
			}
			if _, seen := out[e.To]; !seen {
				out[e.To] = from
				queue = append(queue, e.To)
			}
		}
	}
	return out
}

func isPseudo(name string) bool { return strings.HasPrefix(name, "(") }

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
		if e.Kind == EdgeError && !isPseudo(e.To) && !reached[e.To] {
			reached[e.To] = true
			queue = append(queue, e.To)
		}
	}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		for _, i := range g.from[from] {
			if e := g.edges[i]; !isPseudo(e.To) && !reached[e.To] {
				reached[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
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
			names[i] = strconv.Quote(e.From)
		}
		names = append(names, strconv.Quote(cyc[0].From))
		c.errorf(cyc[len(cyc)-1].path, "menus %s loop forever with no gather between them: Twilio would redirect without end", strings.Join(names, " → "))
	}
}

// autoCycles returns one cycle, as its edges, for every strongly connected set of nodes joined by
// edges a call follows with no input (Tarjan's algorithm). Each cycle starts at its
// alphabetically first node.
func (g *graph) autoCycles() [][]gedge {
	out := map[string][]gedge{}
	for _, e := range g.edges {
		if e.auto && !isPseudo(e.To) {
			out[e.From] = append(out[e.From], e)
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
			if _, seen := index[e.To]; !seen {
				strong(e.To)
				low[v] = min(low[v], low[e.To])
			} else if onStack[e.To] {
				low[v] = min(low[v], index[e.To])
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
				if !in[e.To] {
					continue
				}
				if e.To == first {
					prev[first] = e
					found = true
					break
				}
				if _, seen := prev[e.To]; !seen {
					prev[e.To] = e
					queue = append(queue, e.To)
				}
			}
		}
		if !found {
			continue // a single node without a self edge
		}
		var cyc []gedge
		for e := prev[first]; ; e = prev[e.From] {
			cyc = append(cyc, e)
			if e.From == first {
				break
			}
		}
		slices.Reverse(cyc)
		cycles = append(cycles, cyc)
	}
	slices.SortFunc(cycles, func(a, b []gedge) int { return strings.Compare(a[0].From, b[0].From) })
	return cycles
}
