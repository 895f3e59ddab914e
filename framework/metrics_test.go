package framework

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
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
