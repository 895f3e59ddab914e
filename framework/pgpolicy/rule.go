package pgpolicy

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Rule is one rule of a policy: a p line (subject, route pattern, permission, effect) or a
// g line (member, group).
type Rule struct {
	// ID is the rule's key in the table: the adapter's hash of its type and fields. Empty for a
	// rule not stored yet.
	ID     string
	Type   string   // "p" or "g"
	Fields []string // 4 for p, 2 for g
}

// Text renders the rule as a policy file line: "p, twilio, /ivr/*, view, allow".
func (r Rule) Text() string {
	return strings.Join(append([]string{r.Type}, r.Fields...), ", ")
}

// key identifies a rule by its content, as the adapter's id does.
func (r Rule) key() string { return r.Type + "\x00" + strings.Join(r.Fields, "\x00") }

// ParseRule reads one policy line, as written in a policy file: "p, group:blocked, /ivr/*, *,
// deny" or "g, caller:+15555550199, group:blocked". It checks the shape (the type and the
// number of fields); whether the rule makes sense is checked with the whole policy it joins.
func ParseRule(text string) (Rule, error) {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		return Rule{}, errors.New("an empty rule")
	case strings.HasPrefix(t, "#"):
		return Rule{}, fmt.Errorf("%q is a comment, not a rule", t)
	case strings.ContainsAny(t, "\r\n"):
		return Rule{}, errors.New("a rule is one line")
	}
	rd := csv.NewReader(strings.NewReader(t))
	rd.TrimLeadingSpace = true
	rd.FieldsPerRecord = -1
	fields, err := rd.Read()
	if err != nil {
		return Rule{}, fmt.Errorf("%q: %w", t, err)
	}
	if _, err := rd.Read(); err != io.EOF {
		return Rule{}, errors.New("a rule is one line")
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
		if fields[i] == "" {
			return Rule{}, fmt.Errorf("%q: field %d is empty", t, i+1)
		}
	}
	r := Rule{Type: fields[0], Fields: fields[1:]}
	switch {
	case r.Type == "p" && len(r.Fields) != 4:
		return Rule{}, fmt.Errorf("%q: a p rule has 4 fields after p (subject, route, permission, allow|deny), not %d", t, len(r.Fields))
	case r.Type == "g" && len(r.Fields) != 2:
		return Rule{}, fmt.Errorf("%q: a g rule has 2 fields after g (member, group), not %d", t, len(r.Fields))
	case r.Type != "p" && r.Type != "g":
		return Rule{}, fmt.Errorf("%q: a rule starts with p or g, not %q", t, r.Type)
	}
	return r, nil
}

// Text renders rules as a policy file, one line each, in order.
func Text(rules []Rule) string {
	var b strings.Builder
	for _, r := range rules {
		b.WriteString(r.Text())
		b.WriteByte('\n')
	}
	return b.String()
}
