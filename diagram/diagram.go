package diagram

import (
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-ivr/switchboard/framework/flow"
)

// NodeKind says what a [Node] stands for.
type NodeKind uint8

// The kinds of node.
const (
	Menu   NodeKind = iota // a node of the flow, served at its route
	Exit                   // where a call leaves the flow: a dial, a queue, a recording, a redirect, a hang-up
	Errors                 // the error flows defined outside any menu: "errors", "errors /ivr/es"
)

// EdgeKind says why a call moves along an [Edge]; each kind is drawn in its own style.
type EdgeKind uint8

// The kinds of edge.
const (
	Go         EdgeKind = iota // what a node does on entry: goto, dial, record, enqueue, redirect, hang-up
	Option                     // the caller chose an option; Label holds the keys and words
	Retry                      // a self edge: an invalid choice, silence, the repeat key
	Exhausted                  // too many invalid choices or silences
	Hours                      // business hours: open or closed
	NoAnswer                   // a dial nobody answered
	Then                       // after a recording
	Navigation                 // the back and main keys
	ErrorFlow                  // an error flow; Label is the kind, such as "forbidden"
)

// Masked is what a diagram shows instead of an option key of a sensitive menu.
const Masked = "••••"

// maxPrompt is how many characters of a prompt a node shows.
const maxPrompt = 64

// Node is one box of the diagram.
type Node struct {
	ID         string   // n0, n1…: valid bare in Mermaid and DOT, and the id of its SVG group
	Name       string   // the menu's name, or what an exit does: "dial +15555550100", "hangup"
	Kind       NodeKind //
	Start      bool     // calls enter here
	Route      string   // a menu's route, such as "/ivr/welcome"; empty for other kinds
	Prompt     string   // what a menu's caller hears first, shortened; may be empty
	Permission string   // the permission a menu asks for ("view" unless it sets one)
	Sensitive  bool     // the menu's digits are never shown or logged
	Hours      string   // a menu's business hours: "Mon-Fri 09:00-17:00 (America/New_York)"; empty for none
	Keys       []string // the navigation keys a menu's gather understands: "* repeat", "8 back", "9 main"
}

// Edge is one arrow. Parallel edges of the same kind are merged into one whose Label lists them.
type Edge struct {
	From, To string // node IDs
	Kind     EdgeKind
	Label    string
}

// Diagram is a flow drawn as nodes and edges. Build one with [New]; it is immutable.
type Diagram struct {
	Nodes   []Node // the start menu first, then in the order the edges reach them
	Edges   []Edge
	targets map[flow.Target]int // the flow's end of an edge → index in Nodes
	names   map[string]int      // Node.Name → index in Nodes; a menu wins over an exit of the same name
}

// New draws the compiled flow c, whose source f gives the nodes' prompts, permissions and marks.
func New(f *flow.Flow, c *flow.Compiled) *Diagram {
	d := &Diagram{targets: map[flow.Target]int{}, names: map[string]int{}}
	start := flow.Target{Kind: flow.TargetNode, Value: f.Start}
	d.add(start, f, c)
	edges := c.Edges()
	for _, e := range edges {
		d.add(e.From, f, c)
		d.add(e.To, f, c)
	}
	d.Nodes[0].Start = true

	type key struct {
		from, to flow.Target
		kind     EdgeKind
	}
	merged := map[key]int{} // index in d.Edges
	switchTo := ""          // the language the edge being added switches the call to
	add := func(from, to flow.Target, kind EdgeKind, label string) {
		if switchTo != "" {
			// A language switch says where it goes: "5 → es-MX".
			label = joinNonEmpty(" ", label, "→ "+switchTo)
		}
		if from == to {
			// One loop per menu, whatever brings the call back: loops drawn apart overlap
			// their labels.
			kind = Retry
		}
		k := key{from, to, kind}
		if i, ok := merged[k]; ok {
			if label != "" && !slices.Contains(strings.Split(d.Edges[i].Label, ", "), label) {
				d.Edges[i].Label = joinNonEmpty(", ", d.Edges[i].Label, label)
			}
			return
		}
		merged[k] = len(d.Edges)
		d.Edges = append(d.Edges, Edge{From: d.id(from), To: d.id(to), Kind: kind, Label: label})
	}
	nav := f.Navigation
	for _, e := range edges {
		n := f.Menus[e.From.Node()]
		switchTo = e.Language
		switch e.Kind {
		case flow.EdgeOption:
			add(e.From, e.To, Option, optionLabel(n, e.Label))
		case flow.EdgeInvalid:
			add(e.From, e.To, Retry, "invalid")
		case flow.EdgeNoInput:
			add(e.From, e.To, Retry, "no input")
			if g := gatherOf(n); g != nil && dtmf(g) {
				// Navigation keys, after the retries, in the order a caller learns them.
				if nav.Repeat != "" {
					add(e.From, e.From, Retry, nav.Repeat+" repeat")
				}
				back := e.From // at the start node, back repeats
				if p := c.Parent(e.From.Node()); p != "" {
					back = flow.Target{Kind: flow.TargetNode, Value: p}
				}
				if nav.Back != "" {
					add(e.From, back, Navigation, nav.Back+" back")
				}
				if nav.Main != "" {
					add(e.From, start, Navigation, nav.Main+" main")
				}
			}
		case flow.EdgeExhausted:
			add(e.From, e.To, Exhausted, "exhausted")
		case flow.EdgeOpen:
			add(e.From, e.To, Hours, "open")
		case flow.EdgeClosed:
			add(e.From, e.To, Hours, "closed")
		case flow.EdgeNoAnswer:
			add(e.From, e.To, NoAnswer, "no answer")
		case flow.EdgeThen:
			add(e.From, e.To, Then, "then")
		case flow.EdgePINRight:
			add(e.From, e.To, Then, "PIN right")
		case flow.EdgePINFailed:
			add(e.From, e.To, Exhausted, "PIN wrong")
		case flow.EdgeAgentEnd:
			add(e.From, e.To, Then, "agent: "+e.Label)
		case flow.EdgeAgentError:
			add(e.From, e.To, ErrorFlow, "agent failed")
		case flow.EdgeFetchError:
			add(e.From, e.To, ErrorFlow, "fetch failed")
		case flow.EdgeCase:
			add(e.From, e.To, Option, caseLabel(n, e.Label))
		case flow.EdgeDefault:
			add(e.From, e.To, Option, "default")
		case flow.EdgeError:
			add(e.From, e.To, ErrorFlow, e.Label)
		default:
			add(e.From, e.To, Go, "")
		}
	}
	return d
}

// Node returns the node named name: a menu's name, or an exit's such as "dial +15555550100".
func (d *Diagram) Node(name string) (Node, bool) {
	i, ok := d.names[name]
	if !ok {
		return Node{}, false
	}
	return d.Nodes[i], true
}

// Start returns the node calls enter.
func (d *Diagram) Start() Node { return d.Nodes[0] }

// add adds the node of a target, once, described from the flow.
func (d *Diagram) add(t flow.Target, f *flow.Flow, c *flow.Compiled) {
	if _, ok := d.targets[t]; ok {
		return
	}
	i := len(d.Nodes)
	d.targets[t] = i
	n := Node{ID: "n" + strconv.Itoa(i), Name: strings.Trim(t.String(), "()")}
	switch t.Kind {
	case flow.TargetNode:
		n.Kind, n.Name = Menu, t.Value
		if m := f.Menus[t.Value]; m != nil {
			describe(&n, m, f, c)
		}
	case flow.TargetErrors:
		n.Kind = Errors
	default:
		n.Kind = Exit
	}
	if j, taken := d.names[n.Name]; !taken || d.Nodes[j].Kind != Menu && n.Kind == Menu {
		d.names[n.Name] = i
	}
	d.Nodes = append(d.Nodes, n)
}

func (d *Diagram) id(t flow.Target) string { return d.Nodes[d.targets[t]].ID }

// describe fills in what the flow says about a menu.
func describe(n *Node, m *flow.Node, f *flow.Flow, c *flow.Compiled) {
	n.Route = c.BasePath() + "/" + n.Name
	n.Permission = m.Permission
	if n.Permission == "" {
		n.Permission = flow.DefaultPermission
	}
	n.Sensitive = m.Sensitive
	prompts := m.Say
	if g := gatherOf(m); g != nil && len(g.Prompt) > 0 {
		prompts = g.Prompt
	}
	n.Prompt = Shorten(firstSay(prompts), maxPrompt)
	if h := m.Hours; h != nil {
		n.Hours = strings.Join(h.Weekly, ", ") + " (" + h.Timezone + ")"
		if len(h.Holidays) > 0 {
			n.Hours += ", closed " + strconv.Itoa(len(h.Holidays)) + " holiday"
			if len(h.Holidays) > 1 {
				n.Hours += "s"
			}
		}
	}
	if g := gatherOf(m); g != nil && dtmf(g) {
		nav := f.Navigation
		for _, k := range [][2]string{{nav.Repeat, "repeat"}, {nav.Back, "back"}, {nav.Main, "main"}} {
			if k[0] != "" {
				n.Keys = append(n.Keys, k[0]+" "+k[1])
			}
		}
	}
}

// gatherOf returns the node's gather, or nil when it has none.
func gatherOf(n *flow.Node) *flow.Gather {
	if n == nil {
		return nil
	}
	g, _ := n.Do.(*flow.Gather)
	return g
}

// dtmf reports whether a gather listens for keys, and so understands navigation keys.
func dtmf(g *flow.Gather) bool { return g.Input == "" || g.Input == "dtmf" || g.Input == "both" }

// optionLabel is what an option's edge says: its key, masked on a sensitive menu, and the words
// that choose it.
func optionLabel(n *flow.Node, key string) string {
	if n == nil {
		return key
	}
	if n.Sensitive {
		return Masked
	}
	g := gatherOf(n)
	if g == nil {
		return key
	}
	words := g.Synonyms[key]
	if len(words) == 0 {
		return key
	}
	return key + " or “" + Shorten(strings.Join(words, ", "), 24) + "”"
}

// firstSay returns the text of the first prompt that says something, or "(audio)" for a play.
func firstSay(ps flow.Prompts) string {
	for _, p := range ps {
		switch {
		case p.Say != "":
			return p.Say
		case p.Play != "":
			return "(audio)"
		}
	}
	return ""
}

// Shorten returns s on one line, cut at a word boundary to at most max characters with "…".
func Shorten(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max-1])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// caseLabel describes switch case i of menu n: "balance < 0".
func caseLabel(n *flow.Node, i string) string {
	if n == nil {
		return "case " + i
	}
	s, ok := n.Do.(*flow.Switch)
	k, err := strconv.Atoi(i)
	if !ok || err != nil || k < 0 || k >= len(s.Cases) {
		return "case " + i
	}
	return s.On + " " + s.Cases[k].String()
}
