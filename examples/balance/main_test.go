package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/pin"
	"github.com/switchboard-ivr/switchboard/principals"
)

const (
	testToken      = "0123456789abcdef0123456789abcdef" // not a real one
	testBackendKey = "backend-key-0123456789abcdef0123"
	testStateKey   = "abababababababababababababababababababababababababababababababab"
	testPIN        = "4321"
	customer       = "+15555550142"
)

// newBank starts the bank's backend on loopback: it checks the signature with twilio-go's own
// validator, then answers with answer(call). It returns the backend's URL.
func newBank(t *testing.T, answer func(w http.ResponseWriter, from string)) string {
	t.Helper()
	v := twclient.NewRequestValidator(testBackendKey)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !v.ValidateBody("http://"+r.Host+r.URL.RequestURI(), body, r.Header.Get("X-Twilio-Signature")) {
			t.Errorf("the backend received a request whose signature twilio-go does not validate")
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		var call struct {
			CallSID string `json:"call_sid"`
			From    string `json:"from"`
		}
		if err := json.Unmarshal(body, &call); err != nil || call.CallSID == "" {
			t.Errorf("the backend received %s", body)
		}
		answer(w, call.From)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/ivr/balance"
}

func newTestApp(t *testing.T, bankURL string) http.Handler {
	t.Helper()
	hash, err := pin.Hash(testPIN)
	if err != nil {
		t.Fatal(err)
	}
	pins := filepath.Join(t.TempDir(), "pins")
	if err := os.WriteFile(pins, []byte("account "+hash+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := configFromEnv(func(name string) string {
		return map[string]string{
			"TWILIO_AUTH_TOKEN":       testToken,
			"SWITCHBOARD_BACKEND_URL": bankURL,
			"SWITCHBOARD_BACKEND_KEY": testBackendKey,
			"SWITCHBOARD_STATE_KEY":   testStateKey,
			"SWITCHBOARD_PINS":        pins,
		}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	app, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w := app.Warnings(); len(w) > 0 {
		t.Errorf("flow.yaml loads with warnings:\n%s", strings.Join(w, "\n"))
	}
	return app
}

// callIn calls the line, asks for the balance and enters the PIN; it returns what the caller heard.
func callIn(t *testing.T, h http.Handler) string {
	t.Helper()
	c := &caller.Call{
		URL: "https://ivr.example.com/ivr/welcome", Token: principals.NewSecret(testToken), Handler: h,
		From: customer, Answers: []caller.Answer{caller.Press("1"), caller.Press(testPIN + "#")},
		More: nil, MaxRequests: 12,
	}
	tr, err := c.Run(t.Context())
	if err != nil && !strings.Contains(err.Error(), "a loop?") {
		t.Fatalf("the call: %v\n%s", err, tr)
	}
	return tr.String()
}

const heardBeforeBalance = "SAY Thanks for calling Acme Bank.\n" +
	"SAY For your balance, press 1. To speak with someone, press 0.\n" +
	"GATHER pressed 1\n" +
	"REDIRECT /ivr/login\n" +
	"SAY Please enter your account PIN, then press pound.\n" +
	"GATHER pressed 4321\n" +
	"REDIRECT /ivr/balance?st=…\n"

func TestTheCallerHearsTheBalanceTheBackendAnswers(t *testing.T) {
	bank := newBank(t, func(w http.ResponseWriter, from string) {
		if from != customer {
			t.Errorf("the backend was asked about %s, want the caller %s", from, customer)
		}
		_, _ = io.WriteString(w, `{"balance": 42.1}`)
	})
	heard := callIn(t, newTestApp(t, bank))
	want := heardBeforeBalance +
		"SAY Your balance is $42.10.\n" +
		"SAY Thank you for banking with Acme. Goodbye.\n" +
		"HANGUP\n"
	if heard != want {
		t.Errorf("the caller heard\n%s\nwant\n%s", heard, want)
	}
}

func TestAnOverdrawnCallerIsRoutedToBilling(t *testing.T) {
	bank := newBank(t, func(w http.ResponseWriter, _ string) { _, _ = io.WriteString(w, `{"balance": -12.5}`) })
	heard := callIn(t, newTestApp(t, bank))
	want := heardBeforeBalance +
		"SAY Your balance is minus $12.50.\n" +
		"SAY Your account is overdrawn.\n" +
		"REDIRECT /ivr/billing?st=…\n" +
		"SAY Connecting you to billing.\n" +
		"DIAL +15555550130"
	if !strings.HasPrefix(heard, want) {
		t.Errorf("the caller heard\n%s\nwant it to start with\n%s", heard, want)
	}
}

func TestABackendFailureSaysSoAndGoesBackToTheMenu(t *testing.T) {
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter, _ string)
	}{
		{"a timeout", func(w http.ResponseWriter, _ string) {
			time.Sleep(3*time.Second + 500*time.Millisecond) // flow.yaml's timeout is 3s
			_, _ = io.WriteString(w, `{"balance": 1}`)
		}},
		{"malformed JSON", func(w http.ResponseWriter, _ string) { _, _ = io.WriteString(w, `{"balance": 4`) }},
		{"an error status", func(w http.ResponseWriter, _ string) { w.WriteHeader(http.StatusServiceUnavailable) }},
		{"no balance field", func(w http.ResponseWriter, _ string) { _, _ = io.WriteString(w, `{"name": "Ada"}`) }},
		{"a balance that is not a number", func(w http.ResponseWriter, _ string) { _, _ = io.WriteString(w, `{"balance": "lots"}`) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			heard := callIn(t, newTestApp(t, newBank(t, tt.answer)))
			want := heardBeforeBalance +
				"SAY We cannot reach your account right now.\n" +
				"REDIRECT /ivr/welcome?st=…\n" +
				"SAY Thanks for calling Acme Bank.\n"
			if !strings.HasPrefix(heard, want) || strings.Contains(heard, "balance is") {
				t.Errorf("the caller heard\n%s\nwant it to start with\n%s", heard, want)
			}
		})
	}
}

func TestTheBalanceRouteRefusesACallWithoutThePIN(t *testing.T) {
	bank := newBank(t, func(w http.ResponseWriter, _ string) {
		t.Error("the backend was asked for a balance without a PIN")
		_, _ = io.WriteString(w, `{"balance": 1}`)
	})
	c := &caller.Call{URL: "https://ivr.example.com/ivr/balance", Token: principals.NewSecret(testToken), Handler: newTestApp(t, bank), From: customer, MaxRequests: 3}
	tr, _ := c.Run(t.Context())
	if strings.Contains(tr.String(), "balance is") {
		t.Errorf("a call that skipped the PIN heard\n%s", tr)
	}
}
