package framework

import (
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const languagesFlow = `version: 1
start: welcome
call_center: "+15555550100"
languages: {default: en-US, others: [es-MX], by_called: {"+15555550150": es-MX}}
defaults: {voices: {es-MX: Polly.Mia}}
menus:
  welcome:
    say: {en-US: Thanks for calling., es-MX: Gracias por llamar.}
    gather:
      prompt: {en-US: For staff press 1. Para español oprima 9., es-MX: Para el personal oprima 1. For English press 8.}
      options:
        "1": staff
        "8": {language: en-US}
        "9": {language: es-MX}
  staff:
    permission: staff
    say: {en-US: Staff line., es-MX: Línea del personal.}
    hangup: true
errors:
  forbidden: {say: {en-US: This line is for staff., es-MX: Esta línea es para el personal.}, hangup: true}
  not_found: {say: {en-US: That option is not available., es-MX: Esa opción no está disponible.}, goto: welcome}
`

// gatherURL returns the path and query of the <Gather action> in doc.
func gatherURL(t *testing.T, doc *node) string {
	t.Helper()
	g := doc.find("Gather")
	if g == nil {
		t.Fatalf("no <Gather>: %v", doc.verbs())
	}
	return g.Attrs["action"]
}

// The called number starts the call in Spanish; the language then rides in every URL, sealed
// in the call's state token with the rest of the query, and holds on the next request.
func TestTheCalledNumbersLanguageRidesInTheSealedStateToken(t *testing.T) {
	s := newSealer(t)
	app := newTestApp(t, &Options{Flow: Text("lang.yaml", languagesFlow), Policy: Text("policy.csv", agentPolicy), State: s})
	doc := twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber, "Called", "+15555550150")))
	if got := firstSay(doc); got != "Gracias por llamar." {
		t.Fatalf("a call to the Spanish number hears %q", got)
	}
	action := gatherURL(t, doc)
	u, err := url.Parse(action)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Open(u.Query().Get(StateParam), thisCall, u.Path, time.Now())
	if err != nil || st.Data != "i=0&n=0&l=es-MX" {
		t.Fatalf("the gather URL %q: token %v, Data %q; want the query with l=es-MX sealed", action, err, st.Data)
	}
	// Silence: the retry is in Spanish, whatever number the request says it called.
	doc = twimlOf(t, call(t, app, action, principalstest.CallParams(otherNumber, "Called", "+15555550100")))
	if got := firstSay(doc); got != "Lo sentimos, no recibimos su opción." {
		t.Errorf("the Spanish call's silence hears %q", got)
	}
	// Pressing 8 switches to English for good: the next URL names en-US, which the Spanish
	// number's by_called no longer overrides.
	doc = twimlOf(t, call(t, app, action, principalstest.CallParams(otherNumber, "Called", "+15555550150", "Digits", "8")))
	next := doc.find("Redirect").Text
	if withoutState(next) != "/ivr/welcome?l=en-US" {
		t.Fatalf("pressing 8 redirects to %q", next)
	}
	doc = twimlOf(t, call(t, app, next, principalstest.CallParams(otherNumber, "Called", "+15555550150")))
	if got := firstSay(doc); got != "Thanks for calling." {
		t.Errorf("after choosing English the caller hears %q", got)
	}
}

// A language in the URL counts only when this server sealed it for this call: a URL that names
// another language than its token, or names one with no token, is refused.
func TestALanguageTheServerDidNotSealIsRefused(t *testing.T) {
	s := newSealer(t)
	app := newTestApp(t, &Options{Flow: Text("lang.yaml", languagesFlow), Policy: Text("policy.csv", agentPolicy), State: s})
	tok, err := s.Seal(thisCall, "/ivr/welcome/gather", callstate.State{Data: "i=0&n=0&l=es-MX"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, target string }{
		{"NoToken", "/ivr/welcome?l=es-MX"},
		{"AnotherLanguageThanSealed", "/ivr/welcome/gather?i=0&n=0&l=en-US&st=" + tok},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := twimlOf(t, call(t, app, tc.target, principalstest.CallParams(otherNumber, "Digits", "1")))
			if got := firstSay(doc); !strings.Contains(got, "not available") && !strings.Contains(got, "no está disponible") {
				t.Errorf("caller hears %q, want the not-found flow", got)
			}
		})
	}
}

// A refusal answers in the call's language: the forbidden flow of a Spanish call is Spanish.
func TestErrorFlowsSpeakTheCallsLanguage(t *testing.T) {
	s := newSealer(t)
	app := newTestApp(t, &Options{Flow: Text("lang.yaml", languagesFlow), Policy: Text("policy.csv", agentPolicy), State: s})
	doc := twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber, "Called", "+15555550150")))
	doc = twimlOf(t, call(t, app, gatherURL(t, doc), principalstest.CallParams(otherNumber, "Digits", "1")))
	staff := doc.find("Redirect").Text
	if withoutState(staff) != "/ivr/staff?l=es-MX" {
		t.Fatalf("option 1 redirects to %q", staff)
	}
	doc = twimlOf(t, call(t, app, staff, principalstest.CallParams(otherNumber)))
	if got := firstSay(doc); got != "Esta línea es para el personal." {
		t.Errorf("a Spanish call refused at the staff menu hears %q", got)
	}
	doc = twimlOf(t, call(t, app, "/ivr/staff", principalstest.CallParams(otherNumber, "Called", "+15555550100")))
	if got := firstSay(doc); got != "This line is for staff." {
		t.Errorf("an English call refused at the staff menu hears %q", got)
	}
}

// The token in an agent's Connect action outlives the usual TTL: a session of an hour returns
// to its menu, not to the forbidden flow.
func TestAnAgentsTokenOutlivesTheUsualTTL(t *testing.T) {
	s := newSealer(t)
	app := newTestApp(t, &Options{Flow: Text("agent.yaml", agentFlow), Policy: Text("policy.csv", agentPolicy), State: s})
	tok := handOff(t, app)
	if _, err := s.Open(tok, thisCall, "/ivr/assistant/agent", time.Now().Add(time.Hour)); err != nil {
		t.Errorf("an hour into the session the token does not open: %v", err)
	}
	if _, err := s.Open(tok, thisCall, "/ivr/assistant/agent", time.Now().Add(AgentStateTTL+time.Minute)); err == nil {
		t.Error("the agent's token opens after AgentStateTTL")
	}
}

// Without on_error, a failed session connects the caller to the agent once more, sealed with the
// retry count; a second failure is the internal error flow, and a forged count is refused.
func TestAFailedAgentSessionIsRetriedOnce(t *testing.T) {
	s := newSealer(t)
	flowText := strings.Replace(agentFlow, "      on_error: {say: The assistant is not available., goto: welcome}\n", "", 1)
	app := newTestApp(t, &Options{Flow: Text("agent.yaml", flowText), Policy: Text("policy.csv", agentPolicy), State: s})
	tok := handOff(t, app)
	failed := principalstest.CallParams(otherNumber, "SessionStatus", "failed")
	doc := twimlOf(t, call(t, app, "/ivr/assistant/agent?st="+tok, failed))
	conn := doc.find("Connect")
	if conn == nil {
		t.Fatalf("a first failure does not connect again: %v", doc.verbs())
	}
	retry := conn.Attrs["action"]
	if withoutState(retry) != "/ivr/assistant/agent?r=1" {
		t.Fatalf("the retry's action is %q", retry)
	}
	doc = twimlOf(t, call(t, app, retry, failed))
	if doc.find("Connect") != nil || firstSay(doc) != "We're sorry, something went wrong." {
		t.Errorf("a second failure hears %v, want the internal flow", doc.verbs())
	}
	// The first token with r=1 added by hand: the query is not what was sealed.
	doc = twimlOf(t, call(t, app, "/ivr/assistant/agent?r=1&st="+tok, failed))
	if doc.find("Connect") != nil {
		t.Errorf("a forged retry count connected the caller: %v", doc.verbs())
	}
}

// A flow that loads with missing translations says so in the log: at load (Run) and on every
// reload, one line per warning with its file:line:col.
func TestAReloadLogsTheMissingTranslations(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "flow.yaml", languagesFlow)
	var logs strings.Builder
	policy := agentPolicy + "p, pin:staff, /ivr/*, staff, allow\n"
	app := newTestApp(t, &Options{Flow: File(path), Policy: Text("policy.csv", policy), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if len(app.Warnings()) != 0 {
		t.Fatalf("the translated flow has warnings: %v", app.Warnings())
	}
	writeFile(t, dir, "flow.yaml", strings.Replace(languagesFlow, "say: {en-US: Staff line., es-MX: Línea del personal.}", "say: Staff line.", 1))
	if err := app.Reload(); err != nil {
		t.Fatal(err)
	}
	want := "flow.yaml:17:10: menus.staff.say[0].say: warning: no es-MX translation: callers in es-MX hear the en-US text"
	if !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "warnings=1") {
		t.Errorf("the reload log does not carry the warning %q:\n%s", want, logs.String())
	}
}
