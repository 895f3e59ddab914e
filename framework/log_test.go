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
	"github.com/switchboard-ivr/switchboard/twiml"
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

func TestEveryRequestLogsOneLineWithWhatAnOperatorNeeds(t *testing.T) {
	app, logs := hardenedApp(t, principals.TwilioOptions{}, nil)
	call(t, app, "/ivr/welcome", principalstest.CallParams(blockedNumber))
	var requests []map[string]any
	for _, l := range logs.lines(t) {
		if l["msg"] == "request" {
			requests = append(requests, l)
		}
	}
	if len(requests) != 1 {
		t.Fatalf("%d request lines for one request", len(requests))
	}
	line := requests[0]
	for _, key := range []string{"call_sid", "route", "principals", "decision", "reason", "status", "latency", "error_flow"} {
		if _, ok := line[key]; !ok {
			t.Errorf("the request line lacks %s: %v", key, line)
		}
	}
	if line["decision"] != "deny" || !strings.Contains(fmt.Sprint(line["reason"]), "deny") {
		t.Errorf("decision %v, reason %v: want the deny and the line that decided it", line["decision"], line["reason"])
	}
	if strings.Contains(fmt.Sprint(line["principals"]), blockedNumber) {
		t.Errorf("principals logged unmasked: %v", line["principals"])
	}
}

func TestPhoneNumbersInLogsAreMaskedUnlessTheOperatorOptsIn(t *testing.T) {
	for _, logNumbers := range []bool{false, true} {
		t.Run(fmt.Sprintf("LogPhoneNumbers=%v", logNumbers), func(t *testing.T) {
			app, logs := hardenedApp(t, principals.TwilioOptions{}, &Options{LogPhoneNumbers: logNumbers})
			call(t, app, "/ivr/welcome", principalstest.CallParams(staffNumber))
			full := strings.Contains(logs.String(), staffNumber)
			masked := strings.Contains(logs.String(), principals.MaskNumber(staffNumber))
			if full != logNumbers || masked == logNumbers {
				t.Errorf("full number logged: %v, masked number logged: %v; log:\n%s", full, masked, logs)
			}
		})
	}
}

func TestDigitsOnSensitiveNodesAreNeverLogged(t *testing.T) {
	const digits = "4827"
	tests := []struct {
		name   string
		given  *http.Request
		expect string // the log line's digits field
	}{
		{"StaffCallerOnTheSensitiveStaffMenu", principalstest.NewPOST(testToken, testHost+"/ivr/staff/gather", principalstest.CallParams(staffNumber, "Digits", digits)), "REDACTED"},
		{"RefusedCallerOnTheSensitiveStaffMenu", principalstest.NewPOST(testToken, testHost+"/ivr/staff/gather", principalstest.CallParams(otherNumber, "Digits", digits)), "REDACTED"},
		{"ForgedRequestOnTheSensitiveStaffMenu", principalstest.NewPOST("a-forged-token", testHost+"/ivr/staff/gather", principalstest.CallParams(staffNumber, "Digits", digits)), "REDACTED"},
		{"OrdinaryMenuLogsTheDigits", principalstest.NewPOST(testToken, testHost+"/ivr/welcome/gather", principalstest.CallParams(otherNumber, "Digits", digits)), digits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, logs := hardenedApp(t, principals.TwilioOptions{}, nil)
			send(app, tt.given)
			var line map[string]any
			for _, l := range logs.lines(t) {
				if l["msg"] == "request" {
					line = l
				}
			}
			if line == nil {
				t.Fatal("no request line")
			}
			if got := fmt.Sprint(line["digits"]); got != tt.expect {
				t.Errorf("digits logged as %q, want %q", got, tt.expect)
			}
			if tt.expect == "REDACTED" {
				for k, v := range line {
					if s, ok := v.(string); ok && k != "time" && strings.Contains(s, digits) {
						t.Errorf("field %s holds the sensitive digits: %q", k, s)
					}
				}
			}
		})
	}
}

func TestSecretsNeverReachLogsErrorsOrPanics(t *testing.T) {
	c := writeConfig(t)
	// A token of its own: testToken also occurs inside the test CallSid and AccountSid.
	const token = "canary-token-f00dfeedbeefcafe"
	secrets := []string{token, scrapeKey, opsKey, rootKey, "guessed-key-0123456789abcdef"}
	app, logs := hardenedApp(t, principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}}, c.options())
	if err := app.Voice(http.MethodPost, "/ivr/boom", "view", func(*http.Request) (twiml.Response, error) {
		panic("handler exploded")
	}); err != nil {
		t.Fatal(err)
	}
	bearer := func(r *http.Request, key string) *http.Request {
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
	requests := []*http.Request{
		principalstest.NewPOST("a-forged-token", testHost+"/ivr/welcome", principalstest.CallParams(otherNumber)),
		principalstest.NewPOST(token, testHost+"/ivr/welcome", principalstest.CallParams(staffNumber)),
		principalstest.NewPOST(token, testHost+"/ivr/boom", principalstest.CallParams(staffNumber)),
		bearer(httptest.NewRequest(http.MethodGet, testHost+"/metrics", nil), "guessed-key-0123456789abcdef"),
		bearer(httptest.NewRequest(http.MethodGet, testHost+"/metrics", nil), opsKey),
		bearer(httptest.NewRequest(http.MethodGet, testHost+"/metrics", nil), scrapeKey),
		bearer(principalstest.NewPOST(token, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber)), rootKey),
	}
	var out strings.Builder
	for _, r := range requests {
		w := send(app, r)
		out.WriteString(w.Body.String())
	}
	put(t, c.keys, "admin "+rootKey+" admins\n", 0o600) // a key pasted in place of its hash
	err := app.Reload()
	if err == nil {
		t.Fatal("a keys file holding a raw key loaded")
	}
	out.WriteString(err.Error())
	tw, _ := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}})
	fmt.Fprintf(&out, "%v %+v %#v", tw, tw, principals.NewSecret(token))
	for where, text := range map[string]string{"log": logs.String(), "responses, errors and printed values": out.String()} {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("the %s hold the secret %q", where, s)
			}
		}
	}
	if !strings.Contains(logs.String(), `"msg":"panic"`) {
		t.Error("the run did not exercise a panic")
	}
}
