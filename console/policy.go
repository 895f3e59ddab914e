package console

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

// policyLine is one line of the policy file, for the page's listing that matrix cells link to.
type policyLine struct {
	N    int
	Text string
	Kind string // "p", "g", "comment" or "blank"
}

// e164 finds phone numbers in policy text, to mask them.
var e164 = regexp.MustCompile(`\+[0-9]{8,15}`)

// maskText masks every phone number in s when mask is set.
func maskText(s string, mask bool) string {
	if !mask {
		return s
	}
	return e164.ReplaceAllStringFunc(s, principals.MaskNumber)
}

func policyLines(name, text string, mask bool) []policyLine {
	var out []policyLine
	for i, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		t := strings.TrimSpace(l)
		kind := "blank"
		switch {
		case strings.HasPrefix(t, "#"):
			kind = "comment"
		case strings.HasPrefix(t, "p,"), strings.HasPrefix(t, "p "):
			kind = "p"
		case strings.HasPrefix(t, "g,"), strings.HasPrefix(t, "g "):
			kind = "g"
		case t != "":
			kind = "other"
		}
		out = append(out, policyLine{N: i + 1, Text: maskText(l, mask), Kind: kind})
	}
	_ = name
	return out
}

// matrix is the policy as a picture: one row per route, one column per subject the policy names.
type matrix struct {
	Subjects []string // as shown (numbers masked when asked)
	Rows     []matrixRow
}

type matrixRow struct {
	Route, Method, Permission, Node string // Node is the diagram node ID of a flow route
	Cells                           []cell
}

// cell is one decision: a request holding just the subject (and system.Everyone, and
// system.Authenticated) asks for the route's permission.
type cell struct {
	Verdict string `json:"verdict"` // "allow", "deny" (an explicit deny line) or "none" (no line grants it)
	Rule    string `json:"rule"`    // the deciding line as written; "" for none
	Line    int    `json:"line"`    // its number in the policy file; 0 for none
}

// subjects returns every subject the policy's lines name for the App's routes, in a stable
// order: twilio first, then groups, then the rest; system.Everyone (a stranger) last.
func (s *snapshot) subjects() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range s.sb.App().Routes() {
		for _, n := range append(append([]string{}, r.Allow...), r.Deny...) {
			if !seen[n] && n != principals.Everyone {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	rank := func(n string) int {
		switch {
		case n == principals.Twilio:
			return 0
		case strings.HasPrefix(n, principals.GroupPrefix):
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Or(rank(a)-rank(b), strings.Compare(a, b)) })
	return append(out, principals.Everyone)
}

func (s *snapshot) buildMatrix(mask bool) matrix {
	subjects := s.subjects()
	var m matrix
	for _, n := range subjects {
		m.Subjects = append(m.Subjects, maskName(n, mask))
	}
	for _, r := range s.sb.App().Routes() {
		row := matrixRow{Route: r.Path, Method: r.Method, Permission: r.Permission}
		if fr := s.compiled.Route(r.Path); fr != nil {
			if n, ok := s.diagram.Node(fr.Node); ok {
				row.Node = n.ID
			}
		}
		for _, sub := range subjects {
			row.Cells = append(row.Cells, s.decide(principals.Effective(sub).Names(), r.Path, r.Permission, mask))
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

func (s *snapshot) decide(set []string, route, permission string, mask bool) cell {
	d := s.authz.Decide(set, route, permission)
	c := cell{Verdict: "none", Rule: maskText(d.Rule, mask), Line: d.Line}
	switch {
	case d.Allowed:
		c.Verdict = "allow"
	case d.Denied:
		c.Verdict = "deny"
	}
	return c
}

func maskName(n string, mask bool) string {
	if !mask {
		return n
	}
	return principals.NewSet(n).Masked()[0]
}

// explainRequest asks what a set of principals reaches: names separated by spaces or commas.
type explainRequest struct {
	Principals string `json:"principals"`
}

// explainAnswer is, for each route, whether the principals may use it and why; and for each
// menu of the diagram, the verdict on its entry route.
type explainAnswer struct {
	Principals []string          `json:"principals"`
	Routes     []explainRoute    `json:"routes"`
	Nodes      map[string]string `json:"nodes"` // diagram node ID → "allow", "deny" or "none"
}

type explainRoute struct {
	Route      string `json:"route"`
	Permission string `json:"permission"`
	cell
}

// maxPrincipals bounds the names an explain request may hold.
const maxPrincipals = 32

func (c *Console) serveExplain(w http.ResponseWriter, r *http.Request) {
	var req explainRequest
	if !decode(w, r, &req) {
		return
	}
	s := c.good.Load()
	if s == nil {
		problem(w, http.StatusConflict, "the files have not loaded yet: see the problems")
		return
	}
	given := strings.FieldsFunc(req.Principals, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	if len(given) == 0 || len(given) > maxPrincipals {
		problem(w, http.StatusBadRequest, "give between 1 and 32 principals, such as: twilio caller:+15555550123")
		return
	}
	set := principals.Effective(given...).Names()
	ans := explainAnswer{Nodes: map[string]string{}}
	for _, n := range set {
		ans.Principals = append(ans.Principals, maskName(n, c.opts.MaskNumbers))
	}
	for _, rt := range s.sb.App().Routes() {
		cl := s.decide(set, rt.Path, rt.Permission, c.opts.MaskNumbers)
		ans.Routes = append(ans.Routes, explainRoute{Route: rt.Path, Permission: rt.Permission, cell: cl})
		if fr := s.compiled.Route(rt.Path); fr != nil && fr.Path == s.compiled.BasePath()+"/"+fr.Node {
			if n, ok := s.diagram.Node(fr.Node); ok {
				ans.Nodes[n.ID] = cl.Verdict
			}
		}
	}
	writeJSON(w, http.StatusOK, ans)
}
