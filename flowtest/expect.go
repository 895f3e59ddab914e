package flowtest

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/internal/didyoumean"
	"github.com/switchboard-ivr/switchboard/internal/yamldoc"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

// An Expectation is one thing a call must, or must never, do, as its test file says it.
type Expectation struct {
	Pos   flow.Pos // where it is in the file
	Key   string   // the key as written, such as "say" or "no_dial"
	Value string   // the value as written, such as "For billing", "/^For/" or "true"
	check check
}

// String returns the expectation as a test file writes it, such as `say: "For billing"`,
// `say: /^For/` or `no_dial: true`.
func (e Expectation) String() string {
	v := e.Value
	if !isRegexp(v) && v != "true" {
		v = strconv.Quote(v)
	}
	return e.Key + ": " + v
}

// check is the sealed set of what an expectation can look at; each kind is one type below.
type check interface {
	// verify checks res from event from (the event after the one the previous ordered
	// expectation matched) and says whether it holds.
	verify(res *sandbox.Result, from int) verdict
}

// A verdict is the outcome of one check.
type verdict struct {
	ok   bool
	why  string // what was found instead, when !ok
	at   int    // the event the failure is about, or the next event to search from when ok; -1 for none
	next bool   // ok and ordered: the next expectation searches from at
}

// An expectParser reads the value of one expectation key. To add an expectation (a caller's
// attestation, a PIN accepted, a backend's answer, how an agent ended), add its key here with a
// check type of its own.
type expectParser func(l *loader, path string, n *yaml.Node) check

var expectations = map[string]expectParser{}

func init() {
	events := []struct {
		key, verb string
		whole     bool // the value names the whole target (a number, a queue), not a part of the text
	}{
		{"say", "Say", false}, {"play", "Play", false}, {"pause", "Pause", false}, {"dial", "Dial", true}, {"record", "Record", false},
		{"enqueue", "Enqueue", true}, {"redirect", "Redirect", false}, {"hangup", "Hangup", false},
		{"reject", "Reject", false},
	}
	for _, ev := range events {
		expectations[ev.key] = eventParser(ev.verb, ev.whole, false)
		expectations["no_"+ev.key] = eventParser(ev.verb, ev.whole, true)
	}
	expectations["node"] = nodeParser(false)
	expectations["visit"] = nodeParser(true)
	expectations["no_visit"] = func(l *loader, path string, n *yaml.Node) check {
		c, ok := nodeParser(true)(l, path, n).(visitCheck)
		if !ok {
			return nil
		}
		c.never = true
		return c
	}
	expectations["error"] = errorParser(false)
	expectations["no_error"] = errorParser(true)
	expectations["end"] = func(l *loader, path string, n *yaml.Node) check {
		m, ok := l.matcher(n, path, false, false)
		if !ok {
			return nil
		}
		return endCheck{m}
	}
}

// expectations reads expect: a list of one-key mappings.
func (l *loader) expectations(n *yaml.Node, path string) []Expectation {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		l.errorf(n, path, "must be a list of expectations such as [{say: For billing}, {dial: \"+15555550112\"}], got %s", yamldoc.Describe(n))
		return nil
	}
	var out []Expectation
	for i, it := range n.Content {
		p := path + "[" + strconv.Itoa(i) + "]"
		pairs := l.mapping(it, p, "an expectation", sortedKeys(expectations))
		if it.Kind == yaml.MappingNode && len(it.Content) != 2 {
			l.errorf(it, p, "one expectation per item, so that their order is clear: - {say: …} then - {dial: …}")
			continue
		}
		if len(pairs) != 1 {
			continue
		}
		k, v := pairs[0].key, pairs[0].val
		c := expectations[k.Value](l, join(p, k.Value), v)
		if c == nil {
			continue
		}
		out = append(out, Expectation{Pos: flow.Pos{File: l.file, Line: k.Line, Col: k.Column}, Key: k.Value, Value: v.Value, check: c})
	}
	return out
}

// matcher matches the text of an event: any text, a part of it, the whole of it, or a regexp.
type matcher struct {
	any   bool
	text  string
	whole bool
	re    *regexp.Regexp
}

func isRegexp(v string) bool { return len(v) >= 2 && v[0] == '/' && v[len(v)-1] == '/' }

// matcher reads an expectation's value: true (allowAny), "/regexp/", or text.
func (l *loader) matcher(n *yaml.Node, path string, whole, allowAny bool) (matcher, bool) {
	if n.Kind != yaml.ScalarNode || yamldoc.IsNull(n) {
		l.errorf(n, path, "must be text, a /regexp/ or true, got %s", yamldoc.Describe(n))
		return matcher{}, false
	}
	if n.ShortTag() == "!!bool" {
		var b bool
		_ = n.Decode(&b)
		key := path[strings.LastIndexByte(path, '.')+1:]
		switch {
		case !allowAny:
			l.errorf(n, path, "must be text or a /regexp/, got %s", n.Value)
			return matcher{}, false
		case !b && strings.HasPrefix(key, "no_"):
			l.errorf(n, path, "%s: false expects nothing; remove it", key)
			return matcher{}, false
		case !b:
			l.errorf(n, path, "%s: false is not an expectation; to say it never happens, write no_%s: true", key, key)
			return matcher{}, false
		}
		return matcher{any: true}, true
	}
	v := n.Value
	if isRegexp(v) {
		re, err := regexp.Compile(v[1 : len(v)-1])
		if err != nil {
			l.errorf(n, path, "bad regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			return matcher{}, false
		}
		return matcher{re: re}, true
	}
	if v == "" {
		l.errorf(n, path, "must not be empty; true matches anything")
		return matcher{}, false
	}
	return matcher{text: v, whole: whole}, true
}

func (m matcher) match(text string) bool {
	switch {
	case m.any:
		return true
	case m.re != nil:
		return m.re.MatchString(text)
	case m.whole:
		return text == m.text
	}
	return strings.Contains(text, m.text)
}

// describe says what m looks for, for messages.
func (m matcher) describe() string {
	switch {
	case m.any:
		return ""
	case m.re != nil:
		return " matching /" + m.re.String() + "/"
	case m.whole:
		return " " + strconv.Quote(m.text)
	}
	return " containing " + strconv.Quote(m.text)
}

// targets returns what an event's text names, one a target: the numbers and clients a Dial
// calls (without the " (busy)" of a dial status), or the whole text.
func targets(e caller.Event) []string {
	if e.Verb != "Dial" {
		return []string{e.Text}
	}
	t := e.Text
	if i := strings.LastIndex(t, " ("); i >= 0 && strings.HasSuffix(t, ")") {
		t = t[:i]
	}
	return strings.Split(t, ", ")
}

// eventCheck is an expectation on the events of a call: one of verb, in order, or never one.
type eventCheck struct {
	verb  string
	m     matcher
	never bool
}

func eventParser(verb string, whole, never bool) expectParser {
	return func(l *loader, path string, n *yaml.Node) check {
		m, ok := l.matcher(n, path, whole, true)
		if !ok {
			return nil
		}
		return eventCheck{verb: verb, m: m, never: never}
	}
}

func (c eventCheck) matches(e caller.Event) bool {
	return e.Verb == c.verb && slices.ContainsFunc(targets(e), c.m.match)
}

func (c eventCheck) verify(res *sandbox.Result, from int) verdict {
	evs := res.Events
	name := strings.ToUpper(c.verb)
	if c.never {
		if i := slices.IndexFunc(evs, c.matches); i >= 0 {
			return verdict{why: fmt.Sprintf("event %d is %s", i+1, evs[i]), at: i}
		}
		return verdict{ok: true, at: -1}
	}
	for i := from; i < len(evs); i++ {
		if c.matches(evs[i]) {
			return verdict{ok: true, at: i + 1, next: true}
		}
	}
	after := "in the call"
	if from > 0 {
		after = fmt.Sprintf("after event %d", from)
	}
	if i := slices.IndexFunc(evs[:min(from, len(evs))], c.matches); i >= 0 {
		return verdict{why: fmt.Sprintf("no %s%s %s; event %d is one, before what the expectation above matched", name, c.m.describe(), after, i+1), at: i}
	}
	if i := c.nearest(evs, from); i >= 0 {
		return verdict{why: fmt.Sprintf("no %s%s %s; the nearest is event %d", name, c.m.describe(), after, i+1), at: i}
	}
	return verdict{why: fmt.Sprintf("no %s%s %s", name, c.m.describe(), after), at: from}
}

// nearest returns the event of c's verb, from from on, that comes closest to matching: the one
// holding the longest beginning of the text looked for (the first one, for a regexp); -1 when
// there is none.
func (c eventCheck) nearest(evs []caller.Event, from int) int {
	best, bestLen := -1, -1
	for i := from; i < len(evs); i++ {
		if evs[i].Verb != c.verb {
			continue
		}
		n := 0
		if c.m.re == nil {
			for _, t := range targets(evs[i]) {
				for k := len(c.m.text); k > n; k-- {
					if strings.Contains(t, c.m.text[:k]) {
						n = k
						break
					}
				}
			}
		}
		if n > bestLen {
			best, bestLen = i, n
		}
	}
	return best
}

// nodeCheck is node: the node the call ended at.
type nodeCheck struct{ name string }

// visitCheck is visit and no_visit: a node some request of the call reached (its route answered
// without an error flow).
type visitCheck struct {
	name  string
	never bool
}

func nodeParser(visit bool) expectParser {
	return func(l *loader, path string, n *yaml.Node) check {
		s, ok := l.str(n, path)
		if !ok {
			return nil
		}
		if visit {
			return visitCheck{name: s}
		}
		return nodeCheck{name: s}
	}
}

func (c nodeCheck) verify(res *sandbox.Result, _ int) verdict {
	if n := res.Node(); n != c.name {
		if n == "" {
			return verdict{why: "no request of the call reached a node of the flow", at: len(res.Events) - 1}
		}
		return verdict{why: fmt.Sprintf("the call ended at node %q", n), at: len(res.Events) - 1}
	}
	return verdict{ok: true, at: -1}
}

func (c visitCheck) verify(res *sandbox.Result, _ int) verdict {
	for i, r := range res.Requests {
		if r.Node == c.name && r.ErrorFlow == "" {
			if c.never {
				return verdict{why: fmt.Sprintf("request %d (%s %s) reached it", i+1, r.Method, r.Path), at: -1}
			}
			return verdict{ok: true, at: -1}
		}
	}
	if c.never {
		return verdict{ok: true, at: -1}
	}
	why := "no request of the call reached it; the call went through " + visited(res)
	for i, r := range res.Requests {
		if r.Node == c.name {
			why += fmt.Sprintf("; request %d (%s %s) heard the %s flow", i+1, r.Method, r.Path, r.ErrorFlow)
			break
		}
	}
	return verdict{why: why, at: -1}
}

// visited lists the nodes a call's requests reached, in order, without repeats in a row.
func visited(res *sandbox.Result) string {
	var names []string
	for _, r := range res.Requests {
		if r.Node != "" && r.ErrorFlow == "" && (len(names) == 0 || names[len(names)-1] != r.Node) {
			names = append(names, r.Node)
		}
	}
	if len(names) == 0 {
		return "no node"
	}
	return strings.Join(names, " → ")
}

// errorCheck is error and no_error: the kind of error flow a request of the call was answered
// with ("" for any).
type errorCheck struct {
	kind  string
	never bool
}

// errorKinds are the kinds of error flow, as flow.ErrorKind names them: every kind from 0 up to
// the first that has no name.
var errorKinds = func() []string {
	var kinds []string
	for k := flow.ErrorKind(0); !strings.HasPrefix(k.String(), "ErrorKind("); k++ {
		kinds = append(kinds, k.String())
	}
	return kinds
}()

func errorParser(never bool) expectParser {
	return func(l *loader, path string, n *yaml.Node) check {
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
			if _, ok := l.matcher(n, path, false, true); !ok {
				return nil
			}
			return errorCheck{never: never}
		}
		s, ok := l.str(n, path)
		if !ok {
			return nil
		}
		if !slices.Contains(errorKinds, s) {
			l.errorf(n, path, "must be true or one of %s; got %q%s", strings.Join(errorKinds, ", "), s, didyoumean.Hint(s, errorKinds))
			return nil
		}
		return errorCheck{kind: s, never: never}
	}
}

func (c errorCheck) verify(res *sandbox.Result, _ int) verdict {
	var heard []string
	for i, r := range res.Requests {
		if r.ErrorFlow == "" {
			continue
		}
		if c.kind == "" || r.ErrorFlow == c.kind {
			if c.never {
				return verdict{why: fmt.Sprintf("request %d (%s %s) heard the %s flow", i+1, r.Method, r.Path, r.ErrorFlow), at: -1}
			}
			return verdict{ok: true, at: -1}
		}
		heard = append(heard, r.ErrorFlow)
	}
	if c.never {
		return verdict{ok: true, at: -1}
	}
	if len(heard) == 0 {
		return verdict{why: "no request heard an error flow", at: -1}
	}
	return verdict{why: "the error flows heard were " + strings.Join(heard, ", "), at: -1}
}

// endCheck is end: how the call ended, as the simulator says it.
type endCheck struct{ m matcher }

func (c endCheck) verify(res *sandbox.Result, _ int) verdict {
	if res.End == "" {
		return verdict{why: "the call did not end as a call can", at: len(res.Events) - 1}
	}
	if !c.m.match(res.End) {
		return verdict{why: fmt.Sprintf("the call ended: %s", res.End), at: len(res.Events) - 1}
	}
	return verdict{ok: true, at: -1}
}
