package main

import (
	"context"
	"errors"
	"github.com/switchboard-ivr/switchboard/pin"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// Callers of the example's policy.csv, and the call center its flow dials; the token the tests
// sign with (not a real one) and the host Twilio is pretended to call (served in-process).
const (
	staffNumber   = "+15555550123"
	blockedNumber = "+15555550199"
	customer      = "+15555550142" // has an account in the demo ledger
	stranger      = "+15555550177" // has none
	callCenter    = "+15555550100"

	testToken = "0123456789abcdef0123456789abcdef"
	testHost  = "http://ivr.test"
)

// Ways a request can be signed.
const (
	signed   = "signed"   // with the account's token, as Twilio signs it
	attested = "attested" // signed, from a number the caller's carrier vouches for (StirVerstat A)
	forged   = "forged"   // with another token
	unsigned = "unsigned" // no X-Twilio-Signature at all
	tampered = "tampered" // signed, then a form field changed on the way
)

// English and Spanish error flows, as summary lines.
var (
	unauthenticatedEN = []string{"SAY en-US We could not verify this call. Goodbye.", "HANGUP"}
	unauthenticatedES = []string{"SAY es-MX No pudimos verificar esta llamada. Adiós.", "HANGUP"}
	deniedEN          = []string{"SAY en-US This number cannot use this line.", "HANGUP"}
	deniedES          = []string{"SAY es-MX Este número no puede usar esta línea.", "HANGUP"}
	forbiddenStaff    = []string{"SAY en-US This line is for Initech staff. Connecting you to reception.", "DIAL " + callCenter}
	notFoundEN        = []string{"SAY en-US That option is not available.", "REDIRECT /ivr/welcome"}
	notFoundES        = []string{"SAY es-MX Esa opción no está disponible.", "REDIRECT /ivr/es/menu"}
	internalEN        = []string{"SAY en-US We're sorry, something went wrong. Connecting you to an agent.", "DIAL " + callCenter}
	internalES        = []string{"SAY es-MX Lo sentimos, algo salió mal. Le comunicamos con un agente.", "DIAL " + callCenter}
)

// fakeLedger answers from a map, or fails with err.
type fakeLedger struct {
	balances map[string]int64
	err      error
}

func (l fakeLedger) Balance(_ context.Context, number string) (int64, bool, error) {
	c, ok := l.balances[number]
	return c, ok, l.err
}

func newTestApp(t *testing.T, ledger Ledger) http.Handler {
	t.Helper()
	pins := filepath.Join(t.TempDir(), "pins")
	if err := os.WriteFile(pins, []byte("customer "+customerPINHash()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := configFromEnv(func(name string) string {
		switch name {
		case "TWILIO_AUTH_TOKEN":
			return testToken
		case "SWITCHBOARD_PINS":
			return pins
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	if ledger != nil {
		cfg.Ledger = ledger
	}
	app, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w := app.Warnings(); len(w) > 0 {
		t.Errorf("flow.yaml loads with warnings:\n%s", strings.Join(w, "\n"))
	}
	return app
}

// request returns a webhook to path from caller, signed as sig says.
func request(t *testing.T, sig, path, caller string, extra ...string) *http.Request {
	t.Helper()
	params := principalstest.CallParams(caller, extra...)
	switch sig {
	case signed:
		return principalstest.NewPOST(testToken, testHost+path, params)
	case attested:
		params.Set("StirVerstat", "TN-Validation-Passed-A")
		return principalstest.NewPOST(testToken, testHost+path, params)
	case forged:
		return principalstest.NewPOST("not-the-account-token", testHost+path, params)
	case unsigned:
		r := httptest.NewRequest(http.MethodPost, testHost+path, strings.NewReader(params.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	case tampered:
		sig := principalstest.Sign(testToken, testHost+path, params)
		params.Set("From", staffNumber) // claim to be staff
		return principalstest.NewPOSTBody(testHost+path, params.Encode(), sig)
	}
	t.Fatalf("unknown signing %q", sig)
	return nil
}

// hear serves r and summarizes the document's verbs: "SAY <language> <text>", "DIAL <number>",
// "REDIRECT <url>", "HANGUP", "GATHER".
func hear(t *testing.T, h http.Handler, r *http.Request) []string {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	doc, err := caller.ReadResponse(w.Result())
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	var out []string
	for _, v := range doc.Children {
		switch v.Name {
		case "Say":
			out = append(out, "SAY "+v.Attr("language")+" "+v.Text())
		case "Dial":
			out = append(out, "DIAL "+v.Children[0].Text())
		case "Redirect":
			out = append(out, "REDIRECT "+v.Text())
		default:
			out = append(out, strings.ToUpper(v.Name))
		}
	}
	return out
}

func TestUnauthenticatedAndForbiddenAreDifferentFlows(t *testing.T) {
	tests := []struct {
		name   string
		sig    string
		path   string
		caller string
		expect []string
	}{
		// Unauthenticated: no policy vouched for the request, so nothing about the caller is known.
		{"a forged signature is unauthenticated", forged, "/ivr/welcome", customer, unauthenticatedEN},
		{"a missing signature is unauthenticated", unsigned, "/ivr/welcome", customer, unauthenticatedEN},
		{"a body changed after signing is unauthenticated", tampered, "/ivr/staff", customer, unauthenticatedEN},
		{"a forged request for a blocked number is unauthenticated, not forbidden", forged, "/ivr/welcome", blockedNumber, unauthenticatedEN},
		{"a forged request for the staff menu skips its forbidden flow", forged, "/ivr/staff", staffNumber, unauthenticatedEN},
		{"a forged request under /ivr/es hears Spanish", forged, "/ivr/es/menu", customer, unauthenticatedES},
		{"a forged request for no route learns nothing about which routes exist", forged, "/ivr/nowhere", customer, unauthenticatedEN},

		// Denied: Twilio's signature verified, and a deny line refuses this caller.
		{"a blocked number is denied", signed, "/ivr/welcome", blockedNumber, deniedEN},
		{"a blocked number under /ivr/es hears Spanish", signed, "/ivr/es/menu", blockedNumber, deniedES},
		{"a blocked number on the staff menu is denied, not helped to reception", signed, "/ivr/staff", blockedNumber, deniedEN},
		// Forbidden: Twilio's signature verified, and no policy line grants this caller the route.
		{"a customer on the staff menu hears its own forbidden flow", signed, "/ivr/staff", customer, forbiddenStaff},

		// Not found: back to a menu instead of dialling, in the prefix's language.
		{"an unknown route goes back to the main menu", signed, "/ivr/nowhere", customer, notFoundEN},
		{"an unknown route under /ivr/es goes back to the Spanish menu", signed, "/ivr/es/nada", customer, notFoundES},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestApp(t, nil)
			if got := hear(t, h, request(t, tt.sig, tt.path, tt.caller)); !slices.Equal(got, tt.expect) {
				t.Errorf("heard %q, want %q", got, tt.expect)
			}
		})
	}
}

func TestTheMenuHandsTheCallToTheBalanceLine(t *testing.T) {
	ledger := fakeLedger{balances: map[string]int64{customer: 12345}}
	for _, tt := range []struct {
		start, press, want string
	}{
		{"/ivr/welcome", "3", "SAY Your balance is $123.45."},
		{"/ivr/es/menu", "2", "SAY Su saldo es de $123.45."},
	} {
		// A customer whose number is not attested enters the PIN first.
		c := &caller.Call{URL: testHost + tt.start, Token: principals.NewSecret(testToken), From: customer,
			Handler: newTestApp(t, ledger), Answers: []caller.Answer{caller.Press(tt.press), caller.Press(customerPIN)}, MaxRequests: 8}
		tr, err := c.Run(t.Context())
		if !slices.Contains(tr.Lines(), tt.want) {
			t.Errorf("pressing %s at %s went (%v)\n%s\nwant %q", tt.press, tt.start, err, tr, tt.want)
		}
	}
}

func TestCallersThePolicyAllowsHearTheMenu(t *testing.T) {
	h := newTestApp(t, nil)
	for _, tt := range []struct{ path, caller, first string }{
		{"/ivr/welcome", customer, "SAY en-US Thanks for calling Initech."},
		{"/ivr/es/menu", customer, "SAY es-MX Gracias por llamar a Initech."},
		{"/ivr/staff", staffNumber, "GATHER"},
	} {
		if got := hear(t, h, request(t, signed, tt.path, tt.caller)); len(got) == 0 || got[0] != tt.first {
			t.Errorf("%s from %s: heard %q, want %q first", tt.path, tt.caller, got, tt.first)
		}
	}
}

func TestNotFoundLeadsBackIntoTheMenu(t *testing.T) {
	c := &caller.Call{URL: testHost + "/ivr/es/nada", Token: principals.NewSecret(testToken), From: customer,
		Handler: newTestApp(t, nil), Answers: []caller.Answer{caller.Press("1")}}
	tr, err := c.Run(t.Context())
	if err != nil {
		t.Fatalf("%v\n%s", err, tr)
	}
	got := tr.Lines()
	want := []string{
		"SAY Esa opción no está disponible.", "REDIRECT /ivr/es/menu",
		"SAY Gracias por llamar a Initech.", "SAY Para cuentas, oprima 1. Para su saldo, oprima 2.", "GATHER pressed 1",
		"SAY Le comunicamos con cuentas.", "DIAL +15555550114",
	}
	if !slices.Equal(got, want) {
		t.Errorf("call went\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestBalanceLine(t *testing.T) {
	up := fakeLedger{balances: map[string]int64{customer: 12345}}
	down := fakeLedger{err: errors.New("connection refused")}
	tests := []struct {
		name   string
		ledger Ledger
		sig    string
		path   string
		caller string
		expect []string
	}{
		{"an attested customer hears the balance", up, attested, "/ivr/balance", customer,
			[]string{"SAY en-US Your balance is $123.45.", "REDIRECT /ivr/welcome"}},
		{"an attested customer hears it in Spanish", up, attested, "/ivr/es/saldo", customer,
			[]string{"SAY es-MX Su saldo es de $123.45.", "REDIRECT /ivr/es/menu"}},
		{"a spoofable customer number is asked for the PIN, not told the balance", up, signed, "/ivr/balance", customer,
			[]string{"SAY en-US We need to confirm it is you.", "REDIRECT /ivr/balance_pin"}},
		{"and in Spanish", up, signed, "/ivr/es/saldo", customer,
			[]string{"SAY es-MX Necesitamos confirmar que es usted.", "REDIRECT /ivr/es/saldo_pin"}},
		{"an attested number without an account is told so", up, attested, "/ivr/balance", stranger,
			[]string{"SAY en-US We could not find an account for this number.", "REDIRECT /ivr/welcome"}},
		{"a failing ledger is the internal flow", down, attested, "/ivr/balance", customer, internalEN},
		{"a failing ledger under /ivr/es is the Spanish internal flow", down, attested, "/ivr/es/saldo", customer, internalES},
		{"a forged request never reaches the ledger", down, forged, "/ivr/balance", customer, unauthenticatedEN},
		{"a blocked number never reaches the ledger", down, signed, "/ivr/balance", blockedNumber, deniedEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestApp(t, tt.ledger)
			if got := hear(t, h, request(t, tt.sig, tt.path, tt.caller)); !slices.Equal(got, tt.expect) {
				t.Errorf("heard %q, want %q", got, tt.expect)
			}
		})
	}
}

// customerPIN is the balance line's PIN in the tests; customerPINHash its secrets-file hash,
// made once (bcrypt is slow on purpose).
const customerPIN = "1357"

var customerPINHash = sync.OnceValue(func() string {
	h, err := pin.Hash(customerPIN)
	if err != nil {
		panic(err)
	}
	return h
})
