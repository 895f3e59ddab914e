package framework

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
)

func TestHealthzAnswersEveryoneAndReadyzReportsTheConfiguration(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, nil)
	for _, tt := range []struct{ path, expect string }{
		{"/healthz", `"status":"ok"`},
		{"/readyz", `"status":"ready"`},
	} {
		r := httptest.NewRequest(http.MethodGet, testHost+tt.path, nil)
		r.Header.Set("X-Twilio-Signature", "forged") // credentials that fail change nothing
		w := send(app, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tt.expect) {
			t.Errorf("%s: %d %s, want 200 with %s", tt.path, w.Code, w.Body, tt.expect)
		}
	}
	w := send(app, httptest.NewRequest(http.MethodGet, testHost+"/readyz", nil))
	var ready struct {
		Routes      int `json:"routes"`
		PolicyLines int `json:"policy_lines"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ready); err != nil || ready.Routes == 0 || ready.PolicyLines == 0 {
		t.Errorf("/readyz does not report the loaded flow and policy: %s (%v)", w.Body, err)
	}
}
