package framework

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const backendKey = "backend-key-for-tests-only-0123456789"

// bankFlow is a flow whose balance menu fetches from the backend at url.
func bankFlow(url string) string {
	return fmt.Sprintf(`version: 1
start: welcome
backends:
  bank: {url: %q, timeout: 300ms}
variables:
  balance: {type: number}
  account: {sensitive: true}
  name: {default: customer}
menus:
  welcome:
    gather:
      prompt: For your balance press 1. For an account by number, press 2.
      options: {"1": balance, "2": by_digits}
      other: balance
  balance:
    fetch:
      backend: bank
      sets: [balance, account, name]
      on_error: {say: Your balance is not available right now., goto: welcome}
    say: "{{ .name }}, your balance is {{ money .balance }}."
    switch:
      on: balance
      cases:
        - {lt: 0, then: {say: Your account is overdrawn., goto: billing}}
      default: {say: Goodbye., hangup: true}
  billing:
    say: "Account {{ digits .account }} goes to billing."
    hangup: true
  by_digits:
    switch:
      on: digits
      cases:
        - {is: "2", then: {say: You pressed two., hangup: true}}
      default: {hangup: true}
`, url)
}

// bank is a loopback backend that checks each request's signature as a Twilio SDK would, then
// answers with answer (or sleeps past the timeout).
type bank struct {
	t      *testing.T
	answer atomic.Value // string
	status atomic.Int32
	sleep  atomic.Int64
	calls  atomic.Int32
	last   atomic.Value // map[string]any: the last body
}

func newBank(t *testing.T) (*bank, *httptest.Server) {
	b := &bank{t: t}
	b.answer.Store(`{"balance": 42.1, "account": "99887766", "name": "Ann"}`)
	b.status.Store(200)
	v := client.NewRequestValidator(backendKey)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		full := "http://" + r.Host + r.URL.String()
		if !v.ValidateBody(full, body, r.Header.Get("X-Twilio-Signature")) {
			t.Errorf("backend: the request's signature does not validate with Twilio's validator: %s", full)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		b.last.Store(m)
		if d := time.Duration(b.sleep.Load()); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(b.status.Load()))
		_, _ = io.WriteString(w, b.answer.Load().(string))
	}))
	t.Cleanup(srv.Close)
	return b, srv
}

func newBankApp(t *testing.T) (*App, *bank) {
	b, srv := newBank(t)
	app := newTestApp(t, &Options{
		Flow:       Text("bank.yaml", bankFlow(srv.URL+"/ivr")),
		Policy:     Text("policy.csv", "p, twilio, /ivr/*, view, allow\n"),
		State:      newSealer(t),
		BackendKey: principals.NewSecret(backendKey),
	})
	return app, b
}

// follow requests the URL of a <Redirect> in doc, as Twilio does.
func follow(t *testing.T, app *App, doc *node) *node {
	t.Helper()
	r := doc.find("Redirect")
	if r == nil {
		t.Fatalf("no <Redirect> in %v", doc.verbs())
	}
	return twimlOf(t, call(t, app, r.Text, principalstest.CallParams(otherNumber)))
}

func TestTheCallerHearsTheBalanceTheLoopbackBackendAnswers(t *testing.T) {
	app, b := newBankApp(t)
	doc := twimlOf(t, call(t, app, "/ivr/balance", principalstest.CallParams(otherNumber)))
	if got, want := strings.Join(doc.says(), " | "), "Ann, your balance is $42.10. | Goodbye."; got != want {
		t.Errorf("caller hears %q, want %q", got, want)
	}
	body, _ := b.last.Load().(map[string]any)
	if body["call_sid"] != thisCall || body["from"] != otherNumber {
		t.Errorf("the backend got %v, want the call's SID and caller", body)
	}
}

func TestASwitchRoutesByTheNumericVariableAndVariablesTravelInTheState(t *testing.T) {
	app, b := newBankApp(t)
	b.answer.Store(`{"balance": "-0.50", "account": "99887766"}`)
	doc := twimlOf(t, call(t, app, "/ivr/balance", principalstest.CallParams(otherNumber)))
	if got, want := strings.Join(doc.says(), " | "), "customer, your balance is minus $0.50. | Your account is overdrawn."; got != want {
		t.Errorf("caller hears %q, want %q", got, want)
	}
	redirect := doc.find("Redirect").Text
	if clear := tokenText(t, redirect); strings.Contains(clear, "99887766") || !strings.Contains(clear, "balance") {
		t.Errorf("the state token of %s reads %q: want the balance in it and the sensitive account number only encrypted", redirect, clear)
	}
	if !strings.HasPrefix(redirect, "/ivr/billing?st=") {
		t.Fatalf("the redirect to billing carries no state: %s", redirect)
	}
	// billing has no fetch: it says what the state token carried.
	next := follow(t, app, doc)
	if got, want := strings.Join(next.says(), " | "), "Account 9 9 8 8 7 7 6 6 goes to billing."; got != want {
		t.Errorf("billing says %q, want %q", got, want)
	}
	if n := b.calls.Load(); n != 1 {
		t.Errorf("the backend was asked %d times, want once", n)
	}
	// Without the token, billing's variable is unset: the internal error flow, not a crash.
	doc = twimlOf(t, call(t, app, "/ivr/billing", principalstest.CallParams(otherNumber)))
	if got := firstSay(doc); !strings.Contains(got, "something went wrong") {
		t.Errorf("billing without its state says %q, want the internal error flow", got)
	}
}

func TestAFailingBackendGoesToOnError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(b *bank)
		expect string
	}{
		{"Timeout", func(b *bank) { b.sleep.Store(int64(2 * time.Second)) }, "Your balance is not available right now."},
		{"MalformedJSON", func(b *bank) { b.answer.Store(`{"balance": 42.1,`) }, "Your balance is not available right now."},
		{"NotAnObject", func(b *bank) { b.answer.Store(`[1, 2]`) }, "Your balance is not available right now."},
		{"WrongType", func(b *bank) { b.answer.Store(`{"balance": "lots", "account": "1"}`) }, "Your balance is not available right now."},
		{"MissingField", func(b *bank) { b.answer.Store(`{"account": "1"}`) }, "Your balance is not available right now."},
		{"ServerError", func(b *bank) { b.status.Store(500) }, "Your balance is not available right now."},
		{"TooLargeForTheState", func(b *bank) {
			b.answer.Store(`{"balance": 1, "account": "` + strings.Repeat("9", 500) + `", "name": "` + strings.Repeat("n", 200) + `"}`)
		}, "Your balance is not available right now."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, b := newBankApp(t)
			tc.setup(b)
			start := time.Now()
			doc := twimlOf(t, call(t, app, "/ivr/balance", principalstest.CallParams(otherNumber)))
			if got := firstSay(doc); got != tc.expect {
				t.Errorf("caller hears %q, want %q", got, tc.expect)
			}
			if r := doc.find("Redirect"); r == nil || withoutState(r.Text) != "/ivr/welcome" {
				t.Errorf("on_error goes to %v, want /ivr/welcome", doc.verbs())
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("the answer took %v: the fetch's timeout did not hold", d)
			}
		})
	}
}

func TestAFlowWithBackendsButNoKeyWarnsAndEveryFetchFails(t *testing.T) {
	_, srv := newBank(t)
	app := newTestApp(t, &Options{
		Flow:   Text("bank.yaml", bankFlow(srv.URL+"/ivr")),
		Policy: Text("policy.csv", "p, twilio, /ivr/*, view, allow\n"),
	})
	if w := strings.Join(app.Warnings(), "\n"); !strings.Contains(w, "no backend key") {
		t.Errorf("warnings %q, want one about the backend key", w)
	}
	doc := twimlOf(t, call(t, app, "/ivr/balance", principalstest.CallParams(otherNumber)))
	if got := firstSay(doc); got != "Your balance is not available right now." {
		t.Errorf("caller hears %q", got)
	}
}

func TestTheCallersDigitsTravelToASwitch(t *testing.T) {
	app, _ := newBankApp(t)
	params := principalstest.CallParams(otherNumber)
	params.Set("Digits", "2")
	doc := twimlOf(t, call(t, app, "/ivr/welcome/gather?i=0&n=0", params))
	redirect := doc.find("Redirect").Text
	if !strings.HasPrefix(redirect, "/ivr/by_digits?st=") {
		t.Fatalf("option 2 goes to %s, want by_digits with the state", redirect)
	}
	next := follow(t, app, doc)
	if got := firstSay(next); got != "You pressed two." {
		t.Errorf("the switch on digits says %q, want %q", got, "You pressed two.")
	}
}

// Input that matches no option goes to the gather's other, and the backend receives it as the
// call's digits; no URL holds it in clear.
func TestOtherInputReachesTheBackendAsDigits(t *testing.T) {
	app, b := newBankApp(t)
	params := principalstest.CallParams(otherNumber)
	params.Set("Digits", "99887766")
	doc := twimlOf(t, call(t, app, "/ivr/welcome/gather?i=0&n=0", params))
	redirect := doc.find("Redirect").Text
	if !strings.HasPrefix(redirect, "/ivr/balance?st=") || strings.Contains(redirect, "99887766") {
		t.Fatalf("other goes to %s, want the balance menu with the digits sealed, not in clear", redirect)
	}
	next := follow(t, app, doc)
	if got := firstSay(next); got != "Ann, your balance is $42.10." {
		t.Errorf("the balance menu says %q", got)
	}
	body, _ := b.last.Load().(map[string]any)
	if body["digits"] != "99887766" {
		t.Errorf("the backend got digits %v, want the caller's 99887766", body["digits"])
	}
	if g := twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))).find("Gather"); g == nil || g.Attrs["numDigits"] != "" {
		t.Errorf("a gather with other waits for finish_on_key, not one digit: %+v", g)
	}
}

// tokenText returns the bytes of the state token in url's st parameter as text: what anyone who
// sees the URL (Twilio's request log, a proxy's) can read without the state key.
func tokenText(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	st := u.Query().Get("st")
	raw, err := base64.RawURLEncoding.DecodeString(st)
	if err != nil {
		t.Fatalf("st=%q is not base64url: %v", st, err)
	}
	return string(raw)
}
