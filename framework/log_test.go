package framework

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

func TestRequestsThatDoNotAuthenticateCannotFloodTheLog(t *testing.T) {
	longPath := "/" + strings.Repeat("a", 30<<10)
	tests := []struct {
		name string
		req  func(i int) *http.Request
	}{
		{"LongUnknownPath", func(i int) *http.Request {
			return httptest.NewRequest(http.MethodGet, fmt.Sprintf("%s%d", longPath, i), nil)
		}},
		{"LongUnknownVoicePath", func(i int) *http.Request {
			return httptest.NewRequest(http.MethodGet, fmt.Sprintf("/ivr%s%d", longPath, i), nil)
		}},
		{"BadRequest", func(i int) *http.Request {
			return postRaw("/ivr/welcome", "Digits=%zz"+strings.Repeat("9", 10<<10), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		}},
		{"TooLarge", func(i int) *http.Request {
			return postRaw("/ivr/welcome", strings.Repeat("a=b&", 20<<10), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		}},
		{"WrongMethod", func(i int) *http.Request {
			return httptest.NewRequest(http.MethodDelete, "/metrics", nil)
		}},
		{"WrongKey", func(i int) *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			r.Header.Set("Authorization", "Bearer "+strings.Repeat("k", 8<<10))
			return r
		}},
		{"Healthz", func(i int) *http.Request { return httptest.NewRequest(http.MethodGet, "/healthz", nil) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logCapture{}
			app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{
				Logger:      slog.New(slog.NewJSONHandler(logs, nil)),
				Credentials: []CredentialSource{APIKeysFile(keysFile(t))},
			})
			const n = 2000
			start := time.Now()
			for i := range n {
				send(app, tc.req(i))
			}
			// The burst (20) and what the budget refills while the test runs (10 a second).
			budget := 2*unauthenticatedLinesPerSecond + int(time.Since(start).Seconds()*unauthenticatedLinesPerSecond) + 1
			lines := logs.lines(t)
			if len(lines) > budget {
				t.Errorf("%d requests that did not authenticate wrote %d lines; want at most the budget, %d", n, len(lines), budget)
			}
			if size := len(logs.String()); size > budget*2048 {
				t.Errorf("%d requests wrote %d bytes of log; want each field from the request clipped", n, size)
			}
			for _, l := range lines {
				for k, v := range l {
					if s, ok := v.(string); ok && len(s) > maxFieldBytes+64 {
						t.Errorf("field %s is %d bytes long; want at most %d and a note", k, len(s), maxFieldBytes)
					}
				}
			}
			// After a quiet moment, the next line says how many were left out since the last
			// one: every request is either a line or counted in the line after it.
			app.met.unauthLines.cells.Reset()
			send(app, tc.req(n))
			lines = logs.lines(t)
			accounted := 0
			for _, l := range lines {
				accounted++
				if v, ok := l["lines_not_logged"].(float64); ok {
					accounted += int(v)
				}
			}
			if accounted != n+1 {
				t.Errorf("%d lines and lines_not_logged account for %d requests, want %d", len(lines), accounted, n+1)
			}
		})
	}
}

func TestAnAuthenticatedRequestIsAlwaysLogged(t *testing.T) {
	logs := &logCapture{}
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	for range 100 {
		send(app, httptest.NewRequest(http.MethodGet, "/nothing", nil))
	}
	before := len(logs.lines(t))
	for range 50 {
		call(t, app, "/ivr/nothing", principalstest.CallParams(otherNumber))
	}
	if got := len(logs.lines(t)) - before; got != 50 {
		t.Errorf("50 signed requests after a flood wrote %d lines, want 50", got)
	}
}

func TestClipCutsOnARuneBoundaryAndSaysHowMuchIsLeftOut(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ShortIsKept", "/ivr/welcome", "/ivr/welcome"},
		{"ExactlyTheCapIsKept", strings.Repeat("a", maxFieldBytes), strings.Repeat("a", maxFieldBytes)},
		{"LongIsCut", strings.Repeat("a", maxFieldBytes+10), strings.Repeat("a", maxFieldBytes) + "…(10 more bytes)"},
		{"MultibyteIsNotSplit", strings.Repeat("a", maxFieldBytes-1) + "é" + "b", strings.Repeat("a", maxFieldBytes-1) + "…(3 more bytes)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clip(tc.in); got != tc.want {
				t.Errorf("clip(%d bytes) = %q…, want %q…", len(tc.in), got[max(0, len(got)-20):], tc.want[max(0, len(tc.want)-20):])
			}
		})
	}
}
