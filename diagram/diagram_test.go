package diagram_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
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
	svg, err := d.SVG(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"mermaid": mm.String(), "dot": dot.String(), "svg": string(svg)}
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
			// Option 3 says the hours and comes back; invalid, silence and every navigation
			// key of the start menu lead back to it too.
			if want := "3, invalid, no input, * repeat, 8 back, 9 main"; e.Label != want {
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
		{"errors /ivr/es", diagram.Node{Kind: diagram.Errors}},
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

// svgDoc is the part of Graphviz's SVG the console relies on: a group per node and edge, with
// the id and class the DOT gave it.
type svgDoc struct {
	Groups []struct {
		ID    string `xml:"id,attr"`
		Class string `xml:"class,attr"`
		Title string `xml:"title"`
	} `xml:"g>g"`
}

func TestSVGKeepsIDsAndClassesForThePage(t *testing.T) {
	d := demo(t)
	svg, err := d.SVG(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var doc svgDoc
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the SVG does not parse: %v", err)
	}
	classes := map[string]string{}
	for _, g := range doc.Groups {
		classes[g.ID] = g.Class
	}
	for _, n := range d.Nodes {
		want := "node " + n.Kind.String()
		if got := classes[n.ID]; !strings.HasPrefix(got, want) {
			t.Errorf("node %s (%s): class %q, want it to start with %q", n.ID, n.Name, got, want)
		}
	}
	staff, _ := d.Node("staff")
	if !strings.Contains(classes[staff.ID], "sensitive") {
		t.Errorf("staff's class %q lacks sensitive", classes[staff.ID])
	}
	if got := classes["e0"]; !strings.HasPrefix(got, "edge edge-") {
		t.Errorf("edge e0: class %q", got)
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
		"svg":     {`redirect https://example.com/x?a=1&amp;b=&lt;2&gt;`},
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

func BenchmarkSVG(b *testing.B) {
	f, _ := flow.Parse("demo.yaml", []byte(switchboard.DemoFlow), nil)
	c, _ := flow.Compile(f, nil)
	d := diagram.New(f, c)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.SVG(context.Background()); err != nil {
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
