package diagram

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Mermaid writes the diagram as a Mermaid flowchart, for GitHub, GitLab and mermaid.live.
func (d *Diagram) Mermaid(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "flowchart TD")
	fmt.Fprintf(b, "    call((\"call\")) --> %s\n", d.Start().ID)
	for _, n := range d.Nodes {
		text := strings.Join(mapStrings(n.lines(), mermaidText), "<br/>")
		switch n.Kind {
		case Errors:
			fmt.Fprintf(b, "    %s{{\"%s\"}}\n", n.ID, text)
		case Exit:
			fmt.Fprintf(b, "    %s([\"%s\"])\n", n.ID, text)
		default:
			fmt.Fprintf(b, "    %s[\"%s\"]\n", n.ID, text)
		}
	}
	for _, e := range d.Edges {
		arrow := "-->"
		switch e.Kind {
		case ErrorFlow:
			arrow = "-.->"
		case Navigation:
			arrow = "-.-"
		}
		if e.Label != "" {
			fmt.Fprintf(b, "    %s %s|\"%s\"| %s\n", e.From, arrow, mermaidText(e.Label), e.To)
		} else {
			fmt.Fprintf(b, "    %s %s %s\n", e.From, arrow, e.To)
		}
	}
	return b.Flush()
}

// lines are what a node's box says, one a line: the name, then for a menu its prompt in
// quotes, its permission and marks, its hours and its navigation keys.
func (n Node) lines() []string {
	out := []string{n.Name}
	if n.Kind != Menu {
		return out
	}
	if n.Prompt != "" {
		out = append(out, wrap("“"+n.Prompt+"”", wrapAt)...)
	}
	out = append(out, n.Marks())
	if n.Hours != "" {
		out = append(out, wrap("hours: "+n.Hours, wrapAt)...)
	}
	if len(n.Keys) > 0 {
		out = append(out, "keys: "+strings.Join(n.Keys, " · "))
	}
	return out
}

// wrapAt is the width, in characters, a node's lines wrap at, to keep the boxes narrow.
const wrapAt = 34

// wrap breaks s into lines of at most width characters, at spaces.
func wrap(s string, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			out = append(out, line)
			line = w
			continue
		}
		line = joinNonEmpty(" ", line, w)
	}
	return append(out, line)
}

// Marks is a menu's permission and its sensitive mark, as one line: "permission: staff ·
// sensitive".
func (n Node) Marks() string {
	s := "permission: " + n.Permission
	if n.Sensitive {
		s += " · sensitive"
	}
	return s
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

func mapStrings(ss []string, f func(string) string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}
