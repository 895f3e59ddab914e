package framework

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// The series a handler keeps are counted on its requests only, and none shows before its first.
func TestRouteSeriesAppearOnFirstUseAndCountEachRequest(t *testing.T) {
	app := newTestApp(t, nil)
	scrape := func() string {
		w := httptest.NewRecorder()
		app.met.handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return w.Body.String()
	}
	if s := scrape(); strings.Contains(s, "switchboard_requests_total{") || strings.Contains(s, "switchboard_request_duration_seconds_count{") {
		t.Fatalf("series before any request:\n%s", s)
	}
	for range 3 {
		call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))
	}
	call(t, app, "/ivr/welcome/gather?i=0&n=0", principalstest.CallParams(otherNumber, "Digits", "1"))
	s := scrape()
	for _, want := range []string{
		`switchboard_requests_total{outcome="ok",route="/ivr/welcome"} 3`,
		`switchboard_requests_total{outcome="ok",route="/ivr/welcome/gather"} 1`,
		`switchboard_request_duration_seconds_count{voice="true"} 4`,
	} {
		if !strings.Contains(s, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(s, `voice="false"`) || strings.Contains(s, `route="/ivr/sales"`) {
		t.Errorf("series nothing counted:\n%s", s)
	}
}

func TestMetricsAreGuardedByTheMetricsPermission(t *testing.T) {
	c := writeConfig(t)
	app, _ := hardenedApp(t, principals.TwilioOptions{}, c.options())
	for _, tt := range []struct {
		name   string
		key    string
		expect int
	}{
		{"NoKeyIsUnauthenticated", "", http.StatusUnauthorized},
		{"UnknownKeyIsUnauthenticated", "guessed-key-0123456789abcdef", http.StatusUnauthorized},
		{"OperatorKeyIsForbidden", opsKey, http.StatusForbidden},
		{"MonitoringKeyScrapes", scrapeKey, http.StatusOK},
		{"AdminKeyScrapes", rootKey, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, testHost+"/metrics", nil)
			if tt.key != "" {
				r.Header.Set("Authorization", "Bearer "+tt.key)
			}
			w := send(app, r)
			if w.Code != tt.expect {
				t.Fatalf("status %d, want %d", w.Code, tt.expect)
			}
			ct := w.Header().Get("Content-Type")
			if tt.expect == http.StatusOK && !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want Prometheus text", ct)
			}
			if tt.expect != http.StatusOK && ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want a JSON problem", ct)
			}
		})
	}
}

func TestMetricsCountRequestsFailuresDenialsErrorFlowsAndLatency(t *testing.T) {
	c := writeConfig(t)
	app, _ := hardenedApp(t, principals.TwilioOptions{}, c.options())
	if err := app.Voice(http.MethodPost, "/ivr/boom", "view", func(*http.Request) (twiml.Response, error) {
		return twiml.Response{}, errors.New("the database is down")
	}); err != nil {
		t.Fatal(err)
	}
	call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))
	call(t, app, "/ivr/welcome", principalstest.CallParams(blockedNumber))
	call(t, app, "/ivr/boom", principalstest.CallParams(otherNumber))
	call(t, app, "/ivr/nowhere", principalstest.CallParams(otherNumber))
	send(app, principalstest.NewPOST("a-forged-token", testHost+"/ivr/welcome", principalstest.CallParams(otherNumber)))
	send(app, httptest.NewRequest(http.MethodPost, testHost+"/ivr/welcome", nil))
	r := httptest.NewRequest(http.MethodGet, testHost+"/metrics", nil)
	r.Header.Set("Authorization", "Bearer "+scrapeKey)
	text := send(app, r).Body.String()
	for _, want := range []string{
		`switchboard_requests_total{outcome="ok",route="/ivr/welcome"} 1`,
		`switchboard_requests_total{outcome="denied",route="/ivr/welcome"} 1`,
		`switchboard_requests_total{outcome="unauthenticated",route="/ivr/welcome"} 2`,
		`switchboard_requests_total{outcome="internal",route="/ivr/boom"} 1`,
		`switchboard_requests_total{outcome="not_found",route="unmatched"} 1`,
		`switchboard_auth_failures_total{policy="twilio",reason="signature_mismatch"} 1`,
		`switchboard_auth_failures_total{policy="twilio",reason="missing_signature"} 1`,
		`switchboard_authorization_denials_total{route="/ivr/welcome"} 3`,
		`switchboard_error_flows_total{kind="denied"} 1`,
		`switchboard_error_flows_total{kind="internal"} 1`,
		`switchboard_error_flows_total{kind="unauthenticated"} 2`,
		`switchboard_request_duration_seconds_bucket{voice="true",le="+Inf"} 6`,
		`switchboard_request_duration_seconds_count{voice="true"} 6`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", text)
	}
}
