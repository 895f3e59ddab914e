package outbound_test

import (
	"encoding/json"
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/outbound"
	"github.com/switchboard-ivr/switchboard/outbound/outboundtest"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const twilioToken = "fedcba9876543210fedcba9876543210" // twilio-go refuses a token that is not 32 hex digits

const languagesFlow = `version: 1
languages:
  default: en-US
  others: [es-MX]
  by_called: {"+15555550150": es-MX}
defaults: {voices: {es-MX: Polly.Mia}}
start: welcome
menus:
  welcome:
    gather:
      prompt: {en-US: For sales press 1., es-MX: Para ventas oprima 1.}
      options: {"1": sales}
  sales: {say: {en-US: Sales., es-MX: Ventas.}, hangup: true}
`

// newLanguagesApp serves languagesFlow with Twilio's signature policy and a state key, with
// POST /calls to the stand-in tw.
func newLanguagesApp(t *testing.T, tw *outboundtest.Twilio) *framework.App {
	t.Helper()
	keys, err := principals.ParseAPIKeys("keys", strings.NewReader("otto "+principals.HashAPIKey(opKey)+" operators\n"))
	if err != nil {
		t.Fatal(err)
	}
	twp, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(twilioToken)}})
	if err != nil {
		t.Fatal(err)
	}
	opts := &framework.Options{
		Flow:     framework.Text("flow.yaml", languagesFlow),
		Policy:   framework.Text("policy.csv", testPolicy),
		Policies: []principals.Policy{twp, keys},
		Logger:   slog.New(slog.NewTextHandler(t.Output(), nil)),
	}
	k, err := callstate.ParseKey(strings.Repeat("5a", 32))
	if err != nil {
		t.Fatal(err)
	}
	if opts.State, err = callstate.New(k, nil); err != nil {
		t.Fatal(err)
	}
	app, err := framework.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := outbound.Register(app, &outbound.Options{
		AccountSID: account, AuthToken: principals.NewSecret(twilioToken), From: "+15555550100",
		PublicURL: "https://ivr.example.com", BaseURL: tw.URL, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	}); err != nil {
		t.Fatal(err)
	}
	return app
}

// reply is what a TwiML answer tells Twilio, as far as these tests look.
type reply struct {
	code        int
	say, action string // the first Say (at the top or in the Gather), the Gather's action
	redirect    string // the Redirect's URL
}

// answer requests rawURL as Twilio does for an outbound-api call to the number to (or another
// direction), signed, with the extra form fields, and reads its TwiML.
func answer(t *testing.T, app http.Handler, rawURL, to, direction string, extra ...string) reply {
	t.Helper()
	params := principalstest.CallParams("+15555550100", append([]string{"To", to, "Called", to, "Direction", direction}, extra...)...)
	w := httptest.NewRecorder()
	app.ServeHTTP(w, principalstest.NewPOST(twilioToken, rawURL, params))
	var doc struct {
		Says     []string `xml:"Say"`
		Redirect string   `xml:"Redirect"`
		Gathers  []struct {
			Action string   `xml:"action,attr"`
			Says   []string `xml:"Say"`
		} `xml:"Gather"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%s answered %d %q: %v", rawURL, w.Code, w.Body, err)
	}
	r := reply{code: w.Code, redirect: doc.Redirect}
	if len(doc.Gathers) > 0 {
		r.action = doc.Gathers[0].Action
		if len(doc.Gathers[0].Says) > 0 {
			r.say = doc.Gathers[0].Says[0]
		}
	}
	if len(doc.Says) > 0 {
		r.say = doc.Says[0]
	}
	return r
}

// A call started in a language enters the menu in it: the Url Twilio receives carries the
// language sealed as the server seals call state, and the entry menu, requested as Twilio
// requests it (signed, an outbound-api call to that number), answers in that language. The
// token opens only for that number and an outbound-api call; the language alone, unsealed, is
// refused as any unsealed state is.
func TestACallStartsInTheLanguageItAsksFor(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	app := newLanguagesApp(t, tw)
	const to = "+15555550142"
	w := post(app, opKey, `{"to": "`+to+`", "menu": "welcome", "language": "es-MX"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /calls: %d %s", w.Code, w.Body)
	}
	entry := tw.Requests()[0].Form.Get("Url")
	u, err := url.Parse(entry)
	if err != nil || u.Path != "/ivr/welcome" || u.Query().Get("l") != "es-MX" || u.Query().Get(framework.StateParam) == "" {
		t.Fatalf("Twilio received Url %q; want /ivr/welcome with l=es-MX and a state token", entry)
	}
	var resp outbound.Response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.URL != entry {
		t.Errorf("the answer %s does not give the Url Twilio received (%v)", w.Body, err)
	}
	r := answer(t, app, entry, to, "outbound-api")
	if r.code != http.StatusOK || r.say != "Para ventas oprima 1." {
		t.Fatalf("the callee hears %d %q, want the welcome menu in Spanish", r.code, r.say)
	}
	// The call goes on in Spanish, its next URL sealed for the call as every call's is.
	if u, err := url.Parse(r.action); err != nil || u.Query().Get("l") != "es-MX" || u.Query().Get(framework.StateParam) == "" {
		t.Fatalf("the gather's action %q does not carry the language, sealed", r.action)
	}
	r = answer(t, app, "https://ivr.example.com"+r.action, to, "outbound-api", "Digits", "1")
	if r = answer(t, app, "https://ivr.example.com"+r.redirect, to, "outbound-api"); r.say != "Ventas." {
		t.Errorf("pressing 1 hears %q, want sales in Spanish", r.say)
	}
	for _, tc := range []struct{ name, url, to, direction string }{
		{"AnotherNumber", entry, "+15555550143", "outbound-api"},
		{"AnInboundCall", entry, to, "inbound"},
		{"NoToken", "https://ivr.example.com/ivr/welcome?l=es-MX", to, "outbound-api"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := answer(t, app, tc.url, tc.to, tc.direction); !strings.Contains(r.say, "no está disponible") {
				t.Errorf("the entry URL answered %d %q; want the not-found flow (in Spanish, the URL's language)", r.code, r.say)
			}
		})
	}
}

func TestACallsLanguageMustBeOneTheFlowDeclares(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	app := newLanguagesApp(t, tw)
	w := post(app, opKey, `{"to": "+15555550142", "menu": "welcome", "language": "fr-CA"}`)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `language: \"fr-CA\" is not a language of the flow: name one it declares (en-US, es-MX)`) {
		t.Errorf("%d %s, want 400 naming en-US and es-MX", w.Code, w.Body)
	}
	if len(tw.Requests()) != 0 {
		t.Error("Twilio was asked to place a call in an undeclared language")
	}
	one := newAppWith(t, tw, testFlow, outbound.Options{})
	if w := post(one, opKey, `{"to": "+15555550142", "menu": "welcome", "language": "es-MX"}`); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "it declares none") {
		t.Errorf("a flow of one language: %d %s, want 400 saying it declares none", w.Code, w.Body)
	}
}

// A language the call would speak anyway needs no state: the default on a number by_called
// does not name, or by_called's own; the default on a by_called number is named, and sealed.
func TestALanguageIsNamedOnlyWhenTheCallWouldNotSpeakIt(t *testing.T) {
	for _, tc := range []struct {
		name, to, language string
		query              string // the Url's query without its token
		token              bool
		hears              string
	}{
		{"TheDefault", "+15555550142", "en-US", "", false, "For sales press 1."},
		{"ByCalledsOwn", "+15555550150", "es-MX", "", false, "Para ventas oprima 1."},
		{"TheDefaultOnAByCalledNumber", "+15555550150", "en-US", "l=en-US", true, "For sales press 1."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tw := outboundtest.NewTwilio(t)
			app := newLanguagesApp(t, tw)
			if w := post(app, opKey, `{"to": "`+tc.to+`", "menu": "welcome", "language": "`+tc.language+`"}`); w.Code != http.StatusCreated {
				t.Fatalf("POST /calls: %d %s", w.Code, w.Body)
			}
			entry := tw.Requests()[0].Form.Get("Url")
			u, err := url.Parse(entry)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			tok := q.Get(framework.StateParam)
			q.Del(framework.StateParam)
			if q.Encode() != tc.query || (tok != "") != tc.token {
				t.Errorf("Url %q; want query %q, token %v", entry, tc.query, tc.token)
			}
			if r := answer(t, app, entry, tc.to, "outbound-api"); r.say != tc.hears {
				t.Errorf("the callee hears %q, want %q", r.say, tc.hears)
			}
		})
	}
}
