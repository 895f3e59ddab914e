package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxTwiML is the largest document Twilio accepts.
const maxTwiML = 64 * 1024

// element is one parsed TwiML element. The simulator reads documents as a tree rather than
// into the twiml package's types, so that it sees them as Twilio does, unknown verbs included.
type element struct {
	name  string
	attrs []xml.Attr
	text  string // the character data directly inside, in order
	all   string // all the character data inside, children's included (for SSML in <Say>)
	kids  []*element
}

// attr returns the value of the attribute name, or "".
func (e *element) attr(name string) string {
	for _, a := range e.attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// content returns the element's text with runs of white space collapsed to one space.
func (e *element) content() string { return strings.Join(strings.Fields(e.all), " ") }

func (e *element) errorf(format string, a ...any) error {
	return fmt.Errorf("<%s>: %s", e.name, fmt.Sprintf(format, a...))
}

// parseTwiML parses a document whose root must be <Response>.
func parseTwiML(data []byte) (*element, error) {
	if len(data) > maxTwiML {
		return nil, fmt.Errorf("the document is %d bytes, over Twilio's %d", len(data), maxTwiML)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root *element
	var stack []*element
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed TwiML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &element{name: t.Name.Local, attrs: t.Attr}
			switch {
			case len(stack) > 0:
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, e)
			case root != nil:
				return nil, fmt.Errorf("malformed TwiML: a second root element <%s>", e.name)
			default:
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, fmt.Errorf("malformed TwiML: text outside <Response>")
				}
				continue
			}
			stack[len(stack)-1].text += string(t)
			for _, e := range stack {
				e.all += string(t)
			}
		}
	}
	switch {
	case root == nil:
		return nil, errors.New("malformed TwiML: the document is empty")
	case root.name != "Response":
		return nil, fmt.Errorf("malformed TwiML: the root element is <%s>, not <Response>", root.name)
	case strings.TrimSpace(root.text) != "":
		return nil, fmt.Errorf("malformed TwiML: text %q directly inside <Response>", strings.TrimSpace(root.text))
	}
	return root, nil
}

// dialTargets returns what a <Dial> connects to, as the transcript prints them: numbers and SIP
// URIs as they are, "client:NAME", "conference NAME", "queue NAME".
func dialTargets(d *element) ([]string, error) {
	if len(d.kids) == 0 {
		n := d.content()
		if n == "" {
			return nil, d.errorf("nothing to dial: put a number in it or a noun such as <Number>")
		}
		return []string{n}, nil
	}
	var out []string
	for _, k := range d.kids {
		text := k.content()
		if text == "" {
			return nil, fmt.Errorf("<Dial><%s>: empty", k.name)
		}
		switch k.name {
		case "Number", "Sip":
			out = append(out, text)
		case "Client":
			out = append(out, "client:"+text)
		case "Conference":
			out = append(out, "conference "+text)
		case "Queue":
			out = append(out, "queue "+text)
		case "Application":
			out = append(out, "application "+text)
		default:
			return nil, fmt.Errorf("<Dial> cannot contain <%s>", k.name)
		}
	}
	return out, nil
}
