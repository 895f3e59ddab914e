package outbound_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/dialallow"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/outbound"
	"github.com/switchboard-ivr/switchboard/outbound/outboundtest"
	"github.com/switchboard-ivr/switchboard/principals"
)

const (
	account = "AC0123456789abcdef0123456789abcdef"
	apiKey  = "SK0123456789abcdef0123456789abcdef"
	opKey   = "operator-key-0123456789abcdef01234"
	otherOp = "operator-key-fedcba9876543210fedcb"
)

const testFlow = `version: 1
start: welcome
entries: [reminder]
max_call_seconds: 900
callbacks: {status: true}
menus:
  welcome: {say: Hello., goto: inside}
  inside: {say: Inside., hangup: true}
  reminder: {say: This is a reminder., hangup: true}
`

const (
	scrapeKey  = "monitoring-key-0123456789abcdef012"
	testPolicy = "p, twilio, /ivr/*, view, allow\np, group:operators, /calls, call, allow\np, group:monitoring, /metrics, metrics, allow\n"
)

func newApp(t *testing.T, tw *outboundtest.Twilio, opts outbound.Options) *framework.App {
	t.Helper()
	return newAppWith(t, tw, testFlow, opts)
}

func newAppWith(t *testing.T, tw *outboundtest.Twilio, flowText string, opts outbound.Options) *framework.App {
	t.Helper()
	keys, err := principals.ParseAPIKeys("keys", strings.NewReader(
		"otto "+principals.HashAPIKey(opKey)+" operators\nolga "+principals.HashAPIKey(otherOp)+" operators\nprom "+principals.HashAPIKey(scrapeKey)+" monitoring\n"))
	if err != nil {
		t.Fatal(err)
	}
	app, err := framework.New(&framework.Options{
		Flow:     framework.Text("flow.yaml", flowText),
		Policy:   framework.Text("policy.csv", testPolicy),
		Policies: []principals.Policy{keys},
		Logger:   slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	opts.AccountSID = account
	opts.From = "+15555550100"
	opts.PublicURL = "https://ivr.example.com"
	opts.BaseURL = tw.URL
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	if opts.APIKey == "" {
		opts.AuthToken = principals.NewSecret("0123456789abcdef0123456789abcdef")
	}
	if _, err := outbound.Register(app, &opts); err != nil {
		t.Fatal(err)
	}
	return app
}

func post(app http.Handler, key, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "https://ivr.example.com/calls", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+key)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	return w
}

func TestACallReachesTwilioWithTheMenuTheTimeLimitAndTheStatusCallback(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	app := newApp(t, tw, outbound.Options{APIKey: apiKey, APISecret: principals.NewSecret("apisecret0123456789abcdef01234567"), MaxCallSeconds: 3600})
	w := post(app, opKey, `{"to": "+15555550142", "menu": "reminder"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /calls: %d %s", w.Code, w.Body)
	}
	var resp outbound.Response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp != (outbound.Response{
		SID: outboundtest.CallSID, Status: "queued", To: "+15555550142", URL: "https://ivr.example.com/ivr/reminder"}) {
		t.Errorf("answered %s (%v)", w.Body, err)
	}
	reqs := tw.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the stand-in received %d requests", len(reqs))
	}
	if got, want := reqs[0].Method+" "+reqs[0].Path, "POST /2010-04-01/Accounts/"+account+"/Calls.json"; got != want {
		t.Errorf("request %s, want %s", got, want)
	}
	if reqs[0].User != apiKey {
		t.Errorf("basic auth user %q, want the API key %s", reqs[0].User, apiKey)
	}
	form := reqs[0].Form
	for _, want := range []struct{ param, value string }{
		{"To", "+15555550142"},
		{"From", "+15555550100"},
		{"Url", "https://ivr.example.com/ivr/reminder"},
		{"Method", "POST"},
		{"TimeLimit", "900"}, // the flow's max_call_seconds, lower than the option's 3600
		{"StatusCallback", "https://ivr.example.com/callbacks/status"},
		{"StatusCallbackMethod", "POST"},
	} {
		if got := form.Get(want.param); got != want.value {
			t.Errorf("%s = %q, want %q", want.param, got, want.value)
		}
	}
	if got := strings.Join(form["StatusCallbackEvent"], " "); got != "initiated ringing answered completed" {
		t.Errorf("StatusCallbackEvent = %q, want every progress event", got)
	}
}

func TestAFlowWithoutStatusCallbacksStartsCallsWithoutOne(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	app := newAppWith(t, tw, strings.Replace(testFlow, "callbacks: {status: true}\n", "", 1), outbound.Options{})
	if w := post(app, opKey, `{"to": "+15555550142", "menu": "welcome"}`); w.Code != http.StatusCreated {
		t.Fatalf("POST /calls: %d %s", w.Code, w.Body)
	}
	if form := tw.Requests()[0].Form; form.Has("StatusCallback") {
		t.Errorf("StatusCallback sent for a flow that asks for none: %v", form)
	}
}

func TestOnlyTheStartMenuAndEntriesMayBeCalledInto(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	app := newApp(t, tw, outbound.Options{})
	tests := []struct {
		name, menu string
		expect     int
	}{
		{"TheStartMenu", "welcome", http.StatusCreated},
		{"AnEntry", "reminder", http.StatusCreated},
		{"AMenuInsideTheFlow", "inside", http.StatusBadRequest},
		{"NoMenu", "", http.StatusBadRequest},
		{"AMenuThatDoesNotExist", "nowhere", http.StatusBadRequest},
		{"APathRatherThanAName", "../reminder", http.StatusBadRequest},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tw.Requests())
			to := fmt.Sprintf("+1555555%04d", i)
			w := post(app, opKey, `{"to": "`+to+`", "menu": "`+tt.menu+`"}`)
			if w.Code != tt.expect {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.expect)
			}
			if tt.expect == http.StatusBadRequest {
				if !strings.Contains(w.Body.String(), "welcome, reminder") {
					t.Errorf("the refusal %s does not name where calls may enter", w.Body)
				}
				if len(tw.Requests()) != before {
					t.Error("Twilio was asked to place a refused call")
				}
			}
		})
	}
}

func TestANumberMustPassBothTheServersAllowlistAndTheFlows(t *testing.T) {
	tests := []struct {
		name         string
		server, flow []string // --dial-allow and dial_allow
		to           string
		expect       int
		expectDetail string
	}{
		{"NeitherListsAnyNumber", nil, nil, "+447700900123", http.StatusCreated, ""},
		{"BothAllowIt", []string{"+1"}, []string{"+1555"}, "+15555550142", http.StatusCreated, ""},
		{"TheServerRefusesIt", []string{"+44"}, nil, "+15555550142", http.StatusBadRequest, "refused by the server's dial allowlist"},
		{"TheFlowRefusesIt", []string{"+1"}, []string{"+1212"}, "+15555550142", http.StatusBadRequest, "refused by the flow's dial_allow"},
		{"PremiumRateWithNoLists", nil, nil, "+19005550100", http.StatusBadRequest, "premium-rate"},
		{"PremiumRateListedByTheServerOnly", []string{"+1900"}, nil, "+19005550100", http.StatusBadRequest, "refused by the flow's dial_allow"},
		{"PremiumRateListedByBoth", []string{"+1900"}, []string{"+1900"}, "+19005550100", http.StatusCreated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tw := outboundtest.NewTwilio(t)
			list, err := dialallow.Parse(tt.server)
			if err != nil {
				t.Fatal(err)
			}
			flowText := testFlow
			if tt.flow != nil {
				flowText += `dial_allow: ["` + strings.Join(tt.flow, `", "`) + `"]` + "\n"
			}
			app := newAppWith(t, tw, flowText, outbound.Options{Allow: list})
			w := post(app, opKey, `{"to": "`+tt.to+`", "menu": "welcome"}`)
			if w.Code != tt.expect || !strings.Contains(w.Body.String(), tt.expectDetail) {
				t.Errorf("%d %s, want %d naming %q", w.Code, w.Body, tt.expect, tt.expectDetail)
			}
			if tt.expect != http.StatusCreated && strings.Contains(w.Body.String(), tt.to) {
				t.Errorf("the refusal quotes the number: %s", w.Body)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.expect == http.StatusCreated]; len(tw.Requests()) != want {
				t.Errorf("the stand-in received %d calls, want %d", len(tw.Requests()), want)
			}
		})
	}
}

func TestMetricsCountEachOutcome(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	app := newApp(t, tw, outbound.Options{PerDestination: &outbound.Rate{Calls: 1, Per: time.Hour}})
	post(app, opKey, `{"to": "+15555550142", "menu": "welcome"}`)
	post(app, opKey, `{"to": "+15555550142", "menu": "welcome"}`) // the destination's 1 is spent
	post(app, opKey, `{"to": "+19005550100", "menu": "welcome"}`)
	post(app, opKey, `{"to": "+15555550143", "menu": "inside"}`)
	r := httptest.NewRequest(http.MethodGet, "https://ivr.example.com/metrics", nil)
	r.Header.Set("Authorization", "Bearer "+scrapeKey)
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	for _, want := range []string{
		`switchboard_outbound_calls_total{outcome="started"} 1`,
		`switchboard_outbound_calls_total{outcome="rate_limited"} 1`,
		`switchboard_outbound_calls_total{outcome="not_allowed"} 1`,
		`switchboard_outbound_calls_total{outcome="bad_request"} 1`,
		`switchboard_outbound_calls_total{outcome="upstream"} 0`,
	} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestRateLimitsCountPerKeyAndPerDestination(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	app := newApp(t, tw, outbound.Options{
		PerKey:         &outbound.Rate{Calls: 3, Per: time.Hour},
		PerDestination: &outbound.Rate{Calls: 2, Per: time.Hour},
	})
	steps := []struct {
		key, to string
		want    int
	}{
		{opKey, "+15555550001", http.StatusCreated},
		{opKey, "+15555550001", http.StatusCreated},
		{otherOp, "+15555550001", http.StatusTooManyRequests}, // the destination's 2 are spent, whoever calls
		{opKey, "+15555550002", http.StatusCreated},
		{opKey, "+15555550003", http.StatusTooManyRequests}, // the key's 3 are spent
		{otherOp, "+15555550003", http.StatusCreated},       // another key has its own
	}
	for i, s := range steps {
		if w := post(app, s.key, `{"to": "`+s.to+`", "menu": "welcome"}`); w.Code != s.want {
			t.Errorf("step %d: %d %s, want %d", i, w.Code, w.Body, s.want)
		}
	}
	if n := len(tw.Requests()); n != 4 {
		t.Errorf("the stand-in received %d calls, want 4", n)
	}
}

func TestOptionsNameEveryProblem(t *testing.T) {
	_, err := outbound.New(nil, &outbound.Options{APIKey: "nope"})
	for _, want := range []string{"AccountSID", "APIKey", "From", "PublicURL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}
