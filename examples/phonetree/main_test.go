package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// Callers the example's policy.csv knows, and one it does not; what they hear; the token the
// tests sign with (not a real one) and the host Twilio is pretended to call (served in-process).
const (
	staffNumber    = "+15555550123"
	blockedNumber  = "+15555550199"
	stranger       = "+15555550142"
	callCenter     = "+15555550100"
	welcomeGreet   = "SAY Thanks for calling Globex."
	welcomePrompt  = "SAY For sales, press 1. For support, press 2. To leave a message, press 4. Para español, oprima 5. Staff, press 6. To speak with someone, press 0."
	salesPrompt    = "SAY For new orders, press 1. For an existing order, press 2."
	supportPrompt  = "SAY For billing, press 1. For technical support, press 2."
	techPrompt     = "SAY For internet service, press 1. For phone service, press 2."
	spanishPrompt  = "SAY Para ventas, oprima 1. Para soporte, oprima 2."
	voicemailGreet = "SAY Please leave a message after the tone, then press pound."

	testToken = "0123456789abcdef0123456789abcdef"
	testHost  = "http://ivr.test"
)

// monday10am is a Monday at 10:00 in Chicago, when sales is open.
var monday10am = time.Date(2026, time.March, 2, 10, 0, 0, 0, mustZone("America/Chicago"))

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// newPhone builds the example's App from its own flow.yaml and policy.csv with a clock stuck at
// now, and returns a phone calling it from the number from.
func newPhone(t *testing.T, now time.Time, from string) *phone {
	t.Helper()
	cfg, err := configFromEnv(func(name string) string {
		if name == "TWILIO_AUTH_TOKEN" {
			return testToken
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	cfg.Now = func() time.Time { return now }
	app, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w := app.Warnings(); len(w) > 0 {
		t.Errorf("flow.yaml loads with warnings:\n%s", strings.Join(w, "\n"))
	}
	return &phone{t: t, h: app, token: testToken, from: from}
}

// phone calls the example's App as Twilio would, from one number, signing with token.
type phone struct {
	t           *testing.T
	h           http.Handler
	token, from string
}

// walk calls path and returns each event as `switchboard simulate` prints it. It answers the
// Gathers with keys in order ("" is silence: Twilio goes on with the next verb), and the caller
// hangs up at the Gather after them ("GATHER hung up").
func (p *phone) walk(path string, keys ...string) []string {
	p.t.Helper()
	c := &caller.Call{URL: testHost + path, Token: principals.NewSecret(p.token), From: p.from, Handler: p.h}
	for _, k := range keys {
		c.Answers = append(c.Answers, caller.Press(k))
	}
	c.Answers = append(c.Answers, caller.HangUp())
	tr, err := c.Run(p.t.Context())
	if err != nil {
		p.t.Fatalf("%v\n%s", err, tr)
	}
	return tr.Lines()
}

// post sends one webhook to path, signed as Twilio signs it, with the fields of a call from p.from
// and the extra key, value pairs, and reads the TwiML answered.
func (p *phone) post(path string, extra ...string) *caller.Element {
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
	p.h.ServeHTTP(w, principalstest.NewPOST(p.token, testHost+path, params))
	doc, err := caller.ReadResponse(w.Result())
	if err != nil {
		p.t.Fatalf("POST %s: %v", path, err)
	}
	return doc
}

func expectEvents(t *testing.T, got, want []string) {
	t.Helper()
	got = slices.Clone(got)
	for i := range got { // the state token differs per call and per run
		got[i] = stateToken.ReplaceAllString(got[i], "st=…")
	}
	if !slices.Equal(got, want) {
		t.Errorf("call went\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestOneThenTwoDialsOrderStatus(t *testing.T) {
	got := newPhone(t, monday10am, stranger).walk("/ivr/welcome", "1", "2")
	expectEvents(t, got, []string{
		welcomeGreet, welcomePrompt, "GATHER pressed 1",
		"REDIRECT /ivr/sales",
		salesPrompt, "GATHER pressed 2",
		"REDIRECT /ivr/sales/orders",
		"SAY Connecting you to order status.",
		"DIAL +15555550112",
	})
}

func TestTwoInvalidDigitsGoToTheCallCenter(t *testing.T) {
	got := newPhone(t, monday10am, stranger).walk("/ivr/welcome", "7", "3")
	expectEvents(t, got, []string{
		welcomeGreet, welcomePrompt, "GATHER pressed 7",
		"SAY Sorry, that is not an option.", welcomePrompt, "GATHER pressed 3",
		"SAY Let me connect you with someone who can help.",
		"DIAL " + callCenter,
	})
}

func TestSilenceIsRetriedThenExhausted(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		expect []string
	}{{
		name: "silent twice",
		keys: []string{"", ""},
		expect: []string{
			welcomeGreet, welcomePrompt, "GATHER no input",
			"REDIRECT /ivr/welcome/gather?i=0&n=0",
			"SAY We did not hear your choice.", welcomePrompt, "GATHER no input",
			"REDIRECT /ivr/welcome/gather?i=0&n=1&st=…",
			"SAY Let me connect you with someone who can help.",
			"DIAL " + callCenter,
		},
	}, {
		name: "silent once, then a choice",
		keys: []string{"", "1"},
		expect: []string{
			welcomeGreet, welcomePrompt, "GATHER no input",
			"REDIRECT /ivr/welcome/gather?i=0&n=0",
			"SAY We did not hear your choice.", welcomePrompt, "GATHER pressed 1",
			"REDIRECT /ivr/sales",
			salesPrompt, "GATHER hung up",
		},
	}, {
		// Invalid choices and silences are counted apart: one of each is not exhausted.
		name: "one silence and one invalid choice",
		keys: []string{"", "7"},
		expect: []string{
			welcomeGreet, welcomePrompt, "GATHER no input",
			"REDIRECT /ivr/welcome/gather?i=0&n=0",
			"SAY We did not hear your choice.", welcomePrompt, "GATHER pressed 7",
			"SAY Sorry, that is not an option.", welcomePrompt, "GATHER hung up",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectEvents(t, newPhone(t, monday10am, stranger).walk("/ivr/welcome", tt.keys...), tt.expect)
		})
	}
}

func TestStaffMenuIsOnlyForGroupStaff(t *testing.T) {
	tests := []struct {
		name   string
		from   string
		expect []string
	}{{
		name: "a stranger hears the staff menu's forbidden flow",
		from: stranger,
		expect: []string{
			"SAY This line is for Globex staff only.",
			"DIAL " + callCenter,
		},
	}, {
		name: "a blocked number is denied and hung up on, not helped to the call center",
		from: blockedNumber,
		expect: []string{
			"SAY This number cannot call this line.",
			"HANGUP",
		},
	}, {
		name: "a number in group:staff reaches an extension",
		from: staffNumber,
		expect: []string{
			"SAY Staff line. Enter the four digit extension.", "GATHER pressed 0101",
			"DIAL +15555550121",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPhone(t, monday10am, tt.from)
			expectEvents(t, p.walk("/ivr/staff", "0101"), tt.expect)
			if tt.from == blockedNumber {
				return // the blocklist refuses the welcome menu too; see TestBlockedNumberHearsDeniedEverywhereAndIsConnectedToNoOne
			}
			got := p.walk("/ivr/welcome", "6", "0101")
			expectEvents(t, got, append([]string{welcomeGreet, welcomePrompt, "GATHER pressed 6", "REDIRECT /ivr/staff"}, tt.expect...))
		})
	}
}

func TestStaffExtensionCannotBeReachedByPostingTheGatherDirectly(t *testing.T) {
	p := newPhone(t, monday10am, stranger)
	doc := p.post("/ivr/staff/gather?i=0&n=0", "Digits", "0101")
	if got := sayings(doc); !slices.Equal(got, []string{"This line is for Globex staff only."}) {
		t.Errorf("a stranger posting an extension heard %q, want the staff forbidden flow", got)
	}
}

func TestBlockedNumberHearsDeniedEverywhereAndIsConnectedToNoOne(t *testing.T) {
	got := newPhone(t, monday10am, blockedNumber).walk("/ivr/welcome")
	expectEvents(t, got, []string{"SAY This number cannot call this line.", "HANGUP"})
}

func TestNewOrdersOutsideBusinessHoursGoToVoicemail(t *testing.T) {
	chicago := mustZone("America/Chicago")
	closed := []string{
		"REDIRECT /ivr/sales/new",
		"SAY Our sales team is closed right now.",
		"REDIRECT /ivr/voicemail",
		voicemailGreet,
		"RECORD finishOnKey=# maxLength=120 transcribe=true",
		"REDIRECT /ivr/goodbye",
		"SAY Thank you for calling Globex. Goodbye.",
		"HANGUP",
	}
	open := []string{
		"REDIRECT /ivr/sales/new",
		"SAY Connecting you to our sales team.",
		"DIAL +15555550111",
		"HANGUP", // the Dial's action, once the call ends
	}
	tests := []struct {
		name   string
		now    time.Time
		expect []string
	}{
		{"Monday 10:00 is open", monday10am, open},
		{"Monday 07:59 is closed", time.Date(2026, time.March, 2, 7, 59, 0, 0, chicago), closed},
		{"Monday 18:00 is closed", time.Date(2026, time.March, 2, 18, 0, 0, 0, chicago), closed},
		{"Saturday 10:00 is open", time.Date(2026, time.March, 7, 10, 0, 0, 0, chicago), open},
		{"Sunday is closed", time.Date(2026, time.March, 8, 12, 0, 0, 0, chicago), closed},
		{"Christmas, a Friday, is closed", time.Date(2026, time.December, 25, 10, 0, 0, 0, chicago), closed},
		{"Monday 10:00 in Chicago is 16:00 UTC", time.Date(2026, time.March, 2, 16, 0, 0, 0, time.UTC), open},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newPhone(t, tt.now, stranger).walk("/ivr/sales", "1")
			expectEvents(t, got, append([]string{salesPrompt, "GATHER pressed 1"}, tt.expect...))
		})
	}
}

func TestNavigationKeys(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		expect []string
	}{
		{"8 goes back to support", "8", []string{"REDIRECT /ivr/support", supportPrompt, "GATHER hung up"}},
		{"9 goes to the main menu", "9", []string{"REDIRECT /ivr/welcome", welcomeGreet, welcomePrompt, "GATHER hung up"}},
		{"* repeats the menu", "*", []string{"REDIRECT /ivr/support/tech", techPrompt, "GATHER hung up"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newPhone(t, monday10am, stranger).walk("/ivr/welcome", "2", "2", tt.key)
			expectEvents(t, got, append([]string{
				welcomeGreet, welcomePrompt, "GATHER pressed 2",
				"REDIRECT /ivr/support", supportPrompt, "GATHER pressed 2",
				"REDIRECT /ivr/support/tech", techPrompt, "GATHER pressed " + tt.key,
			}, tt.expect...))
		})
	}
}

func TestSpanishMenuSpeaksSpanish(t *testing.T) {
	p := newPhone(t, monday10am, stranger)
	got := p.walk("/ivr/welcome", "5", "9", "5", "3")
	expectEvents(t, got, []string{
		welcomeGreet, welcomePrompt, "GATHER pressed 5",
		"REDIRECT /ivr/es/menu",
		"SAY Gracias por llamar a Globex.", spanishPrompt, "GATHER pressed 9", // the main-menu key
		"REDIRECT /ivr/welcome",
		welcomeGreet, welcomePrompt, "GATHER pressed 5",
		"REDIRECT /ivr/es/menu",
		"SAY Gracias por llamar a Globex.", spanishPrompt, "GATHER pressed 3",
		"SAY Lo sentimos, esa opción no es válida.", spanishPrompt, "GATHER hung up",
	})
	doc := p.post("/ivr/es/menu")
	for _, say := range doc.Find("Say") {
		if say.Attr("language") != "es-MX" || say.Attr("voice") != "Polly.Mia" {
			t.Errorf("<Say>%s</Say> has voice %q language %q, want Polly.Mia es-MX", say.Text(), say.Attr("voice"), say.Attr("language"))
		}
	}
}

func TestUnknownRoutesUseTheErrorFlowOfTheirPrefix(t *testing.T) {
	tests := []struct {
		path   string
		expect []string
	}{
		{"/ivr/nowhere", []string{"SAY That option is not available.", "REDIRECT /ivr/welcome", welcomeGreet, welcomePrompt, "GATHER hung up"}},
		{"/ivr/es/nada", []string{"SAY Esa opción no está disponible.", "REDIRECT /ivr/es/menu", "SAY Gracias por llamar a Globex.", spanishPrompt, "GATHER hung up"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			expectEvents(t, newPhone(t, monday10am, stranger).walk(tt.path), tt.expect)
		})
	}
}

func TestForgedSignatureHearsTheUnauthenticatedFlow(t *testing.T) {
	p := newPhone(t, monday10am, stranger)
	p.token = "not-the-account-token"
	expectEvents(t, p.walk("/ivr/welcome"), []string{"SAY We could not verify this call.", "DIAL " + callCenter})
}

func TestMissingTokenRefusesToStart(t *testing.T) {
	_, err := configFromEnv(func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "TWILIO_AUTH_TOKEN") {
		t.Errorf("configFromEnv with no token: %v, want an error naming TWILIO_AUTH_TOKEN", err)
	}
}

func TestSecondaryTokenVerifiesWhileRotating(t *testing.T) {
	cfg, err := configFromEnv(func(name string) string {
		return map[string]string{"TWILIO_AUTH_TOKEN": "new-primary-token", "TWILIO_AUTH_TOKEN_SECONDARY": testToken}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	app, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &phone{t: t, h: app, token: testToken, from: stranger}
	expectEvents(t, p.walk("/ivr/welcome"), []string{welcomeGreet, welcomePrompt, "GATHER hung up"})
}

// sayings returns the text of every <Say> in doc, in order.
func sayings(doc *caller.Element) []string {
	var out []string
	for _, s := range doc.Find("Say") {
		out = append(out, s.Text())
	}
	return out
}

// stateToken matches the state token the server seals into a callback URL of a call.
var stateToken = regexp.MustCompile(`st=[A-Za-z0-9_-]+`)
