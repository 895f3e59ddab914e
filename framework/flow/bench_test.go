package flow

import (
	"fmt"
	"strings"
	"testing"
)

// generatedFlow returns a flow file of n gather menus in a tree: each menu offers three children
// and a say-then-go, every tenth has business hours, and the leaves dial.
func generatedFlow(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\ncall_center: \"+15555550100\"\ndefaults: {voice: Polly.Joanna, language: en-US, max_invalid: 3, max_no_input: 3}\n")
	b.WriteString("start: n0\nnavigation: {repeat: \"*\", back: \"8\", main: \"9\"}\nmenus:\n")
	for i := range n {
		fmt.Fprintf(&b, "  n%d:\n", i)
		if i%10 == 5 {
			b.WriteString("    hours: {timezone: America/New_York, weekly: [\"Mon-Fri 09:00-17:00\"], holidays: [\"2026-12-25\"], closed: n0}\n")
		}
		fmt.Fprintf(&b, "    say: Menu %d.\n    gather:\n      prompt: Press 1, 2 or 3, or 4 to hear this again.\n      options:\n", i)
		for k := 1; k <= 3; k++ {
			if c := 3*i + k; c < n {
				fmt.Fprintf(&b, "        \"%d\": n%d\n", k, c)
			} else {
				fmt.Fprintf(&b, "        \"%d\": {say: Connecting., dial: {number: \"+1555555%04d\", no_answer: n0}}\n", k, 100+(i+k)%100)
			}
		}
		fmt.Fprintf(&b, "        \"4\": {say: Here it is again., goto: n%d}\n", i)
		b.WriteString("      invalid: Not an option.\n      no_input: Are you there?\n")
	}
	return []byte(b.String())
}

func TestGeneratedFlowIsValid(t *testing.T) {
	f, probs := Parse("gen.yaml", generatedFlow(1000), nil)
	if f == nil || len(probs) > 0 {
		t.Fatal(probs)
	}
	c, err := Compile(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Routes()); got != 2667 { // entry and gather for each, dialed for the 667 leaves
		t.Errorf("%d routes, want 2667", got)
	}
}

// Loading and compiling a 1,000-menu flow; the target is under 250 ms.
func BenchmarkLoadCompile1000(b *testing.B) {
	data := generatedFlow(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, probs := Parse("gen.yaml", data, nil)
		if f == nil {
			b.Fatal(probs)
		}
		if _, err := Compile(f, &CompileOptions{Validated: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// Serving a compiled node: the target is 0 allocations.
func BenchmarkRespond(b *testing.B) {
	c := demo(b)
	for _, bc := range []struct {
		name, path string
		in         Input
	}{
		{"entry", "/ivr/welcome", Input{}},
		{"option", "/ivr/welcome/gather", Input{Digits: "1", Query: "i=0&n=0"}},
		{"option-es", "/ivr/welcome/gather", Input{Digits: "1", Query: "i=0&n=0&l=es-MX"}},
		{"entry-by-called", "/ivr/welcome", Input{Called: "+15555550150"}},
		{"invalid", "/ivr/welcome/gather", Input{Digits: "7", Query: "i=1&n=0"}},
		{"silence", "/ivr/welcome/gather", Input{Query: "i=0&n=1"}},
		{"hours", "/ivr/sales", Input{Now: mondayNoon}},
		{"speech", "/ivr/support/gather", Input{Speech: "tech support please", Query: "i=0&n=0"}},
	} {
		r := c.Route(bc.path)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(r.Respond(bc.in)) == 0 {
					b.Fatal("empty")
				}
			}
		})
	}
}

// Respond never allocates: not on the DTMF path, nor for silence, hours or speech.
func TestRespondDoesNotAllocate(t *testing.T) {
	c := demo(t)
	for _, tc := range []struct {
		path string
		in   Input
	}{
		{"/ivr/welcome/gather", Input{Digits: "1", Query: "i=0&n=0"}},
		{"/ivr/welcome/gather", Input{Digits: "7", Query: "i=1&n=1"}},
		{"/ivr/welcome/gather", Input{Digits: "*", Query: "garbage"}},
		{"/ivr/welcome/gather", Input{Query: "i=0&n=0"}},
		{"/ivr/sales", Input{Now: mondayNight}},
		{"/ivr/sales/dialed", Input{DialCallStatus: "busy"}},
		{"/ivr/support/gather", Input{Speech: "Tech support, please."}},
		{"/ivr/welcome/gather", Input{Digits: "1", Query: "i=0&n=0&l=es-MX"}},
		{"/ivr/welcome", Input{Called: "+15555550150"}},
	} {
		r := c.Route(tc.path)
		if n := testing.AllocsPerRun(100, func() { r.Respond(tc.in) }); n != 0 {
			t.Errorf("%s %+v: %v allocations", tc.path, tc.in, n)
		}
	}
}

// Serving a node with a fetch's variables in its prompts and a switch: what a dynamic node costs
// over a pre-rendered one (BenchmarkRespond), the fetch itself aside.
func BenchmarkRespondDynamic(b *testing.B) {
	f, probs := Load("testdata/balance.yaml", nil)
	if err := probs.Err(); err != nil {
		b.Fatal(err)
	}
	c, err := Compile(f, &CompileOptions{Validated: true})
	if err != nil {
		b.Fatal(err)
	}
	r := c.Route("/ivr/balance")
	in := Input{Vars: map[string]string{"balance": "42.10", "name": "Ann", "account": "12345678"}}
	b.ReportAllocs()
	for b.Loop() {
		if b, err := r.Answer(in); err != nil || len(b) == 0 {
			panic(err)
		}
	}
}
