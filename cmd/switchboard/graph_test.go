package main

import (
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

// --format svg went with the Graphviz that was built in; asking for it says what replaces it.
func TestGraphSVGSaysWhatReplacesIt(t *testing.T) {
	code, stdout, stderr := runCLI(t, "graph", "--format", "svg")
	if code != 2 || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want a usage error (2) and nothing on stdout", code, stdout)
	}
	for _, want := range []string{"--format svg is gone", "switchboard graph --format dot | dot -Tsvg > flow.svg", "switchboard console"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
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
