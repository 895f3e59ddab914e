package framework

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const agentFlow = `version: 1
start: welcome
call_center: "+15555550100"
agents: {hosts: [agent.example.com]}
menus:
  welcome:
    gather:
      prompt: For the assistant press 0.
      options: {"0": assistant}
  assistant:
    agent:
      relay: wss://agent.example.com/relay
      welcome: Hi, how can I help?
      parameters: {topic: billing}
      on_end:
        transfer: {say: Connecting you to an agent., dial: call_center}
        menu: welcome
        default: {say: Goodbye., hangup: true}
      on_error: {say: The assistant is not available., goto: welcome}
errors:
  forbidden: {say: This call cannot continue., hangup: true}
`

const agentPolicy = "p, twilio, /ivr/*, view, allow\n"

// handOff enters the assistant menu for the test call and returns the state token the answer
// sealed into its Connect action, after checking the parameter carries the same token.
func handOff(t *testing.T, app *App) string {
	t.Helper()
	doc := twimlOf(t, call(t, app, "/ivr/assistant", principalstest.CallParams(otherNumber)))
	conn := doc.find("Connect")
	if conn == nil {
		t.Fatalf("no <Connect> in the assistant's answer")
	}
	action, err := url.Parse(conn.Attrs["action"])
	if err != nil || action.Path != "/ivr/assistant/agent" {
		t.Fatalf("Connect action = %q, want /ivr/assistant/agent?st=…", conn.Attrs["action"])
	}
	tok := action.Query().Get(StateParam)
	if tok == "" {
		t.Fatalf("Connect action %q carries no state token", conn.Attrs["action"])
	}
	params := map[string]string{}
	for _, p := range conn.find("ConversationRelay").Children {
		params[p.Attrs["name"]] = p.Attrs["value"]
	}
	if params["switchboard_state"] != tok || params["switchboard_menu"] != "assistant" || params["topic"] != "billing" {
		t.Errorf("parameters %v: want the action's token, the menu and topic", params)
	}
	return tok
}

func TestAgentHandoffGoesWhereTheHandoffDataSays(t *testing.T) {
	app := newTestApp(t, &Options{Flow: Text("agent.yaml", agentFlow), Policy: Text("policy.csv", agentPolicy), State: newSealer(t)})
	tok := handOff(t, app)
	for _, tc := range []struct {
		name    string
		status  string
		handoff string
		expect  string // what the caller hears first
	}{
		{"TransferDialsTheCallCenter", "completed", `{"reason":"transfer"}`, "Connecting you to an agent."},
		{"NextMenuGoesBackToTheMenu", "completed", `{"next":"menu"}`, ""},
		{"UnknownReasonGoesToDefault", "completed", `{"reason":"sing"}`, "Goodbye."},
		{"NoHandoffDataGoesToDefault", "completed", "", "Goodbye."},
		{"FailedSessionGoesToOnError", "failed", `{"reason":"transfer"}`, "The assistant is not available."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := principalstest.CallParams(otherNumber)
			p.Set("SessionStatus", tc.status)
			p.Set("SessionId", "GX0123")
			if tc.handoff != "" {
				p.Set("HandoffData", tc.handoff)
			}
			doc := twimlOf(t, call(t, app, "/ivr/assistant/agent?st="+tok, p))
			if got := firstSay(doc); got != tc.expect {
				t.Errorf("caller hears %q, want %q\n%v", got, tc.expect, doc.verbs())
			}
			if tc.name == "TransferDialsTheCallCenter" && doc.find("Number").Text != "+15555550100" {
				t.Errorf("transfer dials %q", doc.find("Number").Text)
			}
			if tc.name == "NextMenuGoesBackToTheMenu" && withoutState(doc.find("Redirect").Text) != "/ivr/welcome" {
				t.Errorf("next: menu redirects to %q", doc.find("Redirect").Text)
			}
		})
	}
}

func TestAgentReturnWithoutThisCallsTokenIsRefused(t *testing.T) {
	s := newSealer(t)
	app := newTestApp(t, &Options{Flow: Text("agent.yaml", agentFlow), Policy: Text("policy.csv", agentPolicy), State: s})
	other, err := s.Seal(otherCall, "/ivr/assistant/agent", callstate.State{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, target string }{
		{"NoToken", "/ivr/assistant/agent"},
		{"AnotherCallsToken", "/ivr/assistant/agent?st=" + other},
		{"GarbageToken", "/ivr/assistant/agent?st=AAAA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := principalstest.CallParams(otherNumber)
			p.Set("SessionStatus", "completed")
			p.Set("HandoffData", `{"reason":"transfer"}`)
			doc := twimlOf(t, call(t, app, tc.target, p))
			if got := firstSay(doc); got != "This call cannot continue." {
				t.Errorf("caller hears %q, want the forbidden flow", got)
			}
			if doc.find("Dial") != nil {
				t.Errorf("a return without this call's token was transferred")
			}
		})
	}
}

func TestAgentTokenIsNotSealedIntoURLsOfOtherHosts(t *testing.T) {
	app := newTestApp(t, &Options{Flow: Text("agent.yaml", agentFlow), Policy: Text("policy.csv", agentPolicy), State: newSealer(t)})
	w := call(t, app, "/ivr/assistant", principalstest.CallParams(otherNumber))
	relay := twimlOf(t, w).find("ConversationRelay")
	if strings.Contains(relay.Attrs["url"], "st=") {
		t.Errorf("the agent URL carries the token: %s", relay.Attrs["url"])
	}
}
