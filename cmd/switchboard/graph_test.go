package main

import (
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/framework/flow"
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
	for _, want := range []string{`|"invalid"|`, `|"no input"|`, `|"exhausted"|`, `|"closed"|`, `|"no answer"|`, `|"then"|`, `-.->|"forbidden"|`, `-.->|"not_found"|`, `-.->|"internal"|`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %s edge in:\n%s", want, stdout)
		}
	}
}

func TestGraphQuotesNamesNeitherLanguageAcceptsBare(t *testing.T) {
	edges := []flow.Edge{
		{From: "es/main", To: `say "hi" & <go> #1 | end`, Kind: flow.EdgeOption, Label: `"*"`},
		{From: "es/main", To: `back\slash`, Kind: flow.EdgeGoto},
	}
	d := newDiagram("es/main", edges)
	var mm, dot strings.Builder
	d.mermaid(&mm)
	d.dot(&dot)
	for _, want := range []string{
		`n0["es/main"]`,
		`n1["say #34;hi#34; #38; #60;go#62; #35;1 #124; end"]`,
		`n0 -->|"#34;*#34;"| n1`,
	} {
		if !strings.Contains(mm.String(), want) {
			t.Errorf("mermaid: no %s in:\n%s", want, mm.String())
		}
	}
	for _, want := range []string{
		`n1 [label="say \"hi\" & <go> #1 | end"];`,
		`n2 [label="back\\slash"];`,
		`n0 -> n1 [label="\"*\""];`,
	} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("dot: no %s in:\n%s", want, dot.String())
		}
	}
}

func TestGraphUsage(t *testing.T) {
	tests := []struct {
		name  string
		given []string
		code  int
	}{
		{"UnknownFormatIsAUsageError", []string{"--format", "svg"}, 2},
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
