package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/switchboard-ivr/switchboard/diagram"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

func init() {
	commands = append(commands, command{
		name:  "graph",
		usage: "graph [--flow FILE] [--format mermaid|dot]",
		run:   runGraph,
	})
}

const graphUsage = `usage: switchboard graph [--flow FILE] [--format mermaid|dot]

graph prints the call flow as a diagram. Each menu is a box with what the caller hears first,
the permission it asks for, its marks (sensitive: the keys typed there are masked, here as
everywhere), its business hours and the navigation keys it understands. Arrows are the options
(keys and words), and the ways a call goes when things do not go to plan: an invalid choice or
silence (one loop per menu, with the repeat key), too many of either (exhausted), closed hours,
a dial nobody answered, the back and main keys (dotted), and the error flows (dashed). Rounded
grey boxes are where a call leaves the flow (a dial, a queue, a recording, a hang-up).

  --format mermaid   for GitHub, GitLab and mermaid.live (the default)
  --format dot       for Graphviz: switchboard graph --format dot | dot -Tsvg > flow.svg

For a picture with nothing installed, open switchboard console: your browser lays it out.

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
	switch *format {
	case "mermaid", "dot":
	case "svg":
		// switchboard no longer carries a layout engine (see DESIGN.md, "Graphviz left the
		// binary"); say what replaces the format that went.
		return usageError(stderr, "graph", graphUsage, "--format svg is gone: lay the DOT out with Graphviz (switchboard graph --format dot | dot -Tsvg > flow.svg), or open switchboard console, which draws it in your browser")
	default:
		return usageError(stderr, "graph", graphUsage, "--format must be mermaid or dot, not %q", *format)
	}
	// A diagram calls no backend: a backend URL from an unset ${NAME} loads, as in a sandbox.
	f, problems := loadFlow(*flowFile, &flow.Options{Env: sandbox.Getenv})
	if err := problems.Err(); err != nil {
		fmt.Fprintln(stderr, problems.String())
		return 1
	}
	c, err := flow.Compile(f, nil)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard graph: %v\n", err)
		return 1
	}
	d := diagram.New(f, c)
	switch *format {
	case "dot":
		err = d.DOT(stdout)
	default:
		err = d.Mermaid(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "switchboard graph: %v\n", err)
		return 1
	}
	return 0
}
