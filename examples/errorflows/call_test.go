package main

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// testToken is the auth token the tests sign with (not a real one).
const testToken = "0123456789abcdef0123456789abcdef"

// testHost is the host Twilio is pretended to call; requests are served in-process.
const testHost = "http://ivr.test"

// phone places a call through h as Twilio would: every request is signed with token, and the
// TwiML that comes back is followed the way Twilio follows it.
type phone struct {
	t     *testing.T
	h     http.Handler
	token string
	from  string
}

// element is a parsed TwiML element.
type element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []element  `xml:",any"`
}

func (e element) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// post sends one signed webhook to target (a path, with any query) and parses the TwiML.
func (p *phone) post(target string, extra ...string) element {
	p.t.Helper()
	params := url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"},
		"CallSid":    {"CA0123456789abcdef0123456789abcdef"},
		"From":       {p.from},
		"To":         {"+15555550100"},
		"Direction":  {"inbound"},
		"CallStatus": {"in-progress"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		params.Set(extra[i], extra[i+1])
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, principalstest.NewPOST(p.token, testHost+target, params))
	return parseTwiML(p.t, w)
}

// parseTwiML checks that w is what Twilio runs (200, text/xml, a <Response>) and parses it.
func parseTwiML(t *testing.T, w *httptest.ResponseRecorder) element {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body:\n%s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		t.Fatalf("Content-Type %q, want text/xml", ct)
	}
	var doc element
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("malformed TwiML: %v\n%s", err, w.Body)
	}
	if doc.XMLName.Local != "Response" {
		t.Fatalf("root <%s>, want <Response>", doc.XMLName.Local)
	}
	return doc
}

// walk enters the call at path and runs the TwiML as Twilio would, answering each <Gather>
// with the next of keys ("" is silence: Twilio falls through to the next verb). It returns one
// event a line, as `switchboard simulate` prints them, and stops at a Dial, Record, Enqueue,
// Hangup, the end of a document, or a Gather with no keys left.
func (p *phone) walk(path string, keys ...string) []string {
	p.t.Helper()
	var events []string
	here := path
	doc := p.post(here)
	for steps := 0; steps < 50; steps++ {
		next, extra := "", []string(nil)
	verbs:
		for _, v := range doc.Children {
			switch v.XMLName.Local {
			case "Say":
				events = append(events, "SAY "+v.Text)
			case "Play":
				events = append(events, "PLAY "+v.Text)
			case "Pause":
				events = append(events, "PAUSE "+v.attr("length"))
			case "Gather":
				for _, c := range v.Children {
					if c.XMLName.Local == "Say" {
						events = append(events, "SAY "+c.Text)
					}
				}
				if len(keys) == 0 {
					return append(events, "GATHER waiting")
				}
				k := keys[0]
				keys = keys[1:]
				if k == "" {
					events = append(events, "GATHER silence")
					continue
				}
				events = append(events, "GATHER pressed "+k)
				next, extra = v.attr("action"), []string{"Digits", k}
				break verbs
			case "Redirect":
				events = append(events, "REDIRECT "+v.Text)
				next = v.Text
				break verbs
			case "Dial":
				return append(events, "DIAL "+strings.TrimSpace(v.Children[0].Text))
			case "Record":
				return append(events, "RECORD")
			case "Enqueue":
				return append(events, "ENQUEUE "+v.Text)
			case "Hangup":
				return append(events, "HANGUP")
			default:
				p.t.Fatalf("unexpected verb <%s> at %s", v.XMLName.Local, here)
			}
		}
		if next == "" {
			return append(events, "END")
		}
		base, _ := url.Parse(here)
		ref, err := url.Parse(next)
		if err != nil {
			p.t.Fatalf("bad URL %q at %s: %v", next, here, err)
		}
		here = base.ResolveReference(ref).String()
		doc = p.post(here, extra...)
	}
	p.t.Fatalf("more than 50 documents: %q", events)
	return nil
}

// testLogger sends the app's log lines to t.Log, so they show only when a test fails.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, nil))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
