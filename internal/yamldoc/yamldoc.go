// Package yamldoc parses text that must hold exactly one YAML document.
package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Error says why data is not one YAML document and where: Line is 1-based, Col is 0 when the
// parser did not say. Message is for a person and carries no position.
type Error struct {
	Line, Col int
	Message   string
}

func (e *Error) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("yamldoc: %d:%d: %s", e.Line, e.Col, e.Message)
	}
	return fmt.Sprintf("yamldoc: line %d: %s", e.Line, e.Message)
}

// Parse returns the root node of the one YAML document in data, or an Error: "the file is
// empty" (at 1:1) when data holds no document or an empty one; "a <what> holds one YAML
// document; remove this "---" and what follows" at the start of a second document; "invalid
// YAML: …" at the line the parser names (made 1-based) for a syntax error; and "the YAML parser
// failed: …" if the parser panics, which Parse recovers from, since data may be anyone's text.
// The root may be a null node (a file holding only "~"); callers decide what that means.
func Parse(data []byte, what string) (root *yaml.Node, perr *Error) {
	defer func() {
		if r := recover(); r != nil {
			root, perr = nil, &Error{Line: 1, Message: fmt.Sprintf("the YAML parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Line: 1, Col: 1, Message: "the file is empty"}
		}
		return nil, syntax(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &Error{Line: next.Line, Col: next.Column, Message: fmt.Sprintf("a %s holds one YAML document; remove this \"---\" and what follows", what)}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntax(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &Error{Line: 1, Col: 1, Message: "the file is empty"}
	}
	return doc.Content[0], nil
}

// yamlLine matches the parser's "yaml: line 3: message" errors.
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// parserProblems are the messages of yaml's parser (not its scanner). For those, yaml v3 reports
// a 0-based line (the start of the construct being parsed), and none at all for the first line.
var parserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"did not find expected node content", "did not find expected '-' indicator",
	"did not find expected key", "did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found undefined tag handle", "found incompatible YAML document", "found duplicate %YAML directive",
	"found duplicate %TAG directive",
}

func syntax(err error) *Error {
	e := &Error{Line: 1, Message: "invalid YAML: " + err.Error()}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		if slices.Contains(parserProblems, m[2]) {
			n++ // 0-based
		}
		e.Line, e.Message = max(n, 1), "invalid YAML: "+m[2]
	}
	return e
}

// IsNull reports whether n is a null scalar: "~", "null" or nothing at all after a key.
func IsNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// DescribeRunes bounds what Describe quotes of a node: a path that points at the wrong file (a
// file of secrets) must not be printed into logs by the errors that refuse it.
const DescribeRunes = 16

// Describe names what n holds, for "got …" messages: "a mapping", "a list", "an alias",
// "nothing", a number or boolean as written, or a quoted string; a scalar is cut after
// DescribeRunes runes, marked with "...".
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!null":
		return "nothing"
	case "!!int", "!!float", "!!bool":
		return Clip(n.Value, DescribeRunes)
	}
	return strconv.Quote(Clip(n.Value, DescribeRunes))
}

// Clip cuts s after max runes, marking the cut with "...".
func Clip(s string, max int) string {
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "..."
		}
		n++
	}
	return s
}
