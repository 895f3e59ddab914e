package diagram_test

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/diagram"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func load(t *testing.T, name, text string) *diagram.Diagram {
	t.Helper()
	f, problems := flow.Parse(name, []byte(text), nil)
	if err := problems.Err(); err != nil {
		t.Fatal(err)
	}
	c, err := flow.Compile(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	return diagram.New(f, c)
}

func demo(t *testing.T) *diagram.Diagram { return load(t, "demo.yaml", switchboard.DemoFlow) }

// render returns the diagram in every format.
func render(t *testing.T, d *diagram.Diagram) map[string]string {
	t.Helper()
	var mm, dot bytes.Buffer
	if err := d.Mermaid(&mm); err != nil {
		t.Fatal(err)
	}
	if err := d.DOT(&dot); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"mermaid": mm.String(), "dot": dot.String()}
}

func TestDemoGolden(t *testing.T) {
	out := render(t, demo(t))
	for _, format := range []string{"mermaid", "dot"} {
		path := filepath.Join("testdata", "demo."+format)
		if *update {
			if err := os.WriteFile(path, []byte(out[format]), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if out[format] != string(want) {
			t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", format, path, out[format])
		}
	}
}

func TestSensitiveOptionKeysAreMaskedInEveryFormat(t *testing.T) {
	for format, text := range render(t, demo(t)) {
		for _, key := range []string{"0101", "0102"} {
			if strings.Contains(text, key) {
				t.Errorf("%s shows the staff menu's key %s", format, key)
			}
		}
		if !strings.Contains(text, diagram.Masked) {
			t.Errorf("%s has no masked option", format)
		}
	}
}

func TestEveryMenuHasAtMostOneLoop(t *testing.T) {
	d := demo(t)
	loops := map[string]int{}
	for _, e := range d.Edges {
		if e.From == e.To {
			loops[e.From]++
		}
	}
	for id, n := range loops {
		if n > 1 {
			t.Errorf("node %s has %d self edges; their labels would overlap", id, n)
		}
	}
	welcome, _ := d.Node("welcome")
	for _, e := range d.Edges {
		if e.From == welcome.ID && e.To == welcome.ID {
			// Option 3 says the hours and comes back, option 5 switches to Spanish and comes
			// back (its label says so); invalid, silence and every navigation key of the start
			// menu lead back too.
			if want := "3, 5 → es-MX, invalid, no input, * repeat, 8 back, 9 main"; e.Label != want {
				t.Errorf("welcome's loop says %q, want %q", e.Label, want)
			}
		}
	}
}

func TestMenusCarryPromptPermissionMarksHoursAndKeys(t *testing.T) {
	d := demo(t)
	tests := []struct {
		name string
		want diagram.Node
	}{
		{"welcome", diagram.Node{Kind: diagram.Menu, Start: true, Route: "/ivr/welcome", Prompt: "For sales, press 1. For support, press 2. For our hours, press…",
			Permission: "view", Keys: []string{"* repeat", "8 back", "9 main"}}},
		{"staff", diagram.Node{Kind: diagram.Menu, Route: "/ivr/staff", Prompt: "Staff line. Enter the four digit extension.",
			Permission: "staff", Sensitive: true, Keys: []string{"* repeat", "8 back", "9 main"}}},
		{"sales", diagram.Node{Kind: diagram.Menu, Route: "/ivr/sales", Prompt: "Connecting you to sales.", Permission: "view",
			Hours: "Mon-Fri 09:00-17:00, Sat 10:00-14:00 (America/New_York), closed 2 holidays"}},
		{"dial +15555550112", diagram.Node{Kind: diagram.Exit}},
		{"errors", diagram.Node{Kind: diagram.Errors}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := d.Node(tt.name)
			if !ok {
				t.Fatalf("no node %q", tt.name)
			}
			tt.want.ID, tt.want.Name = got.ID, tt.name
			if got.Kind != tt.want.Kind || got.Start != tt.want.Start || got.Route != tt.want.Route || got.Prompt != tt.want.Prompt ||
				got.Permission != tt.want.Permission || got.Sensitive != tt.want.Sensitive || got.Hours != tt.want.Hours ||
				strings.Join(got.Keys, "|") != strings.Join(tt.want.Keys, "|") {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestTheBackKeyLeadsToTheParentMenu(t *testing.T) {
	d := demo(t)
	support, _ := d.Node("support")
	welcome, _ := d.Node("welcome")
	for _, e := range d.Edges {
		if e.From == support.ID && e.Kind == diagram.Navigation {
			if e.To != welcome.ID || e.Label != "8 back, 9 main" {
				t.Errorf("support's navigation edge goes to %s saying %q", e.To, e.Label)
			}
			return
		}
	}
	t.Error("support has no navigation edge")
}

// statement matches one node or edge statement of the DOT: "n3 [id=…" or "n0 -> n1 [id=…".
var statement = regexp.MustCompile(`^    (\w+)(?: -> (\w+))? \[id="([^"]*)",.*? class="([^"]*)"`)

// The console finds nodes and edges in Graphviz's SVG by the id and class the DOT gives them
// (the browser test checks that Graphviz copies them); every node and edge must carry both.
func TestEveryNodeAndEdgeCarriesItsIDAndClass(t *testing.T) {
	d := demo(t)
	var dot bytes.Buffer
	if err := d.DOT(&dot); err != nil {
		t.Fatal(err)
	}
	nodes, edges := map[string]string{}, map[string]string{}
	for _, line := range strings.Split(dot.String(), "\n") {
		m := statement.FindStringSubmatch(line)
		switch {
		case m == nil:
		case m[2] == "":
			if m[1] != m[3] {
				t.Errorf("node %s has id %q", m[1], m[3])
			}
			nodes[m[3]] = m[4]
		default:
			edges[m[3]] = m[1] + "->" + m[2] + " " + m[4]
		}
	}
	for _, n := range d.Nodes {
		want := n.Kind.String()
		if n.Start {
			want += " start"
		}
		if n.Sensitive {
			want += " sensitive"
		}
		if got, ok := nodes[n.ID]; got != want {
			t.Errorf("node %s (%s): class %q (found: %v), want %q", n.ID, n.Name, got, ok, want)
		}
	}
	staff, _ := d.Node("staff")
	if nodes[staff.ID] != "menu sensitive" {
		t.Errorf("staff's class is %q, want menu sensitive", nodes[staff.ID])
	}
	if len(edges) != len(d.Edges) {
		t.Errorf("%d edge statements with an id, want %d", len(edges), len(d.Edges))
	}
	for i, e := range d.Edges {
		id := "e" + strconv.Itoa(i)
		if want := e.From + "->" + e.To + " edge-" + e.Kind.String(); edges[id] != want {
			t.Errorf("edge %s: %q, want %q", id, edges[id], want)
		}
	}
}

func TestLabelsAreEscapedForEachLanguage(t *testing.T) {
	d := load(t, "odd.yaml", `
version: 1
start: a
menus:
  a:
    say: 'Say "hi" & <go> #1 | end \n'
    gather:
      prompt: Press 1.
      options:
        "1": {redirect: "https://example.com/x?a=1&b=<2>"}
`)
	out := render(t, d)
	for format, wants := range map[string][]string{
		"mermaid": {`n0["a<br/>“Press 1.”<br/>`, `(["redirect https://example.com/x?a=1#38;b=#60;2#62;"])`},
		"dot":     {`<B>redirect https://example.com/x?a=1&amp;b=&lt;2&gt;</B>`, `label=" 1 "`},
	} {
		for _, want := range wants {
			if !strings.Contains(out[format], want) {
				t.Errorf("%s: no %s in:\n%s", format, want, out[format])
			}
		}
	}
}

func TestShorten(t *testing.T) {
	tests := []struct{ given, want string }{
		{"Short.", "Short."},
		{"  spaced\n  out  ", "spaced out"},
		{"For sales, press 1. For support, press 2. For our hours, press 3.", "For sales, press 1. For…"},
		{"Unbrokenwordthatgoesonandonandon", "Unbrokenwordthatgoesonand…"},
	}
	for _, tt := range tests {
		if got := diagram.Shorten(tt.given, 26); got != tt.want {
			t.Errorf("Shorten(%q, 26) = %q, want %q", tt.given, got, tt.want)
		}
	}
}

func BenchmarkDOT(b *testing.B) {
	f, _ := flow.Parse("demo.yaml", []byte(switchboard.DemoFlow), nil)
	c, _ := flow.Compile(f, nil)
	d := diagram.New(f, c)
	b.ReportAllocs()
	for b.Loop() {
		if err := d.DOT(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// An agent node draws its agent, each on_end value as its own labelled edge, and its failure.
func TestAgentNodeDrawsItsHandoffEdges(t *testing.T) {
	d := load(t, "agent.yaml", `version: 1
start: assistant
call_center: "+15555550100"
agents: {hosts: [agent.example.com]}
menus:
  assistant:
    agent:
      relay: wss://agent.example.com/relay
      on_end:
        transfer: {dial: call_center}
        default: bye
      on_error: bye
  bye: {say: Goodbye., hangup: true}
`)
	a, _ := d.Node("assistant")
	want := map[string]bool{"agent wss://agent.example.com/relay/": true, "dial +15555550100/agent: transfer": true, "bye/agent: default": true, "bye/agent failed": true}
	for _, e := range d.Edges {
		if e.From != a.ID {
			continue
		}
		for _, n := range d.Nodes {
			if n.ID == e.To {
				delete(want, n.Name+"/"+e.Label)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("edges missing from the agent node: %v\n%+v", want, d.Edges)
	}
}
