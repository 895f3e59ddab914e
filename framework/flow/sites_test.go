package flow

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// A record inside a dial's no_answer inside a record's then is a second record site: its action
// names s=1, and /recorded?s=1 answers that record's own branch (here: hang up), not the first
// record's dial again.
func TestRecordFoundWhileRenderingADialBranchGetsItsOwnBranch(t *testing.T) {
	f := &Flow{Version: 1, Start: "a", Menus: map[string]*Node{
		"a": {Action: Action{Do: &Record{Then: &Action{Do: &Dial{Number: "+15555550111", NoAnswer: &Action{Do: &Record{}}}}}}},
	}}
	c, err := Compile(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	call(t, c, []step{
		{"/ivr/a", Input{}, `<Record action="/ivr/a/recorded"`},
		{"/ivr/a/recorded", Input{}, `<Dial action="/ivr/a/dialed">`},
		{"/ivr/a/dialed", Input{DialCallStatus: "no-answer"}, `<Record action="/ivr/a/recorded?s=1"`},
		{"/ivr/a/recorded?s=1", Input{}, `<Response><Hangup/></Response>`},
	})
}

// For random flows of nested dial/record/no_answer/then, every URL the compiler puts in an action
// or a <Redirect> is a route, with counters the route does not clamp, and a dial's or record's
// action answers that dial's or record's own branch.
//
// Each dial is told apart by its timeout and each record by its max_length; their branches start
// by saying which dial or record they follow.
func TestEveryCompiledURLIsARouteAnsweringTheVariantItNames(t *testing.T) {
	for seed := range uint64(300) {
		gen := &siteFlowGen{r: rand.New(rand.NewPCG(seed, 14))}
		f := gen.flow()
		c, err := Compile(f, nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, r := range c.Routes() {
			for _, in := range variants(r) {
				checkURLs(t, seed, c, r.Path+"?"+in.Query, r.Respond(in))
			}
		}
	}
}

// siteFlowGen builds random flows of nested dials and records.
type siteFlowGen struct {
	r       *rand.Rand
	dials   int      // the last dial's id: its timeout
	records int      // the last record's id: its max_length
	menus   []string // the gather menus, which a goto may name without making a loop
}

func (g *siteFlowGen) flow() *Flow {
	kinds := make([]int, 1+g.r.IntN(4))
	for i := range kinds {
		if kinds[i] = g.r.IntN(3); kinds[i] == 0 {
			g.menus = append(g.menus, "n"+strconv.Itoa(i))
		}
	}
	f := &Flow{Version: 1, Start: "n0", CallCenter: "+15555550100", Menus: map[string]*Node{}}
	for i, kind := range kinds {
		n := &Node{}
		switch kind {
		case 0:
			opts := map[string]Action{}
			for k := range 1 + g.r.IntN(3) {
				opts[strconv.Itoa(k+1)] = *g.action(3)
			}
			n.Do = &Gather{Options: opts, Exhausted: g.maybe(3)}
		case 1:
			n.Hours = &Hours{Timezone: "UTC", Weekly: []string{"Mon-Fri 09:00-17:00"}, Closed: g.action(3), Open: g.maybe(3)}
			if n.Hours.Open == nil {
				n.Action = *g.action(3)
			}
		default:
			n.Action = *g.action(4)
		}
		f.Menus["n"+strconv.Itoa(i)] = n
	}
	return f
}

func (g *siteFlowGen) maybe(depth int) *Action {
	if g.r.IntN(3) == 0 {
		return nil
	}
	return g.action(depth)
}

// action returns a destination whose nesting is at most depth dials and records deep.
func (g *siteFlowGen) action(depth int) *Action {
	a := &Action{}
	pick := g.r.IntN(5)
	if depth == 0 {
		pick = 2 + g.r.IntN(3)
	}
	switch pick {
	case 0:
		g.dials++
		id := g.dials
		d := &Dial{Number: CallCenter, Timeout: id}
		if g.r.IntN(4) > 0 {
			d.NoAnswer = g.action(depth - 1)
			d.NoAnswer.Say = append(Prompts{{Say: fmt.Sprintf("no answer %d", id)}}, d.NoAnswer.Say...)
		}
		a.Do = d
	case 1:
		g.records++
		id := g.records
		rec := &Record{MaxLength: id}
		if g.r.IntN(4) > 0 {
			rec.Then = g.action(depth - 1)
			rec.Then.Say = append(Prompts{{Say: fmt.Sprintf("then %d", id)}}, rec.Then.Say...)
		}
		a.Do = rec
	case 2:
		if len(g.menus) == 0 {
			a.Do = Hangup{}
			break
		}
		a.Do = Goto(g.menus[g.r.IntN(len(g.menus))])
	case 3:
		a.Do = Hangup{}
	default:
		a.Say = Prompts{{Say: "bye"}}
	}
	return a
}

// variants lists a request for every document a route can answer with.
func variants(r *Route) []Input {
	n := r.n
	switch r.kind {
	case routeGather:
		var ins []Input
		for _, o := range n.options {
			ins = append(ins, Input{Digits: o.key, Query: "i=0&n=0"})
		}
		for i := range n.maxI {
			for c := range n.maxN {
				q := fmt.Sprintf("i=%d&n=%d", i, c)
				ins = append(ins, Input{Digits: "#*#", Query: q}, Input{Query: q})
			}
		}
		return ins
	case routeDialed:
		ins := []Input{{DialCallStatus: "completed"}}
		for s := range n.dialed {
			ins = append(ins, Input{DialCallStatus: "no-answer", Query: "s=" + strconv.Itoa(s)})
		}
		return ins
	case routeRecorded:
		var ins []Input
		for s := range n.recorded {
			ins = append(ins, Input{Query: "s=" + strconv.Itoa(s)})
		}
		return ins
	}
	return []Input{{Now: mondayNoon}, {Now: mondayNight}}
}

// twimlElem is any TwiML element, with its attributes, text and children.
type twimlElem struct {
	XMLName xml.Name
	Attrs   []xml.Attr  `xml:",any,attr"`
	Text    string      `xml:",chardata"`
	Kids    []twimlElem `xml:",any"`
}

func (e twimlElem) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// checkURLs checks every local URL in doc, which the route at from answered.
func checkURLs(t *testing.T, seed uint64, c *Compiled, from string, doc []byte) {
	t.Helper()
	var resp twimlElem
	if err := xml.Unmarshal(doc, &resp); err != nil {
		t.Fatalf("seed %d: %s answered malformed TwiML: %v\n%s", seed, from, err, doc)
	}
	for _, e := range resp.Kids {
		var u string
		switch e.XMLName.Local {
		case "Redirect":
			u = e.Text
		case "Gather", "Dial", "Record":
			u = e.attr("action")
		}
		if u == "" || !strings.HasPrefix(u, c.BasePath()+"/") {
			continue
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d: %s answered %s, whose %s %s", seed, from, doc, u, fmt.Sprintf(format, args...))
		}
		path, query, _ := strings.Cut(u, "?")
		r := c.Route(path)
		if r == nil {
			fail("is no route")
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			fail("has a malformed query: %v", err)
		}
		s := 0
		if v := q.Get("s"); v != "" {
			s, _ = strconv.Atoi(v)
		}
		switch e.XMLName.Local {
		case "Gather":
			i, _ := strconv.Atoi(q.Get("i"))
			n, _ := strconv.Atoi(q.Get("n"))
			if r.kind != routeGather || i >= r.n.maxI || n >= r.n.maxN {
				fail("names counts the route does not keep")
			}
		case "Dial":
			if r.kind != routeDialed || s >= len(r.n.dialed) {
				fail("names a dial the route does not answer for")
			}
			want := fmt.Sprintf("<Say>no answer %s</Say>", e.attr("timeout"))
			if got := r.Respond(Input{DialCallStatus: "busy", Query: query}); !bytes.Contains(got, []byte(want)) {
				fail("answers another dial's branch:\n%s", got)
			}
		case "Record":
			if r.kind != routeRecorded || s >= len(r.n.recorded) {
				fail("names a record the route does not answer for")
			}
			want := fmt.Sprintf("<Say>then %s</Say>", e.attr("maxLength"))
			got := r.Respond(Input{Query: query})
			if !bytes.Contains(got, []byte(want)) && !bytes.Equal(got, []byte(xml.Header[:len(xml.Header)-1]+"<Response><Hangup/></Response>")) {
				fail("answers another record's branch:\n%s", got)
			}
		}
	}
}

// With a URL prefix, every URL the TwiML names on this server — actions, redirects to menus, a
// redirect to a path such as /ivr/balance, navigation keys, error flows — starts with it and
// then names a route (or the path) under the base path; URLs of other servers are left alone.
func TestEveryURLOnThisServerIsUnderTheURLPrefix(t *testing.T) {
	f, probs := Load("testdata/kinds.yaml", nil)
	if f == nil {
		t.Fatal(probs)
	}
	f.Menus["queue"].Do = Redirect("/ivr/balance?x=1")
	c, err := Compile(f, &CompileOptions{URLPrefix: "/acme"})
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for _, r := range c.Routes() {
		if r.Path != "" && !strings.HasPrefix(r.Path, "/ivr/") {
			t.Errorf("route %s moved: routes stay under the base path", r.Path)
		}
		for _, in := range variants(r) {
			docs = append(docs, r.Respond(in))
		}
		for k := range numErrorKinds {
			docs = append(docs, c.ErrorFlow(r.Path, k))
		}
	}
	local := 0
	for _, doc := range docs {
		var resp twimlElem
		if err := xml.Unmarshal(doc, &resp); err != nil {
			t.Fatal(err)
		}
		for _, e := range resp.Kids {
			u := e.attr("action")
			if e.XMLName.Local == "Redirect" {
				u = e.Text
			}
			switch {
			case u == "" || strings.HasPrefix(u, "https://"):
			case !strings.HasPrefix(u, "/acme/ivr/"):
				t.Errorf("%s names %s, outside /acme", doc, u)
			default:
				local++
				path, _, _ := strings.Cut(strings.TrimPrefix(u, "/acme"), "?")
				if c.Route(path) == nil && path != "/ivr/balance" {
					t.Errorf("%s names %s, which is no route", doc, u)
				}
			}
		}
	}
	if local < 50 {
		t.Errorf("only %d URLs on this server: the walk missed documents", local)
	}
	if _, err := Compile(f, &CompileOptions{URLPrefix: "acme/"}); err == nil || !strings.Contains(err.Error(), `URLPrefix "acme/": must be a path such as /acme`) {
		t.Errorf("a prefix that is not a path: %v", err)
	}
}
