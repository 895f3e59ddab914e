package outbound_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/dialallow"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/outbound"
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
max_call_seconds: 900
menus:
  welcome: {say: Hello., hangup: true}
  reminder: {say: This is a reminder., hangup: true}
`

const testPolicy = "p, twilio, /ivr/*, view, allow\np, group:operators, /calls, call, allow\n"

// standIn is a stand-in for Twilio's REST API on loopback.
type standIn struct {
	*httptest.Server
	mu    sync.Mutex
	forms []url.Values
	users []string
}

func newStandIn(t *testing.T) *standIn {
	s := &standIn{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		user, _, _ := r.BasicAuth()
		s.mu.Lock()
		s.forms, s.users = append(s.forms, form), append(s.users, user)
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid": "CA00000000000000000000000000000002", "status": "queued"}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func newApp(t *testing.T, tw *standIn, opts outbound.Options) *framework.App {
	t.Helper()
	keys, err := principals.ParseAPIKeys("keys", strings.NewReader(
		"otto "+principals.HashAPIKey(opKey)+" operators\nolga "+principals.HashAPIKey(otherOp)+" operators\n"))
	if err != nil {
		t.Fatal(err)
	}
	app, err := framework.New(&framework.Options{
		Flow:     framework.Text("flow.yaml", testFlow),
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

func TestACallUsesTheAPIKeyAndTheFlowsTimeLimit(t *testing.T) {
	tw := newStandIn(t)
	app := newApp(t, tw, outbound.Options{APIKey: apiKey, APISecret: principals.NewSecret("apisecret0123456789abcdef01234567"), MaxCallSeconds: 3600})
	w := post(app, opKey, `{"to": "+15555550142", "menu": "reminder"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /calls: %d %s", w.Code, w.Body)
	}
	var resp outbound.Response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.URL != "https://ivr.example.com/ivr/reminder" {
		t.Errorf("answered %s (%v)", w.Body, err)
	}
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if len(tw.forms) != 1 {
		t.Fatalf("the stand-in received %d requests", len(tw.forms))
	}
	if tw.users[0] != apiKey {
		t.Errorf("basic auth user %q, want the API key %s", tw.users[0], apiKey)
	}
	if got := tw.forms[0].Get("TimeLimit"); got != "900" {
		t.Errorf("TimeLimit %q, want 900 (the flow's max_call_seconds, lower than the option's 3600)", got)
	}
}

func TestRateLimitsCountPerKeyAndPerDestination(t *testing.T) {
	tw := newStandIn(t)
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
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if len(tw.forms) != 4 {
		t.Errorf("the stand-in received %d calls, want 4", len(tw.forms))
	}
}

func TestPremiumRateIsRefusedEvenWithoutAnAllowlist(t *testing.T) {
	tw := newStandIn(t)
	app := newApp(t, tw, outbound.Options{})
	w := post(app, opKey, `{"to": "+19005550100", "menu": "welcome"}`)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "premium-rate") {
		t.Errorf("%d %s, want 400 naming the premium-rate prefix", w.Code, w.Body)
	}
	list, _ := dialallow.Parse([]string{"+1900"})
	app = newApp(t, tw, outbound.Options{Allow: list})
	if w := post(app, opKey, `{"to": "+19005550100", "menu": "welcome"}`); w.Code != http.StatusCreated {
		t.Errorf("with +1900 listed: %d %s, want 201", w.Code, w.Body)
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
