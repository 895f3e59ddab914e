package main

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"
)

func TestGraph(t *testing.T) {
	tests := []struct {
		name   string
		given  []string
		golden string
	}{
		{"DemoAsMermaid", nil, "demo.mermaid"},
		{"DemoAsDot", []string{"--format", "dot"}, "demo.dot"},
		{"DemoFileAsMermaid", []string{"--flow", "../../demo.yaml", "--format", "mermaid"}, "demo.mermaid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"graph"}, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden(t, "testdata/graph/"+tt.golden, stdout)
		})
	}
}

func TestGraphDrawsTheUnhappyPaths(t *testing.T) {
	_, stdout, _ := runCLI(t, "graph")
	for _, want := range []string{`|"invalid, no input, * repeat"|`, `|"exhausted"|`, `|"closed"|`, `|"no answer"|`, `|"then"|`,
		`-.-|"8 back, 9 main"|`, `-.->|"forbidden"|`, `-.->|"not_found"|`, `-.->|"unauthenticated, forbidden, internal"|`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %s edge in:\n%s", want, stdout)
		}
	}
}

func TestGraphSVGIsAPictureOfTheFlow(t *testing.T) {
	code, stdout, stderr := runCLI(t, "graph", "--format", "svg")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		XMLName xml.Name
		Titles  []string `xml:"g>g>title"`
	}
	if err := xml.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if doc.XMLName.Local != "svg" || !slices.Contains(doc.Titles, "n0") {
		t.Errorf("want an <svg> with a node titled n0; got <%s> with %v", doc.XMLName.Local, doc.Titles)
	}
}

func TestGraphUsage(t *testing.T) {
	tests := []struct {
		name  string
		given []string
		code  int
	}{
		{"UnknownFormatIsAUsageError", []string{"--format", "png"}, 2},
		{"BrokenFlowExitsOne", []string{"--flow", "testdata/validate/broken.yaml"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, _ := runCLI(t, append([]string{"graph"}, tt.given...)...); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
		})
	}
}

func TestGraphDrawsThePINMenuWithoutThePIN(t *testing.T) {
	code, stdout, stderr := runCLI(t, "graph")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`staff_login<br/>permission: staff_login`, `|"PIN right"|`, `|"PIN wrong"|`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("graph lacks %s", want)
		}
	}
	if strings.Contains(stdout, "2468") || strings.Contains(stdout, "$2a$") {
		t.Error("graph shows the demo's PIN or its hash")
	}
}
