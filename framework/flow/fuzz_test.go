package flow

import (
	"os"
	"slices"
	"testing"
)

// No input makes the loader panic, every problem it reports carries a position in the file, and
// a flow it accepts compiles and answers any request without panicking.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../../demo.yaml", "testdata/kinds.yaml", "testdata/languages.yaml", "testdata/balance.yaml"} {
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
		"version: 1\nlanguages: {default: en-US, others: [es-MX]}\nstart: a\nmenus:\n  a: {say: {en-US: Hi, es-MX: Hola}, gather: {options: {\"9\": {language: es-MX}}}}\n",
		"version: 1\nlanguages: {default: en-US}\nstart: a\nmenus:\n  a: {say: [{es-MX: Hola}, {say: {fr: x}}]}\n",
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
			for _, in := range []Input{{}, {Digits: "1", Query: "i=1&n=1"}, {Speech: "x", Query: "s=9"}, {DialCallStatus: "busy"},
				{Digits: "9", Query: "i=0&n=0&l=es-MX"}, {Called: "+15555550150", Query: "l=x&l=fr-CA"}} {
				if len(r.Respond(in)) == 0 {
					t.Fatalf("%s answered nothing", r.Path)
				}
			}
			for li := range c.Languages() {
				for k := range numErrorKinds {
					if len(c.InLanguage(li).ErrorFlow(r.Path, k)) == 0 {
						t.Fatalf("%s: no %v error flow in language %d", r.Path, k, li)
					}
				}
			}
		}
	})
}

// A request's language is always one of the flow's, whatever its query and called number say,
// and it is the one its query names when that is one of them.
func FuzzCallLanguage(f *testing.F) {
	fl, probs := Load("testdata/languages.yaml", nil)
	if fl == nil {
		f.Fatal(probs)
	}
	c, err := Compile(fl, &CompileOptions{Validated: true})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][2]string{{"", ""}, {"l=es-MX", ""}, {"i=0&n=0&l=fr-CA", "+15555550150"}, {"l=", "+15555550150"}, {"l=es-MX&l=fr-CA", ""}, {"xl=es-MX", ""}} {
		f.Add(s[0], s[1])
	}
	langs := c.Languages()
	f.Fuzz(func(t *testing.T, query, called string) {
		i := c.CallLanguage(query, called)
		if i < 0 || i >= len(c.alt) {
			t.Fatalf("CallLanguage(%q, %q) = %d, not one of %d renderings", query, called, i, len(c.alt))
		}
		got := c.InLanguage(i).Language()
		if !slices.Contains(langs, got) {
			t.Fatalf("CallLanguage(%q, %q) speaks %q, none of %v", query, called, got, langs)
		}
		if v := queryValue(query, LanguageParam); slices.Contains(langs, v) && got != v {
			t.Fatalf("CallLanguage(%q, %q) speaks %s, but the query names %s", query, called, got, v)
		}
	})
}
