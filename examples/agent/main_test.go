package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const (
	token    = "agent-example-test-token"
	ivrHost  = "https://ivr.example.com"
	relayURL = "wss://agent.example.com/relay" // as the flow names it, and Twilio signs it
)

// startAgent serves the agent on loopback as if behind agent.example.com's TLS proxy.
func startAgent(t *testing.T) *httptest.Server {
	t.Helper()
	env := map[string]string{"TWILIO_AUTH_TOKEN": token, "AGENT_PUBLIC_URL": "wss://agent.example.com"}
	h, err := newHandler(func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /relay", h)
	srv := httptest.NewServer(mux) // 127.0.0.1
	t.Cleanup(srv.Close)
	return srv
}

// newMenu serves flow.yaml as Twilio's webhook would reach it.
func newMenu(t *testing.T) *framework.App {
	t.Helper()
	text, err := os.ReadFile("flow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}, PublicURL: ivrHost})
	if err != nil {
		t.Fatal(err)
	}
	app, err := framework.New(&framework.Options{
		Flow:     framework.Text("flow.yaml", string(text)),
		Policy:   framework.Text("policy.csv", "p, twilio, /ivr/*, view, allow\n"),
		Policies: []principals.Policy{tw},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return app
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

func (e element) find(name string) *element {
	if e.XMLName.Local == name {
		return &e
	}
	for _, c := range e.Children {
		if f := c.find(name); f != nil {
			return f
		}
	}
	return nil
}

func (e element) says() []string {
	var out []string
	if e.XMLName.Local == "Say" {
		out = append(out, e.Text)
	}
	for _, c := range e.Children {
		out = append(out, c.says()...)
	}
	return out
}

// twilioPost sends the menu a request signed as Twilio signs it, for this call, and parses the
// TwiML.
func twilioPost(t *testing.T, app http.Handler, target string, extra ...string) element {
	t.Helper()
	p := principalstest.CallParams("+15555550142", extra...)
	w := httptest.NewRecorder()
	app.ServeHTTP(w, principalstest.NewPOST(token, ivrHost+target, p))
	if w.Code != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", target, w.Code, w.Body)
	}
	var doc element
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%s: %v\n%s", target, err, w.Body)
	}
	return doc
}

// relaySession plays Twilio's side of a ConversationRelay session: a signed handshake, the setup
// message with the TwiML's parameters, the caller's words; it returns what the agent said and
// its handoff data.
func relaySession(t *testing.T, agent *httptest.Server, signature string, params map[string]string, words ...string) (said []string, handoff string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(agent.URL, "http")+"/relay", &websocket.DialOptions{
		HTTPHeader: http.Header{"X-Twilio-Signature": {signature}},
	})
	if err != nil {
		t.Fatalf("handshake refused: %v", err)
	}
	defer c.CloseNow()
	send := func(m Message) {
		b, _ := json.Marshal(m)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	send(Message{Type: "setup", CallSID: "CA0123456789abcdef0123456789abcdef", CustomParameters: params})
	read := func() Message {
		var m Message
		if err := readJSON(ctx, c, &m); err != nil {
			t.Fatalf("reading the agent: %v", err)
		}
		return m
	}
	for i, w := range words {
		send(Message{Type: "prompt", VoicePrompt: w, Last: true})
		if m := read(); m.Type != "text" || !m.Last {
			t.Fatalf("the agent answered %q with %+v, want its text", w, m)
		} else {
			said = append(said, m.Token)
		}
		if i == len(words)-1 {
			if m := read(); m.Type != "end" {
				t.Fatalf("after %q the agent sent %+v, want the end of the session", w, m)
			} else {
				return said, m.HandoffData
			}
		}
	}
	return said, ""
}

// TestWholeCallMenuToAgentToTransfer drives one call end to end: the caller presses 0, the menu
// hands the call to the agent, Twilio opens the agent's WebSocket with a signed handshake, the
// caller asks for a person, the agent ends the session with {"reason":"transfer"}, and Twilio's
// Connect action brings the caller back to the menu, which transfers them to the call center.
func TestWholeCallMenuToAgentToTransfer(t *testing.T) {
	agent, menu := startAgent(t), newMenu(t)

	welcome := twilioPost(t, menu, "/ivr/welcome")
	if got := welcome.says(); len(got) == 0 || got[0] != "Thanks for calling Acme." {
		t.Fatalf("welcome says %q", got)
	}
	choice := twilioPost(t, menu, "/ivr/welcome/gather?i=0&n=0", "Digits", "0")
	if r := choice.find("Redirect"); r == nil || r.Text != "/ivr/assistant" {
		t.Fatalf("pressing 0 does not go to the assistant: %+v", choice)
	}
	handoff := twilioPost(t, menu, "/ivr/assistant")
	conn := handoff.find("Connect")
	relay := handoff.find("ConversationRelay")
	if conn == nil || relay == nil || relay.attr("url") != relayURL {
		t.Fatalf("the assistant does not connect %s: %+v", relayURL, handoff)
	}
	params := map[string]string{}
	for _, p := range relay.Children {
		params[p.attr("name")] = p.attr("value")
	}
	action, err := url.Parse(conn.attr("action"))
	if err != nil || params["switchboard_state"] == "" || action.Query().Get(framework.StateParam) != params["switchboard_state"] {
		t.Fatalf("the Connect action %q and the switchboard_state parameter %q must carry the same token", conn.attr("action"), params["switchboard_state"])
	}

	said, data := relaySession(t, agent, principalstest.Sign(token, relayURL, nil), params, "What do I owe?", "I want to talk to a person")
	if len(said) != 2 || said[1] != "Sure, I will transfer you to a person." {
		t.Errorf("the agent said %q", said)
	}
	if !strings.Contains(data, `"reason":"transfer"`) || !strings.Contains(data, `"menu":"assistant"`) {
		t.Errorf("handoff data %s", data)
	}

	back := twilioPost(t, menu, action.RequestURI(), "SessionId", "GX0123", "SessionStatus", "completed", "SessionDuration", "42", "HandoffData", data)
	if got := back.says(); len(got) != 1 || got[0] != "Connecting you to a person." {
		t.Errorf("back from the agent the caller hears %q", got)
	}
	if n := back.find("Number"); n == nil || n.Text != "+15555550100" {
		t.Errorf("the transfer does not dial the call center: %+v", back)
	}
}

// A handshake Twilio did not sign is refused before any WebSocket exists: forged signatures, a
// signature over another URL, none at all.
func TestForgedHandshakeIsRefused(t *testing.T) {
	agent := startAgent(t)
	for _, tc := range []struct{ name, signature string }{
		{"SignedWithAnotherToken", principalstest.Sign("not-the-token", relayURL, nil)},
		{"SignedOverAnotherURL", principalstest.Sign(token, "wss://agent.example.com/other", nil)},
		{"SignedOverHTTPSNotWSS", principalstest.Sign(token, "https://agent.example.com/relay", nil)},
		{"NoSignature", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			h := http.Header{}
			if tc.signature != "" {
				h.Set("X-Twilio-Signature", tc.signature)
			}
			c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(agent.URL, "http")+"/relay", &websocket.DialOptions{HTTPHeader: h})
			if err == nil {
				c.CloseNow()
				t.Fatal("the handshake was accepted")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Errorf("response %v, want 403", resp)
			}
		})
	}
}

// The same check on a handshake built by principalstest.NewHandshake, in process.
func TestHandshakeSignedAsTwilioSignsItIsVouchedFor(t *testing.T) {
	env := map[string]string{"TWILIO_AUTH_TOKEN": token, "AGENT_PUBLIC_URL": "wss://agent.example.com"}
	h, err := newHandler(func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := h.Twilio.Authenticate(principalstest.NewHandshake(token, relayURL)); !ok {
		t.Errorf("Twilio's handshake is not vouched for: %v", err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, principalstest.NewHandshake("forged", relayURL))
	if w.Code != http.StatusForbidden {
		t.Errorf("forged handshake: status %d, want 403", w.Code)
	}
}

func TestScriptedReplies(t *testing.T) {
	for _, tc := range []struct{ given, end string }{
		{"Can I talk to a person?", "transfer"},
		{"Back to the menu please", "menu"},
		{"bye", "goodbye"},
		{"What is my balance?", ""},
	} {
		if got := script(tc.given); got.End != tc.end || got.Say == "" {
			t.Errorf("script(%q) = %+v, want end %q", tc.given, got, tc.end)
		}
	}
}

func TestMissingTokenIsAClearError(t *testing.T) {
	_, err := newHandler(func(string) string { return "" }, slog.Default())
	if err == nil || !strings.Contains(err.Error(), "TWILIO_AUTH_TOKEN") {
		t.Errorf("err = %v", err)
	}
}
