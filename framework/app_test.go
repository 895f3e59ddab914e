package framework

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

func writeFile(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Operator keys of the tests: one in group:operators, one in no group.
const (
	operatorKey = "op-3f1a9c0d5e7b2468ace0135792468ace"
	nobodyKey   = "nb-0c1d2e3f405162738495a6b7c8d9e0f1"
)

func keysFile(t testing.TB) string {
	t.Helper()
	return writeFile(t, t.TempDir(), "keys", "ops "+principals.HashAPIKey(operatorKey)+" operators\n"+
		"nobody "+principals.HashAPIKey(nobodyKey)+"\n")
}

func TestErrorFlowsAnswerVoiceRoutesWith200TwiML(t *testing.T) {
	app := newTestApp(t, nil)
	forged := principalstest.NewPOST("not-the-token", testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))
	tests := []struct {
		name       string
		req        *http.Request
		wantSay    string
		wantDial   string // the number dialled, or ""
		wantRedir  string // the Redirect target, or ""
		wantHangup bool   // the call ends with <Hangup> and dials no one
	}{
		{name: "a forged signature hears the unauthenticated flow",
			req: forged, wantSay: "We could not verify this call.", wantDial: "+15555550100"},
		{name: "an unsigned request hears the unauthenticated flow",
			req: httptest.NewRequest(http.MethodPost, "/ivr/welcome", strings.NewReader("From=%2B15555550142")), wantSay: "We could not verify this call.", wantDial: "+15555550100"},
		{name: "an unknown voice path hears the not-found flow and goes back to the main menu",
			req: principalstest.NewPOST(testToken, testHost+"/ivr/no-such-menu", principalstest.CallParams(otherNumber)), wantSay: "That option is not available.", wantRedir: "/ivr/welcome"},
		{name: "an unknown path called on the Spanish line hears the Spanish not-found flow",
			req: principalstest.NewPOST(testToken, testHost+"/ivr/nada", principalstest.CallParams(otherNumber, "Called", "+15555550150")), wantSay: "Esa opción no está disponible.", wantRedir: "/ivr/welcome?l=es-MX"},
		{name: "a forged request to an unknown path learns nothing: it hears the unauthenticated flow",
			req: principalstest.NewPOST("not-the-token", testHost+"/ivr/no-such-menu", principalstest.CallParams(otherNumber)), wantSay: "We could not verify this call.", wantDial: "+15555550100"},
		{name: "a blocked caller hears the denied flow although twilio may view, and is connected to no one",
			req: principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(blockedNumber)), wantSay: "Sorry, this line cannot take your call.", wantHangup: true},
		{name: "a stranger on the staff menu hears that menu's own forbidden flow",
			req: principalstest.NewPOST(testToken, testHost+"/ivr/staff", principalstest.CallParams(otherNumber)), wantSay: "This line is for Acme staff only.", wantDial: "+15555550100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := twimlOf(t, send(app, tt.req))
			if says := doc.says(); len(says) == 0 || says[0] != tt.wantSay {
				t.Errorf("says %q, want %q first", says, tt.wantSay)
			}
			if tt.wantDial != "" {
				if n := doc.find("Dial").find("Number"); n == nil || n.Text != tt.wantDial {
					t.Errorf("want a Dial to %s; got verbs %v", tt.wantDial, doc.verbs())
				}
			}
			if tt.wantHangup && (doc.find("Dial") != nil || doc.find("Hangup") == nil) {
				t.Errorf("want a Hangup and no Dial; got verbs %v", doc.verbs())
			}
			if tt.wantRedir != "" {
				if r := doc.find("Redirect"); r == nil || withoutState(r.Text) != tt.wantRedir {
					t.Errorf("want a Redirect to %s; got verbs %v", tt.wantRedir, doc.verbs())
				}
			}
		})
	}
}

func TestHandlerPanicHearsTheInternalFlowAndTheServerKeepsServing(t *testing.T) {
	app := newTestApp(t, nil)
	err := app.Voice(http.MethodPost, "/ivr/boom", "view", func(*http.Request) (twiml.Response, error) {
		panic("the database is on fire")
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		doc := twimlOf(t, call(t, app, "/ivr/boom", principalstest.CallParams(otherNumber)))
		if says := doc.says(); len(says) == 0 || says[0] != "We're sorry, something went wrong." {
			t.Fatalf("a panic said %q, want the internal flow", says)
		}
		if doc.find("Dial") == nil {
			t.Fatalf("the internal flow should dial the call center; got %v", doc.verbs())
		}
		doc = twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber)))
		if doc.find("Gather") == nil {
			t.Fatalf("after a panic the welcome menu answered %v", doc.verbs())
		}
	}
}

func TestNonVoiceRoutesAnswerJSONProblemsWithRealStatus(t *testing.T) {
	app := newTestApp(t, &Options{Credentials: []CredentialSource{APIKeysFile(keysFile(t))}})
	called := 0
	err := app.Handle(http.MethodPost, "/calls", "call", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called++
		set, _ := principals.FromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set.Names())
	}))
	if err != nil {
		t.Fatal(err)
	}
	bearer := func(key string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/calls", strings.NewReader(`{}`))
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
	}{
		{"no credentials get 401", httptest.NewRequest(http.MethodPost, "/calls", nil), http.StatusUnauthorized},
		{"an unknown key gets 401", bearer("not-a-key"), http.StatusUnauthorized},
		{"a key without the call permission gets 403", bearer(nobodyKey), http.StatusForbidden},
		{"an unknown non-voice path gets 404", httptest.NewRequest(http.MethodGet, "/nowhere", nil), http.StatusNotFound},
		{"an operator key in group:operators may call", bearer(operatorKey), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := send(app, tt.req)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantStatus == http.StatusOK {
				if !strings.Contains(w.Body.String(), `"key:ops"`) || !strings.Contains(w.Body.String(), `"group:operators"`) {
					t.Errorf("the handler saw principals %s", w.Body)
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			var p struct{ Status int }
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != tt.wantStatus {
				t.Errorf("problem body %s (%v), want status %d", w.Body, err, tt.wantStatus)
			}
		})
	}
	if called != 1 {
		t.Errorf("the handler ran %d times, want only for the operator", called)
	}
}

func TestPolicyReloadWithABrokenFileKeepsTheOldDecisions(t *testing.T) {
	dir := t.TempDir()
	policy := writeFile(t, dir, "policy.csv", defaultPolicy)
	app := newTestApp(t, &Options{Policy: File(policy)})
	welcome := func() []string {
		return twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))).says()
	}
	if got := welcome(); len(got) == 0 || got[0] != "Thanks for calling Acme." {
		t.Fatalf("before the reload: %q", got)
	}

	writeFile(t, dir, "policy.csv", "p, twilio, /ivr/*\nq, nonsense\n")
	err := app.Reload()
	if err == nil {
		t.Fatal("Reload of a broken policy succeeded")
	}
	for _, want := range []string{"policy.csv:1", "policy.csv:2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the reload error does not name %s: %v", want, err)
		}
	}
	if got := welcome(); len(got) == 0 || got[0] != "Thanks for calling Acme." {
		t.Fatalf("after a failed reload the old policy should still allow the call; it said %q", got)
	}

	writeFile(t, dir, "policy.csv", defaultPolicy+"\ng, caller:"+otherNumber+", group:blocked\n")
	if err := app.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := welcome(); len(got) == 0 || got[0] != "Sorry, this line cannot take your call." {
		t.Fatalf("after blocking the caller the welcome menu said %q, want the denied flow", got)
	}
}

func TestAFlowThePolicyRefusesEverywhereDoesNotStart(t *testing.T) {
	policy := writeFile(t, t.TempDir(), "policy.csv", "p, group:staff, /ivr/*, view, allow\n")
	_, err := New(&Options{Policy: File(policy)})
	if err == nil || !strings.Contains(err.Error(), "the flow and the policy disagree") {
		t.Fatalf("New = %v, want the disagreement refused", err)
	}
}

func TestRoutesListEveryFlowRouteWithItsPermission(t *testing.T) {
	app := newTestApp(t, nil)
	var staff, welcome *RouteInfo
	routes := app.Routes()
	for i, r := range routes {
		switch r.Path {
		case "/ivr/staff":
			staff = &routes[i]
		case "/ivr/welcome":
			welcome = &routes[i]
		}
	}
	if welcome == nil || welcome.Permission != "view" || !welcome.Voice || strings.Join(welcome.Allow, ",") != "twilio" {
		t.Errorf("welcome route: %+v", welcome)
	}
	if staff == nil || staff.Permission != "staff" || strings.Join(staff.Allow, ",") != "pin:staff" {
		t.Errorf("staff route: %+v", staff)
	}
}

func TestWrongAPIKeysAreRateLimitedButTheRightKeyIsNot(t *testing.T) {
	app := newTestApp(t, &Options{Credentials: []CredentialSource{APIKeysFile(keysFile(t))}, FailedAuthLimit: 1}) // a burst of 2
	if err := app.Handle(http.MethodPost, "/calls", "call", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})); err != nil {
		t.Fatal(err)
	}
	bearer := func(key string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/calls", nil)
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
	var codes []int
	for range 4 {
		codes = append(codes, send(app, bearer("guess-"+nobodyKey)).Code)
	}
	if want := []int{401, 401, 429, 429}; !slices.Equal(codes, want) {
		t.Errorf("four wrong keys from one address answered %v, want %v", codes, want)
	}
	if w := send(app, bearer(operatorKey)); w.Code != http.StatusOK {
		t.Errorf("the right key from the limited address got %d, want 200", w.Code)
	}
	// A request with no credentials at all is not a failed attempt.
	if w := send(app, httptest.NewRequest(http.MethodPost, "/calls", nil)); w.Code != http.StatusUnauthorized {
		t.Errorf("no credentials got %d, want 401", w.Code)
	}
}

func TestWriteErrorAnswersAProblemWithTheKindsStatus(t *testing.T) {
	tests := []struct {
		err        error
		wantStatus int
		wantDetail string
		wantAuth   string
	}{
		{&Error{Op: "decode", Kind: KindBadRequest, Err: errors.New(`"to" is not an E.164 number`)}, 400, `"to" is not an E.164 number`, ""},
		{&Error{Op: "create call", Kind: KindUpstream, Err: errors.New("Twilio refused the call: error 21211")}, 502, "Twilio refused the call: error 21211", ""},
		{&Error{Op: "handler", Kind: KindInternal, Err: errors.New("db password wrong")}, 500, "", ""},
		{&Error{Op: "authorize", Kind: KindUnauthenticated}, 401, "", `Bearer realm="switchboard"`},
		{errors.New("anything else"), 500, "", ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		WriteError(w, tt.err)
		var p struct {
			Status int
			Detail string
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if w.Code != tt.wantStatus || p.Status != tt.wantStatus || p.Detail != tt.wantDetail {
			t.Errorf("WriteError(%v) = %d %s, want %d with detail %q", tt.err, w.Code, w.Body, tt.wantStatus, tt.wantDetail)
		}
		if got := w.Header().Get("WWW-Authenticate"); got != tt.wantAuth {
			t.Errorf("WriteError(%v): WWW-Authenticate %q, want %q", tt.err, got, tt.wantAuth)
		}
	}
}

func TestAPolicyGivenAsTextIsServedWithItsName(t *testing.T) {
	app := newTestApp(t, &Options{Policy: Text("policy.csv", defaultPolicy+"g, caller:"+otherNumber+", group:blocked\n")})
	if got := twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))).says(); len(got) == 0 || got[0] != "Sorry, this line cannot take your call." {
		t.Errorf("a caller the text policy blocks heard %q", got)
	}
	_, err := New(&Options{Policy: Text("policy.csv", "p, twilio\n")})
	if err == nil || !strings.Contains(err.Error(), "policy.csv:1") {
		t.Errorf("a broken text policy: %v, want an error at policy.csv:1", err)
	}
}

func TestReadyzCountsTheRoutesThatRoutesLists(t *testing.T) {
	app := newTestApp(t, nil)
	count := func() int {
		t.Helper()
		_, body := app.Readiness()
		return body.(readiness).Routes
	}
	if got, want := count(), len(app.Routes()); got != want {
		t.Errorf("/readyz says %d routes, Routes lists %d", got, want)
	}
	if err := app.Handle(http.MethodPost, "/calls", "call", http.NotFoundHandler()); err != nil {
		t.Fatal(err)
	}
	if got, want := count(), len(app.Routes()); got != want || want != len(app.Flow().Routes())+2 {
		t.Errorf("after App.Handle: /readyz says %d routes, Routes lists %d, want the flow's %d, /calls and /metrics", got, want, len(app.Flow().Routes()))
	}
}

// The App checks its flow's refusals with its policy: a forbidden flow that sends the caller back
// to the menu that refused them loads only when the policy opens that menu to every caller.
func TestARefusalThatLoopsLoadsOnlyWhenThePolicyOpensItsMenu(t *testing.T) {
	flowFile := writeFile(t, t.TempDir(), "flow.yaml", `version: 1
start: welcome
errors: {forbidden: {say: Sorry., redirect: /ivr/welcome}}
menus:
  welcome: {say: Hello., hangup: true}
`)
	_, err := New(&Options{Flow: File(flowFile), Policy: Text("policy.csv", "p, twilio, /ivr/*, view, allow\n")})
	if err == nil || !strings.Contains(err.Error(), `a caller refused at "welcome" hears this flow, which leads back into a refusal`) {
		t.Fatalf("New = %v, want the loop refused", err)
	}
	if _, err := New(&Options{Flow: File(flowFile), Policy: Text("policy.csv", "p, system.Everyone, /ivr/*, view, allow\n")}); err != nil {
		t.Fatalf("New with /ivr/* open to everybody = %v", err)
	}
}
