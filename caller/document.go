package caller

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// MaxDocument is the largest TwiML document Twilio accepts, in bytes.
const MaxDocument = 64 * 1024

// An Element is one element of a TwiML document as Twilio reads it: a tree rather than the twiml
// package's types, so that unknown verbs are seen as they are.
type Element struct {
	Name     string // such as "Say"
	Attrs    []xml.Attr
	Children []*Element

	text string // the character data directly inside, in order
	all  string // all the character data inside, children's included (SSML in <Say>)
}

// Attr returns the value of the attribute name, or "".
func (e *Element) Attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// Text returns the character data inside e, children's included, with runs of white space
// collapsed to one space: what a <Say> says.
func (e *Element) Text() string { return strings.Join(strings.Fields(e.all), " ") }

// Find returns every element named name inside e, depth first.
func (e *Element) Find(name string) []*Element {
	var out []*Element
	for _, k := range e.Children {
		if k.Name == name {
			out = append(out, k)
		}
		out = append(out, k.Find(name)...)
	}
	return out
}

func (e *Element) errorf(format string, a ...any) error {
	return fmt.Errorf("<%s>: %s", e.Name, fmt.Sprintf(format, a...))
}

// ReadResponse reads a webhook's answer as Twilio reads it and returns its <Response>. It
// refuses, with an error saying why, what Twilio would refuse: a status other than 200 (HTTP
// redirects included), a content type other than text/xml or application/xml, a document over
// [MaxDocument] bytes, and malformed TwiML. It reads and closes resp.Body.
func ReadResponse(resp *http.Response) (*Element, error) {
	e, err := readResponse(resp)
	if err != nil {
		return nil, fmt.Errorf("caller: %w", err)
	}
	return e, nil
}

// readResponse is ReadResponse without the package's prefix on its errors, for Call.Run, which
// adds it once to whatever it returns.
func readResponse(resp *http.Response) (*Element, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s; Twilio wants 200 with TwiML, and would say its application error and hang up", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !isXML(ct) {
		return nil, fmt.Errorf("Content-Type %q; Twilio wants text/xml or application/xml, and would say its application error and hang up", ct)
	}
	doc, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w; Twilio would say its application error and hang up", err)
	}
	return doc, nil
}

// isXML reports whether contentType is one Twilio reads as TwiML.
func isXML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/xml" || mt == "application/xml")
}

// parse parses a document whose root must be <Response>.
func parse(data []byte) (*Element, error) {
	if len(data) > MaxDocument {
		return nil, fmt.Errorf("the document is over Twilio's %d bytes", MaxDocument)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root *Element
	var stack []*Element
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
			e := &Element{Name: t.Name.Local, Attrs: t.Attr}
			switch {
			case len(stack) > 0:
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, e)
			case root != nil:
				return nil, fmt.Errorf("malformed TwiML: a second root element <%s>", e.Name)
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
	case root.Name != "Response":
		return nil, fmt.Errorf("malformed TwiML: the root element is <%s>, not <Response>", root.Name)
	case strings.TrimSpace(root.text) != "":
		return nil, fmt.Errorf("malformed TwiML: text %q directly inside <Response>", strings.TrimSpace(root.text))
	}
	return root, nil
}
