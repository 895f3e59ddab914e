package backend_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/switchboard-ivr/switchboard/backend"
	"github.com/switchboard-ivr/switchboard/principals"
)

const key = "backend-signing-key-0123456789ab"

func TestTheBackendChecksTheSignatureWithTwiliosValidatorAndAnswersVariables(t *testing.T) {
	validator := twclient.NewRequestValidator(key)
	var got backend.Call
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		url := "http://" + r.Host + r.URL.RequestURI()
		if !validator.ValidateBody(url, body, r.Header.Get("X-Twilio-Signature")) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		_ = json.Unmarshal(body, &got)
		_, _ = io.WriteString(w, `{"balance": 42.10, "name": "Ada", "vip": true, "note": null}`)
	}))
	defer srv.Close()
	b, err := backend.New(backend.Options{URL: srv.URL + "/balance", Key: principals.NewSecret(key)})
	if err != nil {
		t.Fatal(err)
	}
	vars, err := b.Fetch(t.Context(), backend.Call{CallSID: "CA1", From: "+15555550123", To: "+15555550100", Digits: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if vars["balance"] != "42.10" || vars["name"] != "Ada" || vars["vip"] != "true" || len(vars) != 3 {
		t.Errorf("vars = %v", vars)
	}
	if got.CallSID != "CA1" || got.From != "+15555550123" || got.Digits != "1" {
		t.Errorf("the backend received %+v", got)
	}
}

func TestFailuresAreTyped(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    error
	}{
		{"a slow backend times out", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
		}, backend.ErrTimeout},
		{"a 500 is a status error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, backend.ErrStatus},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"balance": 4`) }, backend.ErrMalformed},
		{"a list is not an object", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `[1]`) }, backend.ErrMalformed},
		{"a nested object", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"a": {"b": 1}}`) }, backend.ErrMalformed},
		{"a huge answer", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"a": "`+strings.Repeat("x", backend.MaxAnswer)+`"}`)
		}, backend.ErrMalformed},
		{"a redirect is not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", http.StatusFound)
		}, backend.ErrUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			b, err := backend.New(backend.Options{URL: srv.URL, Key: principals.NewSecret(key), Timeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			vars, err := b.Fetch(t.Context(), backend.Call{CallSID: "CA1"})
			if !errors.Is(err, tt.want) {
				t.Errorf("Fetch = %v, %v; want %v", vars, err, tt.want)
			}
		})
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []backend.Options{
		{URL: "ftp://x", Key: principals.NewSecret(key)},
		{URL: "https://crm.example.com"},
		{URL: "https://crm.example.com", Key: principals.NewSecret(key), Timeout: time.Minute},
	} {
		if _, err := backend.New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
}

func FuzzParseVars(f *testing.F) {
	f.Add([]byte(`{"balance": 42.1, "name": "Ada"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, err := backend.ParseVars(data)
		if err != nil {
			return
		}
		if len(vars) > backend.MaxVars {
			t.Fatalf("%d vars", len(vars))
		}
		for k, v := range vars {
			if len(k) > 64 || len(v) > backend.MaxValue {
				t.Fatalf("%q=%q out of bounds", k, v)
			}
		}
	})
}
