package console

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/diagram"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
)

// nodeView is what the page shows when a node of the diagram is clicked.
type nodeView struct {
	diagram.Node
	Prompts  []labeled     // every prompt of a menu, in the order a caller hears them
	Routes   []routeView   // the routes the menu owns
	Variants []labeled     // each TwiML document the menu's routes answer, titled
	Policy   []policyCheck // who the policy lets in on the menu's entry route, and who it keeps out
	From     []string      // for an exit or error node: the nodes that lead to it
}

type labeled struct{ Label, Text string }

type routeView struct {
	Path, Permission string
	Allow, Deny      []string
}

type policyCheck struct {
	Subject string
	cell
}

func (s *snapshot) buildNodes(mask bool) []nodeView {
	subjects := s.subjects()
	byID := map[string]string{}
	for _, n := range s.diagram.Nodes {
		byID[n.ID] = n.Name
	}
	var out []nodeView
	for _, n := range s.diagram.Nodes {
		v := nodeView{Node: n}
		m := s.flow.Menus[n.Name]
		if n.Kind != diagram.Menu || m == nil {
			for _, e := range s.diagram.Edges {
				if e.To == n.ID && e.From != n.ID && !slices.Contains(v.From, byID[e.From]) {
					v.From = append(v.From, byID[e.From])
				}
			}
			out = append(out, v)
			continue
		}
		v.Prompts = prompts(m)
		for _, r := range s.sb.App().Routes() {
			if fr := s.compiled.Route(r.Path); fr != nil && fr.Node == n.Name {
				v.Routes = append(v.Routes, routeView{Path: r.Path, Permission: r.Permission, Allow: maskAll(r.Allow, mask), Deny: maskAll(r.Deny, mask)})
				v.Variants = append(v.Variants, variants(fr, m, s.flow, s.zone)...)
			}
		}
		for _, sub := range subjects {
			v.Policy = append(v.Policy, policyCheck{Subject: maskName(sub, mask), cell: s.decide(principals.Effective(sub).Names(), n.Route, n.Permission, mask)})
		}
		out = append(out, v)
	}
	return out
}

func maskAll(names []string, mask bool) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = maskName(n, mask)
	}
	return out
}

// prompts lists what a menu says, labeled by where it comes from.
func prompts(m *flow.Node) []labeled {
	var out []labeled
	add := func(label string, ps flow.Prompts) {
		for _, p := range ps {
			switch {
			case p.Say != "":
				out = append(out, labeled{label, p.Say})
			case p.Play != "":
				out = append(out, labeled{label, "plays " + p.Play})
			case p.Pause > 0:
				out = append(out, labeled{label, "pauses"})
			}
		}
	}
	add("say", m.Say)
	if g := gatherOf(m); g != nil {
		add("prompt", g.Prompt)
		add("invalid", g.Invalid)
		add("no input", g.NoInput)
	}
	return out
}

// variants returns every distinct document a route answers, each titled by what brings it.
func variants(r *flow.Route, m *flow.Node, f *flow.Flow, zone *time.Location) []labeled {
	var out []labeled
	seen := map[string]bool{}
	add := func(title string, in flow.Input) {
		doc := string(r.Respond(in))
		if seen[doc] {
			return
		}
		seen[doc] = true
		out = append(out, labeled{r.Path + " — " + title, indentTwiML(doc)})
	}
	switch {
	case strings.HasSuffix(r.Path, "/gather") && gatherOf(m) != nil:
		g := gatherOf(m)
		for _, key := range slices.Sorted(maps.Keys(g.Options)) {
			title := "option " + key
			if m.Sensitive {
				title = "option " + diagram.Masked
			}
			in := flow.Input{Query: "i=0&n=0", Digits: key}
			if g.Input == "speech" {
				in = flow.Input{Query: "i=0&n=0", Speech: key}
			}
			add(title, in)
		}
		add("an invalid choice", flow.Input{Query: "i=0&n=0", Digits: invalidKey(g, f)})
		add("silence", flow.Input{Query: "i=0&n=0"})
		add("too many invalid choices (exhausted)", flow.Input{Query: "i=99&n=0", Digits: invalidKey(g, f)})
	case strings.HasSuffix(r.Path, "/dialed"):
		add("the dial was not answered", flow.Input{DialCallStatus: "no-answer"})
		add("the dial was answered and ended", flow.Input{DialCallStatus: "completed"})
	case strings.HasSuffix(r.Path, "/recorded"):
		add("after the recording", flow.Input{})
	default:
		if m.Hours == nil {
			add("on entry", flow.Input{})
			break
		}
		// Business hours: one document when open, one when closed; find both in a week.
		loc := zone
		if l, err := time.LoadLocation(m.Hours.Timezone); err == nil {
			loc = l
		}
		monday := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
		for h := 0; h < 7*24; h++ {
			at := monday.Add(time.Duration(h) * time.Hour)
			add("on entry, "+at.Format("Mon 15:04 MST"), flow.Input{Now: at})
		}
	}
	return out
}

// gatherOf returns the menu's gather, or nil when it does something else.
func gatherOf(m *flow.Node) *flow.Gather {
	g, _ := m.Do.(*flow.Gather)
	return g
}

// invalidKey returns keys that choose no option and no navigation key of the gather.
func invalidKey(g *flow.Gather, f *flow.Flow) string {
	for _, k := range []string{"7", "77", "0000000", "*0*"} {
		_, taken := g.Options[k]
		if !taken && k != f.Navigation.Repeat && k != f.Navigation.Back && k != f.Navigation.Main {
			return k
		}
	}
	return "#"
}

var tagBoundary = regexp.MustCompile(`><`)

// indentTwiML puts each element of a rendered document on its own line, for reading.
func indentTwiML(doc string) string {
	lines := strings.Split(tagBoundary.ReplaceAllString(doc, ">\n<"), "\n")
	depth := 0
	for i, l := range lines {
		closing := strings.HasPrefix(l, "</")
		if closing {
			depth--
		}
		lines[i] = strings.Repeat("  ", max(depth, 0)) + l
		if !closing && !strings.HasPrefix(l, "<?") && !strings.HasSuffix(l, "/>") && !strings.Contains(l, "</") {
			depth++
		}
	}
	return strings.Join(lines, "\n")
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
