package main

import (
	"encoding/json"
	"fmt"
	"github.com/switchboard-ivr/switchboard/outbound"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const (
	testAccount   = "AC0123456789abcdef0123456789abcdef"
	testToken     = "0123456789abcdef0123456789abcdef" // not a real one
	testCallerID  = "+15555550100"
	testPublicURL = "https://ivr.example.com"
	callee        = "+15555550142"

	operatorKey   = "op-4f1c9a7e2b6d8053c1e9a4f7b2d6e8c0"  // in group:operators
	monitoringKey = "mon-9b2e7d4c1a8f6053e2c7b9d4a1f8e6c3" // in group:monitoring, which may not call
)

// fakeTwilio stands in for Twilio's REST API and records every request it receives.
type fakeTwilio struct {
	srv      *httptest.Server
	status   int    // answered to every request
	response string // the JSON body answered

	mu  sync.Mutex
	got []received
}

// received is one request the fake API saw.
type received struct {
	Method, Host, Path string
	User, Password     string
	BasicAuth          bool
	ContentType        string
	Form               url.Values
}

func newFakeTwilio(t *testing.T) *fakeTwilio {
	f := &fakeTwilio{
		status:   http.StatusCreated,
		response: `{"sid": "CAfeedface00000000000000000000000", "status": "queued", "to": "` + callee + `", "from": "` + testCallerID + `"}`,
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		user, pass, ok := r.BasicAuth()
		f.mu.Lock()
		f.got = append(f.got, received{r.Method, r.Host, r.URL.Path, user, pass, ok, r.Header.Get("Content-Type"), form})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, f.response)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTwilio) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

// client returns an HTTP client that sends what twilio-go addresses to https://api.twilio.com
// to the fake instead, keeping the Host header, so twilio-go runs unmodified.
func (f *fakeTwilio) client() *http.Client {
	to, _ := url.Parse(f.srv.URL)
	return &http.Client{Transport: redirect{to: to, next: f.srv.Client().Transport}}
}

type redirect struct {
	to   *url.URL
	next http.RoundTripper
}

func (rt redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" || !strings.HasSuffix(r.URL.Host, ".twilio.com") {
		return nil, fmt.Errorf("twilio-go called %s, not an https Twilio API", r.URL)
	}
	r = r.Clone(r.Context())
	r.Host = r.URL.Host
	r.URL.Scheme, r.URL.Host = rt.to.Scheme, rt.to.Host
	return rt.next.RoundTrip(r)
}

// newTestApp writes a keys file (mode 0600) to a temporary directory and builds the example's
// App against twilio, with the example's own flow.yaml and policy.csv.
func newTestApp(t *testing.T, twilio *fakeTwilio) http.Handler {
	t.Helper()
	keys := filepath.Join(t.TempDir(), "keys")
	lines := "# name  hash  groups\n" +
		"alice    " + principals.HashAPIKey(operatorKey) + "  operators\n" +
		"grafana  " + principals.HashAPIKey(monitoringKey) + "  monitoring\n"
	if err := os.WriteFile(keys, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"TWILIO_ACCOUNT_SID":     testAccount,
		"TWILIO_AUTH_TOKEN":      testToken,
		"TWILIO_CALLER_ID":       testCallerID,
		"SWITCHBOARD_PUBLIC_URL": testPublicURL + "/",
		"SWITCHBOARD_KEYS":       keys,
	}
	cfg, err := configFromEnv(func(name string) string { return env[name] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	cfg.TwilioHTTP = twilio.client()
	app, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w := app.Warnings(); len(w) > 0 {
		t.Errorf("flow.yaml loads with warnings:\n%s", strings.Join(w, "\n"))
	}
	return app
}

// postCalls sends body to /calls with the Authorization header auth ("" for none).
func postCalls(t *testing.T, h http.Handler, auth, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, testPublicURL+"/calls", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestOperatorStartsACallThatEntersTheMenu(t *testing.T) {
	twilio := newFakeTwilio(t)
	h := newTestApp(t, twilio)

	w := postCalls(t, h, "Bearer "+operatorKey, `{"to": "`+callee+`", "menu": "reminder"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /calls: %d %s, want 201", w.Code, w.Body)
	}
	var resp outbound.Response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("POST /calls answered %q: %v", w.Body, err)
	}
	want := outbound.Response{SID: "CAfeedface00000000000000000000000", Status: "queued", To: callee, URL: testPublicURL + "/ivr/reminder"}
	if resp != want {
		t.Errorf("POST /calls answered %+v, want %+v", resp, want)
	}

	got := twilio.requests()
	if len(got) != 1 {
		t.Fatalf("the Twilio API received %d requests, want 1: %+v", len(got), got)
	}
	req := got[0]
	for _, c := range []struct{ field, got, want string }{
		{"method", req.Method, http.MethodPost},
		{"host", req.Host, "api.twilio.com"},
		{"path", req.Path, "/2010-04-01/Accounts/" + testAccount + "/Calls.json"},
		{"content type", req.ContentType, "application/x-www-form-urlencoded"},
		{"basic auth user", req.User, testAccount},
		{"basic auth password", req.Password, testToken},
		{"To", req.Form.Get("To"), callee},
		{"From", req.Form.Get("From"), testCallerID},
		{"Url", req.Form.Get("Url"), testPublicURL + "/ivr/reminder"},
		{"Method", req.Form.Get("Method"), http.MethodPost},
	} {
		if c.got != c.want {
			t.Errorf("the Twilio API received %s %q, want %q", c.field, c.got, c.want)
		}
	}
	if !req.BasicAuth {
		t.Error("the Twilio API request carried no basic auth")
	}

	// The callee answers: Twilio fetches Url, signed, for an outbound call to the callee, who
	// presses 1 to confirm.
	c := &caller.Call{
		URL: req.Form.Get("Url"), Token: principals.NewSecret(testToken), Handler: h,
		From: testCallerID, To: callee, Direction: "outbound-api",
		AccountSid: testAccount, CallSid: "CAfeedface00000000000000000000000",
		Answers: []caller.Answer{caller.Press("1")},
	}
	tr, err := c.Run(t.Context())
	if err != nil {
		t.Fatalf("the callee's call: %v\n%s", err, tr)
	}
	heard := "SAY This is Acme Dental with a reminder of your appointment tomorrow at nine.\n" +
		"SAY To confirm, press 1. To reschedule, press 2.\n" +
		"GATHER pressed 1\n" +
		"SAY Thank you. See you tomorrow. Goodbye.\n" +
		"HANGUP\n"
	if tr.String() != heard {
		t.Errorf("the callee heard\n%swant the reminder, then after pressing 1 the confirmation and a hangup:\n%s", tr, heard)
	}
}

func TestCallsAreRefusedWithAJSONProblem(t *testing.T) {
	ok := `{"to": "` + callee + `", "menu": "welcome"}`
	tests := []struct {
		name   string
		auth   string
		body   string
		signed bool // signed as Twilio signs a webhook, instead of auth
		status int
	}{
		{"no key is unauthenticated", "", ok, false, http.StatusUnauthorized},
		{"an unknown key is unauthenticated", "Bearer not-a-key-anybody-issued", ok, false, http.StatusUnauthorized},
		{"basic auth is not a key", "Basic YWxpY2U6c2VjcmV0", ok, false, http.StatusUnauthorized},
		{"a key in a group without call is forbidden", "Bearer " + monitoringKey, ok, false, http.StatusForbidden},
		{"a valid Twilio signature does not grant call (and hears the forbidden call flow)", "", ok, true, http.StatusForbidden},
		{"malformed JSON is a bad request", "Bearer " + operatorKey, `{"to": "` + callee, false, http.StatusBadRequest},
		{"an unknown field is a bad request", "Bearer " + operatorKey, `{"to": "` + callee + `", "menu": "welcome", "from": "+15555550111"}`, false, http.StatusBadRequest},
		{"two objects are a bad request", "Bearer " + operatorKey, ok + ok, false, http.StatusBadRequest},
		{"a number that is not E.164 is a bad request", "Bearer " + operatorKey, `{"to": "555-0142", "menu": "welcome"}`, false, http.StatusBadRequest},
		{"an unknown menu is a bad request", "Bearer " + operatorKey, `{"to": "` + callee + `", "menu": "billing"}`, false, http.StatusBadRequest},
		{"a route that is not a menu is a bad request", "Bearer " + operatorKey, `{"to": "` + callee + `", "menu": "welcome/gather"}`, false, http.StatusBadRequest},
		{"no menu is a bad request", "Bearer " + operatorKey, `{"to": "` + callee + `"}`, false, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			twilio := newFakeTwilio(t)
			h := newTestApp(t, twilio)
			var w *httptest.ResponseRecorder
			if tt.signed {
				r := principalstest.NewJSON(testToken, testPublicURL+"/calls", []byte(tt.body))
				w = httptest.NewRecorder()
				h.ServeHTTP(w, r)
				// A request Twilio signed is answered with TwiML, so that Twilio never plays
				// its "application error": here, the forbidden error call flow.
				if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") || !strings.Contains(w.Body.String(), "<Say") {
					t.Errorf("status %d %q, body %s: want the forbidden call flow", w.Code, w.Header().Get("Content-Type"), w.Body)
				}
			} else {
				w = postCalls(t, h, tt.auth, tt.body)
				expectProblem(t, w, tt.status)
			}
			if n := len(twilio.requests()); n != 0 {
				t.Errorf("the Twilio API received %d requests, want none", n)
			}
		})
	}
}

func TestTwilioRefusalIsABadGateway(t *testing.T) {
	twilio := newFakeTwilio(t)
	twilio.status = http.StatusBadRequest
	twilio.response = `{"code": 21211, "message": "Invalid 'To' Phone Number: +15555550142", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`
	h := newTestApp(t, twilio)
	w := postCalls(t, h, "Bearer "+operatorKey, `{"to": "`+callee+`", "menu": "welcome"}`)
	p := expectProblem(t, w, http.StatusBadGateway)
	if !strings.Contains(p.Detail, "21211") {
		t.Errorf("detail %q does not give Twilio's error code", p.Detail)
	}
	if strings.Contains(w.Body.String(), testToken) {
		t.Error("the answer shows the auth token")
	}
}

func TestConfigurationNamesEveryMissingSetting(t *testing.T) {
	_, err := configFromEnv(func(string) string { return "" })
	for _, name := range []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_CALLER_ID", "SWITCHBOARD_PUBLIC_URL", "SWITCHBOARD_KEYS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("with an empty environment the error does not name %s: %v", name, err)
		}
	}
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// expectProblem checks that w is an RFC 9457 problem with status, and returns it.
func expectProblem(t *testing.T, w *httptest.ResponseRecorder, status int) problem {
	t.Helper()
	if w.Code != status {
		t.Errorf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q is not JSON: %v", w.Body, err)
	}
	if p.Status != status || p.Title != http.StatusText(status) {
		t.Errorf("problem %+v, want status %d %q", p, status, http.StatusText(status))
	}
	return p
}
