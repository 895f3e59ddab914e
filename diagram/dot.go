package diagram

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DOT writes the diagram in Graphviz's language, with HTML-like labels and each kind's style:
// `switchboard graph --format dot | dot -Tsvg > flow.svg` draws the picture the console shows.
//
// Every node and edge carries an id (the node's ID; "e0", "e1"… for edges) and a class
// ("menu", "exit" or "errors", plus "start" and "sensitive"; "edge-option", "edge-retry"…) that
// Graphviz copies into its SVG (as class="node menu start", class="edge edge-option"), so a page
// can style and find them. The extra node "call" points at the start.
func (d *Diagram) DOT(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "digraph flow {")
	fmt.Fprintln(b, `    graph [rankdir=TB, nodesep=0.3, ranksep=0.45, bgcolor="transparent", fontname="Helvetica"];`)
	fmt.Fprintln(b, `    node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#4a5568", fontname="Helvetica", fontsize=11, margin="0.1,0.05"];`)
	fmt.Fprintln(b, `    edge [fontname="Helvetica", fontsize=9, color="#4a5568", fontcolor="#2d3748", arrowsize=0.7];`)
	fmt.Fprintln(b, `    call [id="call", class="call", shape=circle, style=filled, fillcolor="#2d3748", fontcolor="#ffffff", fontsize=10, label="call", width=0.5, fixedsize=true];`)
	fmt.Fprintf(b, "    call -> %s;\n", d.Start().ID)
	for _, n := range d.Nodes {
		class := [...]string{Menu: "menu", Exit: "exit", Errors: "errors"}[n.Kind]
		attrs := []string{"id=" + dotString(n.ID)}
		switch n.Kind {
		case Exit:
			attrs = append(attrs, `fillcolor="#edf2f7"`, `color="#a0aec0"`)
		case Errors:
			attrs = append(attrs, `shape=hexagon`, `style=filled`, `fillcolor="#fff5f5"`, `color="#c53030"`)
		}
		if n.Start {
			class += " start"
			attrs = append(attrs, "penwidth=2")
		}
		if n.Sensitive {
			class += " sensitive"
			attrs = append(attrs, `color="#c53030"`)
		}
		attrs = append(attrs, "class="+dotString(class), "label="+n.htmlLabel())
		fmt.Fprintf(b, "    %s [%s];\n", n.ID, strings.Join(attrs, ", "))
	}
	for i, e := range d.Edges {
		attrs := []string{"id=" + dotString("e"+strconv.Itoa(i)), "class=" + dotString("edge-"+e.Kind.String())}
		if e.Label != "" {
			attrs = append(attrs, "label="+dotString(" "+e.Label+" "))
		}
		attrs = append(attrs, edgeStyle[e.Kind]...)
		fmt.Fprintf(b, "    %s -> %s [%s];\n", e.From, e.To, strings.Join(attrs, ", "))
	}
	fmt.Fprintln(b, "}")
	return b.Flush()
}

// edgeStyle is how each kind of edge is drawn.
var edgeStyle = [...][]string{
	Go:         nil,
	Option:     {`color="#2b6cb0"`, `fontcolor="#2b6cb0"`},
	Retry:      {`color="#a0aec0"`, `fontcolor="#718096"`, `style=dashed`},
	Exhausted:  {`color="#c05621"`, `fontcolor="#c05621"`},
	Hours:      {`color="#6b46c1"`, `fontcolor="#6b46c1"`},
	NoAnswer:   {`color="#c05621"`, `fontcolor="#c05621"`, `style=dashed`},
	Then:       {`color="#4a5568"`},
	Navigation: {`color="#a0aec0"`, `fontcolor="#718096"`, `style=dotted`, `constraint=false`},
	ErrorFlow:  {`color="#c53030"`, `fontcolor="#c53030"`, `style=dashed`},
}

// String returns the kind's name in lower case, as the edge's SVG class spells it after "edge-".
func (k EdgeKind) String() string {
	return [...]string{Go: "go", Option: "option", Retry: "retry", Exhausted: "exhausted", Hours: "hours",
		NoAnswer: "no-answer", Then: "then", Navigation: "navigation", ErrorFlow: "error"}[k]
}

// String returns the kind's name in lower case, as the node's SVG class spells it.
func (k NodeKind) String() string {
	return [...]string{Menu: "menu", Exit: "exit", Errors: "errors"}[k]
}

// htmlLabel is the node's box as a Graphviz HTML-like label: the name in bold, then the lines.
func (n Node) htmlLabel() string {
	lines := n.lines()
	var b strings.Builder
	b.WriteString(`<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">`)
	fmt.Fprintf(&b, `<TR><TD><B>%s</B></TD></TR>`, htmlText(lines[0]))
	color := "#2d3748" // the prompt's, until the marks
	for _, l := range lines[1:] {
		switch {
		case strings.HasPrefix(l, "permission:") && (n.Sensitive || n.Permission != "view"):
			color = "#c53030"
		case strings.HasPrefix(l, "permission:"):
			color = "#4a5568"
		case strings.HasPrefix(l, "hours:"):
			color = "#6b46c1"
		case strings.HasPrefix(l, "keys:"):
			color = "#718096"
		}
		fmt.Fprintf(&b, `<TR><TD><FONT POINT-SIZE="9" COLOR="%s">%s</FONT></TD></TR>`, color, htmlText(l))
	}
	b.WriteString(`</TABLE>>`)
	return b.String()
}

// htmlText escapes s for a Graphviz HTML-like label.
func htmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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
