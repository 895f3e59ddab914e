package flow

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// demo loads and compiles the repository's demo flow.
func demo(t testing.TB) *Compiled {
	t.Helper()
	return loadFile(t, "../../demo.yaml")
}

// step is one request of a simulated call: the route it hits, what the caller did, and a
// fragment the TwiML must hold.
type step struct {
	path string
	in   Input
	want string
}

// call plays steps in order, failing on the first answer without its fragment.
func call(t *testing.T, c *Compiled, steps []step) {
	t.Helper()
	for i, s := range steps {
		path, query, _ := strings.Cut(s.path, "?")
		r := c.Route(path)
		if r == nil {
			t.Fatalf("step %d: no route %s", i, path)
		}
		s.in.Query = query
		got := string(r.Respond(s.in))
		if !strings.Contains(got, s.want) {
			t.Fatalf("step %d: %s with %+v answered\n%s\nwant it to hold %s", i, s.path, s.in, got, s.want)
		}
	}
}

func TestChoosingOneRedirectsToSales(t *testing.T) {
	call(t, demo(t), []step{
		{"/ivr/welcome", Input{}, `<Gather action="/ivr/welcome/gather?i=0&amp;n=0"`},
		{"/ivr/welcome/gather?i=0&n=0", Input{Digits: "1"}, `<Redirect>/ivr/sales</Redirect>`},
		{"/ivr/sales", Input{Now: mondayNoon}, `<Number>+15555550111</Number>`},
	})
}

func TestInvalidTwiceIsExhaustedToTheCallCenter(t *testing.T) {
	call(t, demo(t), []step{
		{"/ivr/welcome/gather?i=0&n=0", Input{Digits: "7"}, `Sorry, that is not an option.</Say><Gather action="/ivr/welcome/gather?i=1&amp;n=0"`},
		{"/ivr/welcome/gather?i=1&n=0", Input{Digits: "7"}, `Let me connect you with someone who can help.</Say><Dial><Number>+15555550100</Number>`},
	})
}

func TestSilenceHearsTheMessageThenRetriesThenIsExhausted(t *testing.T) {
	call(t, demo(t), []step{
		{"/ivr/welcome", Input{}, `<Redirect>/ivr/welcome/gather?i=0&amp;n=0</Redirect>`},
		{"/ivr/welcome/gather?i=0&n=0", Input{}, `We did not get your choice.</Say><Gather action="/ivr/welcome/gather?i=0&amp;n=1"`},
		{"/ivr/welcome/gather?i=0&n=1", Input{}, `<Dial><Number>+15555550100</Number>`},
	})
}

func TestInvalidAndSilenceAreCountedSeparately(t *testing.T) {
	call(t, demo(t), []step{
		{"/ivr/welcome/gather?i=0&n=0", Input{Digits: "7"}, `gather?i=1&amp;n=0`},
		{"/ivr/welcome/gather?i=1&n=0", Input{}, `We did not get your choice.</Say><Gather action="/ivr/welcome/gather?i=1&amp;n=1"`},
	})
}

func TestBusinessHoursFollowTheFakeClock(t *testing.T) {
	christmas := time.Date(2026, 12, 25, 15, 0, 0, 0, time.UTC) // a Friday, 10:00 in New York
	call(t, demo(t), []step{
		{"/ivr/sales", Input{Now: mondayNoon}, `Connecting you to sales.`},
		{"/ivr/sales", Input{Now: mondayNight}, `Sales is closed right now.</Say><Redirect>/ivr/voicemail</Redirect>`},
		{"/ivr/sales", Input{Now: christmas}, `Sales is closed right now.`},
		{"/ivr/sales/dialed", Input{DialCallStatus: "no-answer"}, `<Redirect>/ivr/voicemail</Redirect>`},
		{"/ivr/sales/dialed?l=es-MX", Input{DialCallStatus: "no-answer"}, `<Redirect>/ivr/voicemail?l=es-MX</Redirect>`},
		{"/ivr/sales/dialed", Input{DialCallStatus: "completed"}, `<Hangup/>`},
	})
}

func TestNavigationKeys(t *testing.T) {
	call(t, demo(t), []step{
		{"/ivr/support/gather?i=0&n=0", Input{Digits: "*"}, `<Redirect>/ivr/support</Redirect>`},               // repeat
		{"/ivr/support/gather?i=0&n=0", Input{Digits: "8"}, `<Redirect>/ivr/welcome</Redirect>`},               // back
		{"/ivr/staff/gather?i=0&n=0&l=es-MX", Input{Digits: "9"}, `<Redirect>/ivr/welcome?l=es-MX</Redirect>`}, // main, in the call's language
		{"/ivr/welcome/gather?i=0&n=0", Input{Digits: "8"}, `<Redirect>/ivr/welcome</Redirect>`},               // back at the top repeats
		{"/ivr/welcome/gather?i=0&n=0", Input{Digits: "5"}, `<Redirect>/ivr/welcome?l=es-MX</Redirect>`},       // 5: this menu in Spanish
	})
}

func TestSpeechChoosesAnOptionBySynonym(t *testing.T) {
	call(t, demo(t), []step{
		{"/ivr/support/gather?i=0&n=0", Input{Speech: "Uh, Tech Support please."}, `Please hold for the next technician.`},
		{"/ivr/support/gather?i=0&n=0", Input{Speech: "billing"}, `Connecting you to billing.`},
		{"/ivr/support/gather?i=0&n=0", Input{Speech: "technically"}, `Sorry, that is not a valid choice.`},
	})
}

func TestGarbageCountersAreClampedNotTrusted(t *testing.T) {
	c := demo(t)
	r := c.Route("/ivr/welcome/gather")
	for _, q := range []string{"", "i=-1&n=x", "i=99999999999&n=99999", "i=1&i=0", "%zz", "n=&i=", "i=1;n=1", "&&&="} {
		out := r.Respond(Input{Digits: "7", Query: q})
		if len(out) == 0 {
			t.Errorf("query %q: empty answer", q)
		}
	}
	if got := string(r.Respond(Input{Digits: "7", Query: "i=99&n=0"})); !strings.Contains(got, "<Dial>") {
		t.Errorf("an out-of-range invalid count must clamp to the last retry, got %s", got)
	}
}

func TestRoutesCarryPermissionAndSensitivity(t *testing.T) {
	c := demo(t)
	for _, p := range []string{"/ivr/staff", "/ivr/staff/gather"} {
		r := c.Route(p)
		if r == nil || r.Permission != "staff" || !r.Sensitive || r.Node != "staff" {
			t.Errorf("%s: %+v, want permission staff, sensitive", p, r)
		}
	}
	if r := c.Route("/ivr/welcome"); r.Permission != "view" || r.Sensitive {
		t.Errorf("/ivr/welcome: %+v, want permission view, not sensitive", r)
	}
	if c.Route("/ivr/welcome?i=0") != nil || c.Route("/ivr/nowhere") != nil {
		t.Error("Route must match exact paths only")
	}
	if c.Start() != "/ivr/welcome" || c.BasePath() != "/ivr" {
		t.Errorf("Start %q, BasePath %q", c.Start(), c.BasePath())
	}
}

func TestErrorFlowResolution(t *testing.T) {
	c := demo(t)
	tests := []struct {
		path string
		kind ErrorKind
		want string
	}{
		{"/ivr/staff", Forbidden, "This line is for Acme staff only."},                   // the node's own
		{"/ivr/staff/gather?i=0&n=0", Unauthenticated, "We could not verify this call."}, // the global unauthenticated beats the node's forbidden
		{"/ivr/nowhere", NotFound, "That option is not available."},                      // global, for an unknown path
		{"/metrics", Internal, "We're sorry, something went wrong."},                     // global
	}
	for _, tt := range tests {
		if got := string(c.ErrorFlow(tt.path, tt.kind)); !strings.Contains(got, tt.want) {
			t.Errorf("ErrorFlow(%q, %v) = %s, want it to say %q", tt.path, tt.kind, got, tt.want)
		}
	}
	// The same chain in the call's language.
	es := c.InLanguage(c.CallLanguage("l=es-MX", ""))
	for _, tt := range []struct {
		path string
		kind ErrorKind
		want string
	}{
		{"/ivr/staff", Forbidden, "Esta línea es solo para el personal de Acme."},
		{"/ivr/staff", Unauthenticated, "No pudimos verificar esta llamada."},
		{"/ivr/nowhere", NotFound, "Esa opción no está disponible."},
	} {
		if got := string(es.ErrorFlow(tt.path, tt.kind)); !strings.Contains(got, tt.want) {
			t.Errorf("in Spanish, ErrorFlow(%q, %v) = %s, want it to say %q", tt.path, tt.kind, got, tt.want)
		}
	}
}

// The longest by_prefix entry a path falls under answers, before the flow's own flows.
func TestErrorFlowsByPrefix(t *testing.T) {
	c := loadFile(t, "testdata/kinds.yaml")
	for _, tt := range []struct {
		path string
		want string
	}{
		{"/ivr/es/inicio", "No permitido."},
		{"/ivr/es/nowhere", "No permitido."},
		{"/ivr/espresso", "We're sorry, this line is not available to you."},
	} {
		if got := string(c.ErrorFlow(tt.path, Forbidden)); !strings.Contains(got, tt.want) {
			t.Errorf("ErrorFlow(%q, forbidden) = %s, want it to say %q", tt.path, got, tt.want)
		}
	}
}

func TestBuiltInErrorFlowDialsTheCallCenterOrHangsUp(t *testing.T) {
	for _, tt := range []struct{ callCenter, want string }{
		{"+15555550100", "<Dial><Number>+15555550100</Number></Dial>"},
		{"", "<Hangup/>"},
	} {
		f := &Flow{Version: 1, Start: "a", CallCenter: tt.callCenter, Menus: map[string]*Node{"a": {Action: Action{Do: Hangup{}}}}}
		c, err := Compile(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := string(c.ErrorFlow("/ivr/a", Forbidden))
		if !strings.Contains(got, "We're sorry") || !strings.Contains(got, tt.want) {
			t.Errorf("call center %q: %s", tt.callCenter, got)
		}
	}
}

func TestGoingToAnotherNodeIsAlwaysARedirect(t *testing.T) {
	// The target's permission is checked only if the call asks for its route.
	c := demo(t)
	got := string(c.Route("/ivr/welcome/gather").Respond(Input{Digits: "6"}))
	if got != `<?xml version="1.0" encoding="UTF-8"?><Response><Redirect>/ivr/staff_login</Redirect></Response>` {
		t.Errorf("option 6 answered %s", got)
	}
}

func TestEdgesIncludeEveryKind(t *testing.T) {
	c := loadFile(t, "testdata/kinds.yaml")
	seen := map[EdgeKind]bool{}
	for _, e := range c.Edges() {
		seen[e.Kind] = true
	}
	for _, k := range []EdgeKind{EdgeGoto, EdgeOption, EdgeInvalid, EdgeNoInput, EdgeExhausted, EdgeOpen, EdgeClosed, EdgeNoAnswer, EdgeThen, EdgeError} {
		if !seen[k] {
			t.Errorf("no %s edge", k)
		}
	}
}

func TestFlowBuiltInGoValidatesWithPaths(t *testing.T) {
	f := &Flow{
		Version: 1,
		Start:   "welcome",
		Menus: map[string]*Node{
			"welcome": {Action: Action{Do: &Gather{Options: map[string]Action{"1": {Do: Goto("nowhere")}}}}},
		},
	}
	want := `menus.welcome.gather.options["1"].goto: no menu is named "nowhere"`
	if got := f.Validate(nil).String(); got != want {
		t.Errorf("Validate = %q, want %q", got, want)
	}
	if _, err := Compile(f, nil); err == nil || err.Error() != want {
		t.Errorf("Compile error = %v, want %q", err, want)
	}
}

func TestCompileRefusesAnInvalidFlowUnlessToldItWasValidated(t *testing.T) {
	f := &Flow{Version: 1, Start: "main", Menus: map[string]*Node{
		"main": {Action: Action{Do: Goto("nowhere")}},
	}}
	if _, err := Compile(f, nil); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("Compile of a flow whose goto names no node = %v, want an error naming it", err)
	}
	ok := &Flow{Version: 1, Start: "main", Menus: map[string]*Node{"main": {Action: Action{Say: Prompts{{Say: "Hi."}}, Do: Hangup{}}}}}
	if probs := ok.Validate(nil); probs.Err() != nil {
		t.Fatal(probs)
	}
	if _, err := Compile(ok, &CompileOptions{Validated: true}); err != nil {
		t.Fatalf("Compile of a validated flow: %v", err)
	}
}

func TestUnauthenticatedFallsBackToForbiddenWhenUnset(t *testing.T) {
	c := compileText(t, "f.yaml", `version: 1
call_center: "+15555550100"
start: main
menus:
  main: {say: Hi., hangup: true}
errors:
  forbidden: {say: Not for you., dial: call_center}
`)
	if got := string(c.ErrorFlow("/ivr/main", Unauthenticated)); !strings.Contains(got, "Not for you.") {
		t.Errorf("with no unauthenticated flow, a forged request heard %s, want the forbidden flow", got)
	}
}

func TestRedirectTakesAURLOrAPathOnThisServer(t *testing.T) {
	tests := []struct {
		redirect string
		problem  string // "" when valid
	}{
		{"https://example.com/twiml", ""},
		{"/ivr/balance", ""},
		{"/ivr/balance?lang=es", ""},
		{"//evil.example/twiml", "must be an absolute http:// or https:// URL, or a path on this server"},
		{"balance", "must be an absolute http:// or https:// URL, or a path on this server"},
		{"ftp://example.com/x", "must be an absolute http:// or https:// URL, or a path on this server"},
	}
	for _, tt := range tests {
		f, probs := Parse("f.yaml", []byte("version: 1\nstart: main\nmenus:\n  main: {redirect: \""+tt.redirect+"\"}\n"), nil)
		if tt.problem == "" {
			if err := probs.Err(); err != nil {
				t.Errorf("redirect %q: %v", tt.redirect, err)
				continue
			}
			c, err := Compile(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := string(c.Route("/ivr/main").Respond(Input{}))
			if want := "<Redirect>" + strings.ReplaceAll(tt.redirect, "&", "&amp;") + "</Redirect>"; !strings.Contains(got, want) {
				t.Errorf("redirect %q renders %s, want %s", tt.redirect, got, want)
			}
			continue
		}
		if err := probs.Err(); err == nil || !strings.Contains(err.Error(), tt.problem) {
			t.Errorf("redirect %q: %v, want a problem saying %q", tt.redirect, err, tt.problem)
		}
	}
}

func TestEntriesAreReachableAndMustNameMenus(t *testing.T) {
	const menus = `version: 1
start: main
%smenus:
  main: {say: Hi., hangup: true}
  reminder: {say: Your appointment is tomorrow., goto: bye}
  bye: {say: Bye., hangup: true}
`
	_, probs := Parse("f.yaml", []byte(fmt.Sprintf(menus, "")), nil)
	if w := probs.Warnings(); len(w) != 2 || !strings.Contains(w.String(), `reaches menu "reminder"`) || !strings.Contains(w.String(), `reaches menu "bye"`) {
		t.Errorf("without entries: %v, want reminder and bye unreachable", probs)
	}
	_, probs = Parse("f.yaml", []byte(fmt.Sprintf(menus, "entries: [reminder]\n")), nil)
	if len(probs) != 0 {
		t.Errorf("with entries [reminder]: %v, want no problems (bye is reached through it)", probs)
	}
	_, probs = Parse("f.yaml", []byte(fmt.Sprintf(menus, "entries: [remider]\n")), nil)
	if err := probs.Err(); err == nil || !strings.Contains(err.Error(), `f.yaml:3:11: entries[0]: no menu is named "remider" (did you mean "reminder"?)`) {
		t.Errorf("a misspelt entry: %v", err)
	}
}
