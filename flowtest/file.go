package flowtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/internal/didyoumean"
	"github.com/switchboard-ivr/switchboard/internal/yamldoc"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

// A File is a loaded test file: the flow it tests and the calls it places.
type File struct {
	// Path is the file's name, as given to [Load] or [Parse].
	Path string
	// Flow, Policy and Model are the files named, resolved against the test file's directory;
	// empty when not set.
	Flow, Policy, Model string
	// PINs is the PIN secrets file the flow's pin nodes check, resolved likewise; empty when not
	// set. A test reads it as text, whatever its mode: a test's PINs are not secrets.
	PINs string
	// At is the clock of business hours for calls that set none; zero for the real clock.
	At time.Time
	// Backends stub the flow's backends by name: a JSON file of the answer every fetch gets,
	// resolved like Flow, or "fail" for a backend that fails every fetch (see sandbox.LoadStub).
	// A backend the file does not stub fails every fetch.
	Backends map[string]string
	// Calls are the calls, in file order.
	Calls []*Call
}

// A Call is one simulated call and what it must do.
type Call struct {
	Name string
	Pos  flow.Pos // where the call's entry starts in the file
	// From and To are the caller's and the called number; empty for caller.Call's defaults.
	From, To string
	// Answers answer the call's gathers, in order; once they run out, the caller is silent.
	Answers []caller.Answer
	// At is the clock of business hours; zero for the file's, or the real clock.
	At time.Time
	// DialStatus is what a Dial's action hears; empty for "completed".
	DialStatus string
	// AgentEnd is the handoff data (JSON) every agent session of the call ends with, at once;
	// empty stops the call at an agent unless AgentFailed.
	AgentEnd string
	// AgentFailed ends every agent session as failed (the on_error branch).
	AgentFailed bool
	// Path is the route the call starts at, such as "/ivr/reminder" for an outbound call's
	// entry; empty for the flow's start.
	Path string
	// Direction is sent as Direction: empty for "inbound", or "outbound-api".
	Direction string
	// Attest is the SHAKEN/STIR attestation of the caller's number, sent as StirVerstat: "A",
	// "B" or "C" (TN-Validation-Passed-…), "failed" or "none"; empty sends none.
	Attest string
	// Forged signs the call's requests with a token that is not the server's, as a forger
	// would: every request hears the unauthenticated error flow.
	Forged bool
	// Expect is what the call must, or must never, do, in file order.
	Expect []Expectation
}

// Load reads and parses the test file at path. See [Parse].
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, flow.Problem{Pos: flow.Pos{File: path}, Message: "cannot read the test file: " + msg}
	}
	return Parse(path, data)
}

// Parse parses a test file; name is where it came from, used in errors and to resolve the files
// it names. The error joins every problem found (each a [flow.Problem], with file:line:col).
// Parse reads nothing but data: the flow is loaded when the calls run.
func Parse(name string, data []byte) (*File, error) {
	l := &loader{file: name}
	root := l.parse(data)
	if root == nil {
		return nil, l.probs.Err()
	}
	f := &File{Path: name}
	l.top(f, root)
	slices.SortStableFunc(l.probs, func(a, b flow.Problem) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
	if err := l.probs.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// maxFileSize bounds a test file. A test file is written by hand; anything larger is a mistake.
const maxFileSize = 4 << 20

// loader walks the YAML nodes of one test file and collects every problem with its position.
type loader struct {
	file  string
	probs flow.Problems
}

func (l *loader) errorf(n *yaml.Node, path, format string, args ...any) {
	p := flow.Problem{Pos: flow.Pos{File: l.file}, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Pos.Line, p.Pos.Col = n.Line, n.Column
	}
	l.probs = append(l.probs, p)
}

// parse returns the root mapping of the one YAML document in data, or nil with a problem.
func (l *loader) parse(data []byte) *yaml.Node {
	if len(data) > maxFileSize {
		l.errorf(&yaml.Node{Line: 1, Column: 1}, "", "the file is over %d MiB; a test file is written by hand", maxFileSize>>20)
		return nil
	}
	root, err := yamldoc.Parse(data, "test file")
	if err != nil {
		l.probs = append(l.probs, flow.Problem{Pos: flow.Pos{File: l.file, Line: err.Line, Col: err.Col}, Message: err.Message})
		return nil
	}
	if yamldoc.IsNull(root) {
		l.errorf(&yaml.Node{Line: 1, Column: 1}, "", "the file is empty")
		return nil
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "", "a test file is a mapping with flow: and calls:, got %s", yamldoc.Describe(root))
		return nil
	}
	return root
}

// pair is one key and its value in a mapping.
type pair struct{ key, val *yaml.Node }

// mapping returns the pairs of n, reporting a node that is no mapping, keys that are not plain
// strings, duplicate keys, aliases and keys not in known (with a suggestion).
func (l *loader) mapping(n *yaml.Node, path, what string, known []string) []pair {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, path, "%s must be a mapping, got %s", what, yamldoc.Describe(n))
		return nil
	}
	var out []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			l.errorf(k, path, "keys must be plain strings, got %s", yamldoc.Describe(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			l.errorf(k, path, "duplicate key %q (first at line %d)", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		if !slices.Contains(known, k.Value) {
			if n.Style&yaml.FlowStyle != 0 && yamldoc.IsNull(v) && i > 0 {
				l.errorf(k, path, "unknown key %q: inside {…} a comma ends a value; quote text that holds one", k.Value)
				continue
			}
			l.errorf(k, path, "unknown key %q%s", k.Value, didyoumean.Hint(k.Value, known))
			continue
		}
		if v.Kind == yaml.AliasNode {
			l.errorf(v, join(path, k.Value), "aliases (*name) are not supported in a test file; write the value out")
			continue
		}
		out = append(out, pair{k, v})
	}
	return out
}

// fileKeys are the keys of a test file's top level.
var fileKeys = []string{"flow", "policy", "model", "pins", "at", "backends", "calls"}

func (l *loader) top(f *File, root *yaml.Node) {
	dir := filepath.Dir(l.file)
	var calls *yaml.Node
	for _, p := range l.mapping(root, "", "a test file", fileKeys) {
		switch k := p.key.Value; k {
		case "flow", "policy", "model", "pins":
			name, ok := l.str(p.val, k)
			if !ok {
				continue
			}
			if name == "" {
				l.errorf(p.val, k, "must name a file")
				continue
			}
			if !filepath.IsAbs(name) {
				name = filepath.Join(dir, name)
			}
			switch k {
			case "flow":
				f.Flow = name
			case "policy":
				f.Policy = name
			case "pins":
				f.PINs = name
			default:
				f.Model = name
			}
		case "at":
			f.At = l.time(p.val, k)
		case "backends":
			l.backends(f, p.val, dir)
		case "calls":
			calls = p.val
		}
	}
	if calls == nil {
		l.errorf(root, "", "calls: is missing: a test file places at least one call")
		return
	}
	if calls.Kind != yaml.SequenceNode || len(calls.Content) == 0 {
		l.errorf(calls, "calls", "must be a list of calls, each with a name and expect:, got %s", yamldoc.Describe(calls))
		return
	}
	names := map[string]int{}
	for i, n := range calls.Content {
		c := l.call(n, "calls["+strconv.Itoa(i)+"]")
		if c == nil {
			continue
		}
		if line, dup := names[c.Name]; dup {
			l.errorf(n, "calls["+strconv.Itoa(i)+"].name", "another call is named %q (line %d); names must be unique", c.Name, line)
		}
		names[c.Name] = n.Line
		f.Calls = append(f.Calls, c)
	}
}

// backends reads backends: {name: stub.json | fail}.
func (l *loader) backends(f *File, n *yaml.Node, dir string) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "backends", "must be a mapping of backend names to stub files (or fail), got %s", yamldoc.Describe(n))
		return
	}
	f.Backends = map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := join("backends", k.Value)
		name, ok := l.str(v, path)
		if !ok {
			continue
		}
		if _, dup := f.Backends[k.Value]; dup {
			l.errorf(k, path, "backend %q is stubbed twice", k.Value)
			continue
		}
		if name == "" {
			l.errorf(v, path, "must name a stub file (a JSON answer) or be fail")
			continue
		}
		if name != "fail" && !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		if _, err := sandbox.LoadStub(name); err != nil { // a missing or malformed stub, here with its position
			l.errorf(v, path, "%v", err)
			continue
		}
		f.Backends[k.Value] = name
	}
}

// A callField reads one key of a call into it. To add a field to calls (a caller's
// attestation, a PIN to enter, a backend's stubbed answers), add its key here and a field to
// Call; [Run] passes it on.
type callField func(l *loader, c *Call, path string, n *yaml.Node)

var callFields = map[string]callField{
	"name": func(l *loader, c *Call, path string, n *yaml.Node) {
		if s, ok := l.str(n, path); ok {
			if strings.TrimSpace(s) == "" {
				l.errorf(n, path, "must not be empty")
			}
			c.Name = s
		}
	},
	"from":        func(l *loader, c *Call, path string, n *yaml.Node) { c.From = l.number(n, path) },
	"to":          func(l *loader, c *Call, path string, n *yaml.Node) { c.To = l.number(n, path) },
	"press":       func(l *loader, c *Call, path string, n *yaml.Node) { c.Answers = l.answerList(n, path, caller.Press) },
	"say":         func(l *loader, c *Call, path string, n *yaml.Node) { c.Answers = l.answerList(n, path, caller.Say) },
	"answers":     func(l *loader, c *Call, path string, n *yaml.Node) { c.Answers = l.answers(n, path) },
	"at":          func(l *loader, c *Call, path string, n *yaml.Node) { c.At = l.time(n, path) },
	"dial_status": func(l *loader, c *Call, path string, n *yaml.Node) { c.DialStatus = l.dialStatus(n, path) },
	"attest": func(l *loader, c *Call, path string, n *yaml.Node) {
		if s, ok := l.str(n, path); ok {
			if _, ok := StirVerstat(s); !ok {
				l.errorf(n, path, "must be A, B, C, failed or none; got %q", s)
			}
			c.Attest = s
		}
	},
	"expect": func(l *loader, c *Call, path string, n *yaml.Node) { c.Expect = l.expectations(n, path) },
	"path":   func(l *loader, c *Call, path string, n *yaml.Node) { c.Path = l.routePath(n, path) },
	"direction": func(l *loader, c *Call, path string, n *yaml.Node) {
		if s, ok := l.str(n, path); ok && s != "inbound" && s != "outbound-api" {
			l.errorf(n, path, "must be inbound or outbound-api; got %q", s)
		} else {
			c.Direction = s
		}
	},
	"agent_end": func(l *loader, c *Call, path string, n *yaml.Node) { c.AgentEnd = l.handoff(n, path) },
	"agent_failed": func(l *loader, c *Call, path string, n *yaml.Node) {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&c.AgentFailed) != nil {
			l.errorf(n, path, "must be true or false, got %s", yamldoc.Describe(n))
		}
	},
	"forged": func(l *loader, c *Call, path string, n *yaml.Node) {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&c.Forged) != nil {
			l.errorf(n, path, "must be true or false, got %s", yamldoc.Describe(n))
		}
	},
}

func (l *loader) call(n *yaml.Node, path string) *Call {
	c := &Call{Pos: flow.Pos{File: l.file, Line: n.Line, Col: n.Column}}
	pairs := l.mapping(n, path, "a call", sortedKeys(callFields))
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var hasName, hasExpect bool
	answers := 0
	for _, p := range pairs {
		k := p.key.Value
		callFields[k](l, c, join(path, k), p.val)
		switch k {
		case "name":
			hasName = true
		case "expect":
			hasExpect = true
		case "press", "say", "answers":
			answers++
			if answers == 2 {
				l.errorf(p.key, path, "press, say and answers together lose the order of the answers: use answers: [{press: \"2\"}, {say: billing}]")
			}
		}
	}
	if !hasName {
		l.errorf(n, path, "name: is missing: every call has a name, printed with its result")
	}
	if !hasExpect {
		l.errorf(n, path, "expect: is missing: a call with no expectation tests nothing")
	}
	return c
}

// handoff reads an agent's handoff data: a mapping, written as the JSON the agent sends
// ({reason: transfer}), or a string of JSON.
func (l *loader) handoff(n *yaml.Node, path string) string {
	if n.Kind == yaml.MappingNode {
		var v map[string]any
		if err := n.Decode(&v); err != nil {
			l.errorf(n, path, "must be handoff data such as {reason: transfer}: %v", err)
			return ""
		}
		b, err := json.Marshal(v)
		if err != nil {
			l.errorf(n, path, "must be handoff data such as {reason: transfer}: %v", err)
			return ""
		}
		return string(b)
	}
	s, ok := l.str(n, path)
	if ok && !json.Valid([]byte(s)) {
		l.errorf(n, path, `must be handoff data: a mapping such as {reason: transfer}, or JSON; got %q`, s)
	}
	return s
}

// str returns the text of a scalar.
func (l *loader) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || yamldoc.IsNull(n) {
		l.errorf(n, path, "must be a string, got %s", yamldoc.Describe(n))
		return "", false
	}
	return n.Value, true
}

func (l *loader) number(n *yaml.Node, path string) string {
	s, ok := l.str(n, path)
	if ok && !principals.IsE164(s) {
		l.errorf(n, path, "must be an E.164 phone number: + then 8 to 15 digits, like +15555550142; got %q", s)
	}
	return s
}

// routePath reads the path a call starts at: an absolute URL path, no query.
func (l *loader) routePath(n *yaml.Node, path string) string {
	s, ok := l.str(n, path)
	if ok && (!strings.HasPrefix(s, "/") || strings.ContainsAny(s, "?# ")) {
		l.errorf(n, path, "must be a route's path such as /ivr/reminder; got %q", s)
	}
	return s
}

func (l *loader) time(n *yaml.Node, path string) time.Time {
	s, ok := l.str(n, path)
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		l.errorf(n, path, "must be a time in RFC 3339, such as \"2026-12-06T12:00:00-05:00\"; got %q", s)
	}
	return t
}

func (l *loader) dialStatus(n *yaml.Node, path string) string {
	s, ok := l.str(n, path)
	if ok && !slices.Contains(caller.DialStatuses(), s) {
		l.errorf(n, path, "must be one of %s; got %q", strings.Join(caller.DialStatuses(), ", "), s)
	}
	return s
}

// answerList reads press: or say:, a scalar or a list of scalars.
func (l *loader) answerList(n *yaml.Node, path string, answer func(string) caller.Answer) []caller.Answer {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []caller.Answer
	for i, it := range items {
		p := path
		if n.Kind == yaml.SequenceNode {
			p = path + "[" + strconv.Itoa(i) + "]"
		}
		if s, ok := l.str(it, p); ok {
			out = append(out, answer(s))
		}
	}
	return out
}

// answers reads answers: a list of {press: D}, {say: W}, silence and hangup.
func (l *loader) answers(n *yaml.Node, path string) []caller.Answer {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, path, "must be a list of {press: digits}, {say: words}, silence or hangup; got %s", yamldoc.Describe(n))
		return nil
	}
	var out []caller.Answer
	for i, it := range n.Content {
		p := path + "[" + strconv.Itoa(i) + "]"
		if it.Kind == yaml.ScalarNode {
			switch it.Value {
			case "silence":
				out = append(out, caller.Silence())
			case "hangup":
				out = append(out, caller.HangUp())
			default:
				l.errorf(it, p, "unknown answer %q: an answer is {press: digits}, {say: words}, silence or hangup", it.Value)
			}
			continue
		}
		pairs := l.mapping(it, p, "an answer", []string{"press", "say"})
		if len(pairs) != 1 {
			if it.Kind == yaml.MappingNode && len(it.Content) != 2 {
				l.errorf(it, p, "an answer is one of {press: digits} or {say: words}")
			}
			continue
		}
		k := pairs[0].key.Value
		if s, ok := l.str(pairs[0].val, join(p, k)); ok {
			if k == "press" {
				out = append(out, caller.Press(s))
			} else {
				out = append(out, caller.Say(s))
			}
		}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
