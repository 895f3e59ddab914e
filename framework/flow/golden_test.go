package flow

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// keyNames keeps DTMF keys out of file names.
var keyNames = strings.NewReplacer("*", "star", "#", "pound")

// goldenCase is one request to a route.
type goldenCase struct {
	name string
	in   Input
}

// Monday 2026-11-23 at noon in New York, and a Saturday.
var (
	mondayNoon  = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	mondayNight = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	saturday    = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
)

// casesFor lists the requests worth a golden file for a route: every branch it can answer with.
func casesFor(r *Route) []goldenCase {
	switch {
	case strings.HasSuffix(r.Path, "/gather"):
		n := r.n
		cs := []goldenCase{}
		for _, o := range n.options {
			cs = append(cs, goldenCase{"option-" + o.key, Input{Digits: o.key, Query: "i=0&n=0"}})
		}
		for _, w := range n.words {
			cs = append(cs, goldenCase{"say-" + strings.ReplaceAll(w.key, " ", "-"), Input{Speech: w.key + ".", Query: "i=0&n=0"}})
		}
		for _, o := range n.nav {
			cs = append(cs, goldenCase{"nav-" + o.key, Input{Digits: o.key, Query: "i=0&n=0"}})
		}
		for i := range n.maxI {
			cs = append(cs, goldenCase{"invalid-from-i" + string(rune('0'+i)), Input{Digits: "5555", Speech: "gibberish", Query: "i=" + string(rune('0'+i)) + "&n=0"}})
		}
		for c := range n.maxN {
			cs = append(cs, goldenCase{"silence-from-n" + string(rune('0'+c)), Input{Query: "i=0&n=" + string(rune('0'+c))}})
		}
		return cs
	case strings.HasSuffix(r.Path, "/pin"):
		cs := []goldenCase{{"right", Input{Digits: "2468", PIN: PINRight, Query: "a=0"}}, {"locked", Input{Digits: "2468", PIN: PINLocked, Query: "a=0"}}}
		for a := range r.n.pinMax {
			cs = append(cs, goldenCase{"wrong-from-a" + string(rune('0'+a)), Input{Digits: "1111", PIN: PINWrong, Query: "a=" + string(rune('0'+a))}})
		}
		return cs
	case strings.HasSuffix(r.Path, "/agent"):
		return []goldenCase{
			{"transfer", Input{SessionStatus: "completed", HandoffData: `{"reason":"transfer","summary":"wants a refund"}`}},
			{"next-menu", Input{SessionStatus: "completed", HandoffData: `{"next":"menu"}`}},
			{"unknown", Input{SessionStatus: "completed", HandoffData: `{"reason":"sing"}`}},
			{"none", Input{SessionStatus: "completed"}},
			{"failed", Input{SessionStatus: "failed"}},
			{"failed-again", Input{SessionStatus: "failed", Query: "r=1"}},
		}
	case strings.HasSuffix(r.Path, "/dialed"):
		cs := []goldenCase{{"completed", Input{DialCallStatus: "completed"}}}
		for s := range r.n.dialed {
			cs = append(cs, goldenCase{"no-answer-s" + string(rune('0'+s)), Input{DialCallStatus: "no-answer", Query: "s=" + string(rune('0'+s))}})
		}
		return cs
	case strings.HasSuffix(r.Path, "/recorded"):
		var cs []goldenCase
		for s := range r.n.recorded {
			cs = append(cs, goldenCase{"s" + string(rune('0'+s)), Input{Query: "s=" + string(rune('0'+s))}})
		}
		return cs
	}
	if r.Dynamic() {
		return []goldenCase{
			{"fetch-failed", Input{FetchFailed: true}},
			{"overdrawn", Input{Vars: map[string]string{"balance": "-12.5", "holder": "Ann <Lee>"}}},
			{"low", Input{Vars: map[string]string{"balance": "42.1"}}},
			{"high", Input{Vars: map[string]string{"balance": "1e3", "holder": "Bo"}}},
		}
	}
	if r.n.hours != nil {
		return []goldenCase{
			{"open", Input{Now: mondayNoon}},
			{"closed", Input{Now: mondayNight}},
			{"saturday", Input{Now: saturday}},
		}
	}
	return []goldenCase{{"entry", Input{}}}
}

// The TwiML of every route of every node kind matches its golden file. Run with -update to
// rewrite them, then read the XML diff.
func TestGoldenTwiML(t *testing.T) {
	for _, src := range []string{"testdata/kinds.yaml", "testdata/languages.yaml", "../../demo.yaml"} {
		f, probs := Load(src, nil)
		if f == nil {
			t.Fatalf("%s: %v", src, probs)
		}
		c, err := Compile(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		prefix := strings.TrimSuffix(filepath.Base(src), ".yaml")
		want := map[string]bool{}
		// In a flow with several languages, every document once per rendering: the default
		// language's, whose URLs name no language, then each other language's and, with
		// by_called, the default's once more with URLs that name it (l=en-US), each in files
		// that name it.
		renderings := max(len(c.alt), 1)
		for li := range renderings {
			suffix, param := "", ""
			if li > 0 {
				lang := c.InLanguage(li).Language()
				suffix, param = "."+lang, LanguageParam+"="+lang
			}
			for _, r := range c.Routes() {
				for _, tc := range casesFor(r) {
					name := prefix + strings.ReplaceAll(r.Path, "/", "_") + "." + keyNames.Replace(tc.name) + suffix + ".xml"
					want[name] = true
					if param != "" {
						tc.in.Query = strings.TrimPrefix(tc.in.Query+"&"+param, "&")
					}
					checkGolden(t, name, r.Respond(tc.in))
				}
			}
			for _, k := range []ErrorKind{Unauthenticated, Forbidden, NotFound, Internal, Denied} {
				for _, p := range []string{"/ivr/menu", "/ivr/secret", "/ivr/es/inicio", "/ivr/es/nowhere", "/elsewhere"} {
					name := prefix + ".error" + strings.ReplaceAll(p, "/", "_") + "." + k.String() + suffix + ".xml"
					want[name] = true
					checkGolden(t, name, c.InLanguage(li).ErrorFlow(p, k))
				}
			}
		}
		if !*update {
			continue
		}
		// Remove golden files no route produces any more.
		old, _ := filepath.Glob(filepath.Join("testdata", "golden", prefix+".*.xml"))
		old2, _ := filepath.Glob(filepath.Join("testdata", "golden", prefix+"_*.xml"))
		for _, p := range slices.Concat(old, old2) {
			if !want[filepath.Base(p)] {
				os.Remove(p)
			}
		}
	}
}

// checkGolden compares got with testdata/golden/name, one element per line so that a diff
// reads well; the bytes served are the same without the line breaks.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	pretty := append(bytes.ReplaceAll(got, []byte("><"), []byte(">\n<")), '\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, pretty, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(pretty, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, pretty, want)
	}
}
