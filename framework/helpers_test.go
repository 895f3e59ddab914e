package framework

import (
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// testToken is the auth token the test apps check signatures against (not a real one).
const testToken = "0123456789abcdef0123456789abcdef"

// testHost is the host Twilio is pretended to call; requests are served in-process.
const testHost = "http://ivr.test"

// Numbers of the default policy.csv: a staff member, a blocked caller, and a stranger.
const (
	staffNumber   = "+15555550123"
	blockedNumber = "+15555550199"
	otherNumber   = "+15555550142"
)

// newTestApp returns an App with the Twilio policy on testToken, logging through t. opts may be
// nil; its Policies are replaced.
func newTestApp(t testing.TB, opts *Options) *App {
	t.Helper()
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(testToken)}})
	if err != nil {
		t.Fatal(err)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	o.Policies = append([]principals.Policy{tw}, o.Policies...)
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(tWriter{t}, nil))
	}
	app, err := New(&o)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// tWriter sends log lines to t.Log, so they show only for failing tests.
type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// call POSTs a request signed exactly as Twilio signs it to target (a path with optional query)
// and returns the recorded response.
func call(t testing.TB, h http.Handler, target string, params url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := principalstest.NewPOST(testToken, testHost+target, params)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// send serves r and returns the recorded response.
func send(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// node is a parsed XML element, for asserting on TwiML.
type node struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []*node
}

// twimlOf checks that w is what Twilio runs — 200, text/xml, well-formed <Response> — and parses it.
func twimlOf(t testing.TB, w *httptest.ResponseRecorder) *node {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body:\n%s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != twiml.ContentType {
		t.Fatalf("Content-Type %q, want %q; body:\n%s", ct, twiml.ContentType, w.Body)
	}
	n, err := parseXML(w.Body.String())
	if err != nil {
		t.Fatalf("malformed TwiML: %v\n%s", err, w.Body)
	}
	if n.Name != "Response" {
		t.Fatalf("root element <%s>, want <Response>", n.Name)
	}
	return n
}

func parseXML(s string) (*node, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tok)
			}
		}
	}
}

// find returns the first element named name in n's subtree, depth first, or nil.
func (n *node) find(name string) *node {
	if n == nil {
		return nil
	}
	if n.Name == name {
		return n
	}
	for _, c := range n.Children {
		if f := c.find(name); f != nil {
			return f
		}
	}
	return nil
}

// says returns the text of every <Say> in n's subtree, in order.
func (n *node) says() []string {
	var out []string
	var walk func(*node)
	walk = func(n *node) {
		if n.Name == "Say" {
			out = append(out, n.Text)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(n)
	return out
}

// verbs returns the names of n's children: the verbs of a <Response>.
func (n *node) verbs() []string {
	out := make([]string, len(n.Children))
	for i, c := range n.Children {
		out[i] = c.Name
	}
	return out
}

// stateTokens matches the state token the server appends to each callback URL of a call.
var stateTokens = regexp.MustCompile(`(\?|&amp;|&)` + StateParam + `=[A-Za-z0-9_-]+`)

// withoutState returns a TwiML document or URL without its state tokens, which differ per call.
func withoutState(s string) string { return stateTokens.ReplaceAllString(s, "") }
