package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/switchboard-ivr/switchboard/framework/flow"
)

func init() {
	commands = append(commands, command{
		name:  "graph",
		usage: "graph [--flow FILE] [--format mermaid|dot]",
		run:   runGraph,
	})
}

const graphUsage = `usage: switchboard graph [--flow FILE] [--format mermaid|dot]

graph prints the call flow as a diagram: every menu, where each option goes, and the edges
callers take when things do not go to plan: an invalid choice, no input, too many of either
(exhausted), closed hours, a dial nobody answered, and the error flows (dashed). Boxes are menus;
rounded boxes are where a call leaves the flow (a dial, a queue, a recording, a hang-up).

  --format mermaid   for GitHub, GitLab and mermaid.live (the default)
  --format dot       for Graphviz: switchboard graph --format dot | dot -Tsvg > flow.svg

Exit status: 0, 1 when the flow does not load, 2 on a usage error.
`

// runGraph implements `switchboard graph`.
func runGraph(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flowFile := fs.String("flow", "", "flow `file`; the built-in demo when empty")
	format := fs.String("format", "mermaid", "mermaid or dot")
	if code, ok := parseFlags(fs, args, graphUsage, stdout, stderr); !ok {
		return code
	}
	if *format != "mermaid" && *format != "dot" {
		return usageError(stderr, "graph", graphUsage, "--format must be mermaid or dot, not %q", *format)
	}
	f, problems := loadFlow(*flowFile, nil)
	if err := problems.Err(); err != nil {
		fmt.Fprintln(stderr, problems.String())
		return 1
	}
	c, err := flow.Compile(f, nil)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard graph: %v\n", err)
		return 1
	}
	g := newDiagram(f.Start, c.Edges())
	if *format == "dot" {
		g.dot(stdout)
	} else {
		g.mermaid(stdout)
	}
	return 0
}

// diagram is a flow's nodes, each with an id valid in both languages, and its edges.
type diagram struct {
	start string
	nodes []string       // in order: the start node, then as the edges first mention them
	ids   map[string]int // node name → index in nodes
	edges []flow.Edge
}

func newDiagram(start string, edges []flow.Edge) *diagram {
	d := &diagram{start: start, ids: map[string]int{}, edges: edges}
	d.node(start)
	for _, e := range edges {
		d.node(e.From)
		d.node(e.To)
	}
	return d
}

func (d *diagram) node(name string) {
	if _, ok := d.ids[name]; !ok {
		d.ids[name] = len(d.nodes)
		d.nodes = append(d.nodes, name)
	}
}

// id is the node's identifier: n0, n1… Names hold "/", spaces and "+", which neither mermaid
// nor dot accept bare, and mermaid reserves words such as "end"; the name goes in the label.
func (d *diagram) id(name string) string { return "n" + strconv.Itoa(d.ids[name]) }

// label is what an edge says: the option key, or why the call moves.
func label(e flow.Edge) string {
	switch e.Kind {
	case flow.EdgeOption, flow.EdgeError:
		return e.Label
	case flow.EdgeGoto:
		return ""
	case flow.EdgeNoInput:
		return "no input"
	case flow.EdgeNoAnswer:
		return "no answer"
	}
	return string(e.Kind)
}

// pseudo reports whether name is not a menu: "(dial …)", "(hangup)", "(errors)".
func pseudo(name string) bool { return strings.HasPrefix(name, "(") }

// errorSource reports whether name stands for the error flows defined outside any menu.
func errorSource(name string) bool { return strings.HasPrefix(name, "(errors") }

func (d *diagram) mermaid(w io.Writer) {
	fmt.Fprintln(w, "flowchart TD")
	fmt.Fprintf(w, "    call((\"call\")) --> %s\n", d.id(d.start))
	for _, n := range d.nodes {
		text := mermaidText(strings.Trim(n, "()"))
		switch {
		case errorSource(n):
			fmt.Fprintf(w, "    %s{{\"%s\"}}\n", d.id(n), text)
		case pseudo(n):
			fmt.Fprintf(w, "    %s([\"%s\"])\n", d.id(n), text)
		default:
			fmt.Fprintf(w, "    %s[\"%s\"]\n", d.id(n), text)
		}
	}
	for _, e := range d.edges {
		arrow := "-->"
		if e.Kind == flow.EdgeError {
			arrow = "-.->"
		}
		if l := label(e); l != "" {
			fmt.Fprintf(w, "    %s %s|\"%s\"| %s\n", d.id(e.From), arrow, mermaidText(l), d.id(e.To))
		} else {
			fmt.Fprintf(w, "    %s %s %s\n", d.id(e.From), arrow, d.id(e.To))
		}
	}
}

// mermaidText escapes s for a quoted mermaid label. Mermaid has no backslash escapes: it reads
// entity codes such as #34; instead, and treats a backquote as the start of markdown.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"', '#', '&', '<', '>', '|', '`':
			fmt.Fprintf(&b, "#%d;", r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (d *diagram) dot(w io.Writer) {
	fmt.Fprintln(w, "digraph flow {")
	fmt.Fprintln(w, "    node [shape=box, fontname=\"Helvetica\"];")
	fmt.Fprintln(w, "    edge [fontname=\"Helvetica\"];")
	fmt.Fprintln(w, "    call [shape=circle, label=\"call\"];")
	fmt.Fprintf(w, "    call -> %s;\n", d.id(d.start))
	for _, n := range d.nodes {
		attrs := ""
		switch {
		case errorSource(n):
			attrs = ", shape=hexagon"
		case pseudo(n):
			attrs = ", style=rounded"
		}
		fmt.Fprintf(w, "    %s [label=%s%s];\n", d.id(n), dotString(strings.Trim(n, "()")), attrs)
	}
	for _, e := range d.edges {
		var attrs []string
		if l := label(e); l != "" {
			attrs = append(attrs, "label="+dotString(l))
		}
		if e.Kind == flow.EdgeError {
			attrs = append(attrs, "style=dashed")
		}
		if len(attrs) > 0 {
			fmt.Fprintf(w, "    %s -> %s [%s];\n", d.id(e.From), d.id(e.To), strings.Join(attrs, ", "))
		} else {
			fmt.Fprintf(w, "    %s -> %s;\n", d.id(e.From), d.id(e.To))
		}
	}
	fmt.Fprintln(w, "}")
}

// dotString quotes s as a DOT string. Inside quotes only \" is an escape for the parser, but
// labels give \n, \l, \r and \N meaning, so a backslash is doubled too.
func dotString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
