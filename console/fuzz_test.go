package console_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/console"
)

// FuzzCallAPINeverFails: whatever a page posts as a call or an explanation, the console
// answers a client error or a result, never a server error, and never panics.
func FuzzCallAPINeverFails(f *testing.F) {
	for _, seed := range []string{
		`{"answers":[{"press":"2"},{"press":"1"}]}`, `{"answers":[{}],"hangup":true}`,
		`{"from":"+15555550123","attest":"A","at":"2026-11-22T10:00","answers":[{"press":"6"},{"press":"0101#"}]}`,
		`{"answers":[{"say":"billing"}]}`, `{"answers":null}`, `[]`, `{"at":"25:99"}`, `{"principals":"twilio group:staff"}`,
	} {
		f.Add("/api/call", seed)
		f.Add("/api/explain", seed)
	}
	c, err := console.New(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		if path != "/api/call" {
			path = "/api/explain"
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		c.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", path, body, w.Code, w.Body)
		}
	})
}
