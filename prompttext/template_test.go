package prompttext_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/prompttext"
)

func ExampleTemplate_Render() {
	t, _ := prompttext.Parse("balance", "Your balance is {{ money .balance }}, due {{ date .due }}. Account {{ digits .account }}.")
	s, _ := t.Render(map[string]string{"balance": "42.1", "due": "2026-12-25", "account": "4021"})
	fmt.Println(s)
	fmt.Println(t.Vars())
	// Output:
	// Your balance is $42.10, due December 25, 2026. Account 4 0 2 1.
	// [balance due account]
}

func TestRenderRefusesWhatItCannotSay(t *testing.T) {
	tests := []struct {
		name, text string
		vars       map[string]string
	}{
		{"a missing variable", "{{ .balance }}", map[string]string{}},
		{"money of a word", "{{ money .b }}", map[string]string{"b": "lots"}},
		{"a date that is not one", "{{ date .d }}", map[string]string{"d": "tomorrow"}},
		{"a result over MaxText", "{{ .a }}{{ .a }}{{ .a }}", map[string]string{"a": strings.Repeat("x", 2000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := prompttext.Parse("t", tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if s, err := tmpl.Render(tt.vars); err == nil {
				t.Errorf("rendered %q, want an error", s)
			}
		})
	}
}

func TestOnlyTheFixedFunctionsExist(t *testing.T) {
	if _, err := prompttext.Parse("t", "{{ exec .cmd }}"); err == nil {
		t.Error("a function outside the fixed set parsed")
	}
}

func TestABareVariableNameIsAnsweredWithTheDot(t *testing.T) {
	_, err := prompttext.Parse("t", "You said {{ speech }}.")
	if err == nil || !strings.Contains(err.Error(), `function "speech" not defined (a variable is written with a dot: {{ .speech }})`) {
		t.Errorf("got %v, want the hint to write {{ .speech }}", err)
	}
}

func TestStaticAndVars(t *testing.T) {
	if !prompttext.Static("Hello.") || prompttext.Static("Hi {{ .name }}") {
		t.Error("Static is wrong")
	}
	tmpl, _ := prompttext.Parse("t", "{{ if .vip }}Welcome back, {{ .name }}{{ end }}")
	if !slices.Equal(tmpl.Vars(), []string{"vip", "name"}) {
		t.Errorf("Vars() = %v", tmpl.Vars())
	}
}

func FuzzParseRender(f *testing.F) {
	f.Add("Your balance is {{ money .b }}.", "42.10")
	f.Fuzz(func(t *testing.T, text, v string) {
		tmpl, err := prompttext.Parse("t", text)
		if err != nil {
			return
		}
		s, err := tmpl.Render(map[string]string{"b": v})
		if err == nil && len(s) > prompttext.MaxText {
			t.Fatalf("rendered %d bytes", len(s))
		}
	})
}

func TestUsesNameWhatEachFunctionFormats(t *testing.T) {
	tmpl, err := prompttext.Parse("t", "{{ money .balance }} {{ .due | date }} {{ .name }} {{ if .x }}{{ digits .account }}{{ end }}")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(tmpl.Uses())
	if want := "[{money balance} {date due} {digits account}]"; got != want {
		t.Errorf("Uses() = %s, want %s", got, want)
	}
}
