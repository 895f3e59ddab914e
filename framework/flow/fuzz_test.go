package flow

import (
	"os"
	"testing"
)

// No input makes the loader panic, every problem it reports carries a position in the file, and
// a flow it accepts compiles and answers any request without panicking.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../../demo.yaml", "testdata/kinds.yaml", "testdata/balance.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"version: 1\nstart: a\nmenus:\n  a: {hangup: true}\n",
		"version: 1\nstart: a\nmenus:\n  a: {goto: a}\n",
		"version: 1\nstart: a\nmenus:\n  a: &x {say: [*x]}\n",
		"a: &a [*a, *a]\nversion: 1\n",
		"<<: {version: 1}\nstart: a\nmenus: {a: {hangup: true}}\n",
		"version: 1\nstart: a\nmenus:\n  a:\n    gather: {input: both, options: {\"1\": a}, synonyms: {\"1\": [x]}}\n",
		"version: 1\nstart: a\nmenus:\n  a:\n    hours: {timezone: UTC, weekly: [\"Fri-Mon 00:00-24:00\"], closed: a}\n",
		"--- \n...\n--- {}\n",
		"\t- x",
		"version: !!binary AAAA\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		flow, probs := Parse("fuzz.yaml", data, &Options{Grants: func(string) bool { return false }})
		for _, p := range probs {
			if p.Pos.File != "fuzz.yaml" || p.Pos.Line < 1 {
				t.Fatalf("problem without a position: %#v", p)
			}
		}
		if (flow == nil) != (probs.Err() != nil) {
			t.Fatalf("flow %v, problems %v", flow != nil, probs)
		}
		if flow == nil {
			return
		}
		c, err := Compile(flow, nil)
		if err != nil {
			t.Fatalf("a flow that parsed does not compile: %v", err)
		}
		for _, r := range c.Routes() {
			for _, in := range []Input{{}, {Digits: "1", Query: "i=1&n=1"}, {Speech: "x", Query: "s=9"}, {DialCallStatus: "busy"}} {
				if len(r.Respond(in)) == 0 {
					t.Fatalf("%s answered nothing", r.Path)
				}
			}
			for k := range numErrorKinds {
				if len(c.ErrorFlow(r.Path, k)) == 0 {
					t.Fatalf("%s: no %v error flow", r.Path, k)
				}
			}
		}
	})
}
