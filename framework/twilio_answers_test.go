package framework

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// saysFirst returns what a voice response says first, failing unless it is 200 TwiML.
func saysFirst(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	says := twimlOf(t, w).says()
	if len(says) == 0 {
		t.Fatalf("the TwiML says nothing:\n%s", w.Body)
	}
	return says[0]
}

func TestARequestTwilioMayHaveSentAlwaysGetsAnErrorCallFlow(t *testing.T) {
	const sayStaffOnly = "This line is for Acme staff only."
	const sayNotFoundES = "Esa opción no está disponible."
	signed := func(method, target string) *http.Request {
		if method == http.MethodGet {
			return principalstest.NewGET(testToken, testHost+target)
		}
		return principalstest.NewPOST(testToken, testHost+target, principalstest.CallParams(otherNumber))
	}
	forgedTo := func(method, target string) *http.Request {
		r := httptest.NewRequest(method, testHost+target, strings.NewReader("From=%2B15555550142"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		return r
	}
	oversized := func(r *http.Request) *http.Request {
		r.Body = io.NopCloser(strings.NewReader(strings.Repeat("a=b&", 20<<10)))
		r.ContentLength = 80 << 10
		return r
	}
	unsigned := func(method, target string) *http.Request { return httptest.NewRequest(method, testHost+target, nil) }
	tests := []struct {
		name string
		req  *http.Request
		want string // what the caller hears first
	}{
		{"SignedOutsideTheBasePathHearsTheTopLevelNotFoundFlow", signed(http.MethodPost, "/elsewhere"), sayNotFound},
		{"SignedInASpanishCallHearsTheSpanishNotFoundFlow", signed(http.MethodPost, "/ivr/nada?l=es-MX"), sayNotFoundES},
		{"ForgedOutsideTheBasePathHearsTheUnauthenticatedFlow", forgedTo(http.MethodPost, "/elsewhere"), sayUnauthenticated},
		{"ForgedToANodeWithItsOwnForbiddenFlowHearsTheTopLevelOne", forgedTo(http.MethodPost, "/ivr/staff"), sayUnauthenticated},
		{"AnOversizedForgedRequestToThatNodeHearsTheTopLevelUnauthenticatedFlow", oversized(forgedTo(http.MethodPost, "/ivr/staff")), sayUnauthenticated},
		{"ForgedToAnUnknownVoicePathHearsTheSameAsToAMenu", forgedTo(http.MethodPost, "/ivr/nothing"), sayUnauthenticated},
		{"UnsignedWrongMethodOnAFlowRouteHearsTheUnauthenticatedFlow", unsigned(http.MethodPut, "/ivr/welcome"), sayUnauthenticated},
		{"SignedWrongMethodOnAVoiceRouteHearsTheNotFoundFlow", signed(http.MethodGet, "/balance"), sayNotFound},
		{"UnsignedWrongMethodOnAVoiceRouteHearsTheUnauthenticatedFlow", unsigned(http.MethodDelete, "/balance"), sayUnauthenticated},
		{"SignedToAJSONRouteItMayNotUseHearsTheForbiddenFlow", signed(http.MethodPost, "/calls"), sayForbidden},
		{"AVerifiedCallerRefusedOnTheStaffMenuHearsItsOwnForbiddenFlow", principalstest.NewPOST(testToken, testHost+"/ivr/staff", principalstest.CallParams(otherNumber)), sayStaffOnly},
		{"ABlockedCallerOnTheStaffMenuHearsTheDeniedFlowNotItsForbiddenOne", principalstest.NewPOST(testToken, testHost+"/ivr/staff", principalstest.CallParams(blockedNumber)), "Sorry, this line cannot take your call."},
	}
	app := newTestApp(t, &Options{})
	if err := app.Voice(http.MethodPost, "/balance", "view", func(*http.Request) (twiml.Response, error) {
		return twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: "Your balance is zero."}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := app.Handle(http.MethodPost, "/calls", "call", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := saysFirst(t, send(app, tc.req)); got != tc.want {
				t.Errorf("heard %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("AnUnsignedRequestOutsideTheVoiceRoutesGetsJSON", func(t *testing.T) {
		w := send(app, unsigned(http.MethodGet, "/elsewhere"))
		if w.Code != http.StatusNotFound || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
			t.Errorf("status %d, %s; want a 404 problem", w.Code, w.Header().Get("Content-Type"))
		}
	})
}

// App.Serve's server leaves a TwiML answer's Content-Type to net/http's sniffing (writeTwiML);
// every other writer gets the header set. Twilio must read exactly twiml.ContentType either way
// (the voice-route tests through App.Serve, via heard, and through a recorder, via twimlOf,
// check every answer's type too).
func TestTwiMLContentTypeIsWhatTwilioRuns(t *testing.T) {
	t.Run("RenderedTwiMLSniffsAsTwiMLContentType", func(t *testing.T) {
		b, err := twiml.Response{}.Render()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, xmlDeclaration) {
			t.Errorf("rendered TwiML %q does not start with %q", b, xmlDeclaration)
		}
		if got := http.DetectContentType(b); got != twiml.ContentType {
			t.Errorf("net/http sniffs %q as %q, want %q", b, got, twiml.ContentType)
		}
	})
	t.Run("ServedByAppServeTheHeaderComesOnce", func(t *testing.T) {
		app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{FailedAuthLimit: -1})
		addr := listen(t, app)
		for _, r := range []*http.Request{
			principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber)),
			postRaw("/ivr/welcome", "", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="), // the forbidden flow
		} {
			resp, body := exchangeRaw(t, addr, wireBytes(t, r), false)
			if got := resp.Header.Values("Content-Type"); len(got) != 1 || got[0] != twiml.ContentType {
				t.Errorf("Content-Type %q, want [%q]; body:\n%s", got, twiml.ContentType, body)
			}
		}
	})
	// writeTwiML itself, on a recorder, which does not sniff after an explicit WriteHeader.
	write := func(sniffs bool, body string) http.Header {
		w := httptest.NewRecorder()
		c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/", nil), w)
		writeTwiML(&exchange{reqContext: reqContext{Context: c}, sniffs: sniffs}, []byte(body))
		if w.Code != http.StatusOK || w.Body.String() != body {
			t.Fatalf("wrote %d %q, want 200 %q", w.Code, w.Body, body)
		}
		return w.Header()
	}
	const rendered = `<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>`
	tests := []struct {
		name   string
		sniffs bool
		body   string
		want   string
	}{
		{"AnotherWriterGetsTheHeader", false, rendered, twiml.ContentType},
		{"ABodyWithoutTheDeclarationGetsTheHeader", true, "<Response><Hangup/></Response>", twiml.ContentType},
		{"NetHTTPsWriterIsLeftToSniff", true, rendered, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := write(tt.sniffs, tt.body).Get("Content-Type"); got != tt.want {
				t.Errorf("Content-Type %q, want %q", got, tt.want)
			}
		})
	}
}
