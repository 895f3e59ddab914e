package authz

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Origin says where a policy line came from, so that decisions, explanations and errors can name
// it: a line of a file ("policy.csv:5"), or a rule of a database, by its key ("policy-db rule 42").
type Origin struct {
	// Source names the file or database, as errors and logs call it: "policy.csv", "policy-db".
	Source string
	// Line is the 1-based line in a file; 0 for a database rule, or for a problem with the
	// source as a whole.
	Line int
	// ID is the rule's key in a database; "" for a file.
	ID string
}

// String renders the origin as errors and decisions name it: "policy.csv:5", "policy-db rule 42",
// or the source alone.
func (o Origin) String() string {
	switch {
	case o.ID != "":
		return o.Source + " rule " + o.ID
	case o.Line > 0:
		return o.Source + ":" + strconv.Itoa(o.Line)
	}
	return o.Source
}

// Line is one line of a policy as its source delivered it, "p, twilio, /ivr/*, view, allow".
type Line struct {
	Text   string
	Origin Origin
}

// Policy is a whole policy as its source delivered it: every line, in order. A file delivers
// its text split into lines ([PolicyText]); a database delivers one Line per stored rule, with
// its key as the ID. Blank lines and lines starting with "#" are skipped wherever they come from.
type Policy struct {
	// Name names the source in problems about the policy as a whole.
	Name  string
	Lines []Line
}

// PolicyText splits the text of a policy file into lines, each with name and its line number as
// its origin.
func PolicyText(name, text string) Policy {
	raw := strings.Split(text, "\n")
	p := Policy{Name: name, Lines: make([]Line, len(raw))}
	for i, l := range raw {
		p.Lines[i] = Line{Text: l, Origin: Origin{Source: name, Line: i + 1}}
	}
	return p
}

// excerptRunes bounds what a problem quotes from a line it could not read.
const excerptRunes = 12

// excerpt quotes s for a problem message: escaped, and cut after a few characters. A file that
// is not what it claims (a policy path pointing at a file of secrets) must not be printed into
// logs by the errors that refuse it.
func excerpt(s string) string {
	if utf8.RuneCountInString(s) <= excerptRunes {
		return strconv.Quote(s)
	}
	n := 0
	for i := range s {
		if n == excerptRunes {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}
