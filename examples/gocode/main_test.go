package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// Callers of the default policy.csv: a staff member and a stranger; the token the tests sign
// with (not a real one) and the host Twilio is pretended to call (served in-process).
const (
	staffNumber = "+15555550123"
	stranger    = "+15555550142"

	testToken = "0123456789abcdef0123456789abcdef"
	testHost  = "http://ivr.test"
)

// tuesdayNoon is a Tuesday at noon in New York, when sales is open.
var tuesdayNoon = time.Date(2026, time.March, 3, 17, 0, 0, 0, time.UTC)

// newTestApp serves f (acmeFlow when nil) with the example's own newApp.
func newTestApp(t *testing.T, f *flow.Flow, now time.Time) *framework.App {
	t.Helper()
	cfg, err := configFromEnv(func(name string) string {
		if name == "TWILIO_AUTH_TOKEN" {
			return testToken
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if f != nil {
		cfg.Flow = f
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	cfg.Now = func() time.Time { return now }
	app, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func TestGoFlowHasNoProblems(t *testing.T) {
	if ps := acmeFlow().Validate(nil); len(ps) > 0 {
		t.Errorf("acmeFlow has problems:\n%s", ps)
	}
}

func TestBrokenGoFlowIsRefusedWithEveryProblem(t *testing.T) {
	f := acmeFlow()
	f.Menus["welcome"].Do.(*flow.Gather).Options["3"] = flow.Action{Do: flow.Goto("hours")}
	f.Menus["support"].Do.(*flow.Dial).Number = "555-0112"
	_, err := newApp(config{Flow: f, Tokens: []principals.Secret{principals.NewSecret(testToken)}, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err == nil {
		t.Fatal("newApp accepted a flow with a goto to no node and a number that is not E.164")
	}
	for _, want := range []string{`menus.welcome.gather.options["3"].goto`, "menus.support.dial.number"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
}

func TestGoFlowServesTheSameTwiMLAsItsYAML(t *testing.T) {
	yf, problems := flow.Load("testdata/flow.yaml", nil)
	if len(problems) > 0 {
		t.Fatalf("testdata/flow.yaml:\n%s", problems)
	}
	for _, now := range []time.Time{tuesdayNoon, tuesdayNoon.Add(6 * time.Hour)} { // sales open, then closed
		goApp, yamlApp := newTestApp(t, nil, now), newTestApp(t, yf, now)

		goRoutes, yamlRoutes := goApp.Routes(), yamlApp.Routes()
		if !slices.EqualFunc(goRoutes, yamlRoutes, func(a, b framework.RouteInfo) bool {
			return a.Path == b.Path && a.Permission == b.Permission && a.Method == b.Method
		}) {
			t.Fatalf("routes differ:\nGo   %v\nYAML %v", goRoutes, yamlRoutes)
		}
		paths := []string{"/ivr/nowhere"} // and the not-found flow
		for _, r := range goApp.Flow().Routes() {
			paths = append(paths, r.Path)
		}
		compared := 0
		for _, path := range paths {
			for _, query := range []string{"", "?i=0&n=0", "?i=1&n=0", "?i=0&n=1"} {
				for _, digits := range []string{"", "0", "1", "2", "6", "7", "9", "*", "0101", "0000"} {
					for _, from := range []string{stranger, staffNumber} {
						for _, token := range []string{testToken, "forged"} {
							params := principalstest.CallParams(from, "Digits", digits, "DialCallStatus", "no-answer")
							g := serve(goApp, principalstest.NewPOST(token, testHost+path+query, params))
							y := serve(yamlApp, principalstest.NewPOST(token, testHost+path+query, params))
							// Each App seals its own state tokens (its own key, its own clock).
							if g.Code != y.Code || !bytes.Equal(stateToken.ReplaceAll(g.Body.Bytes(), nil), stateToken.ReplaceAll(y.Body.Bytes(), nil)) {
								t.Errorf("%s%s Digits=%q From=%s token=%s:\nGo   %d %s\nYAML %d %s", path, query, digits, from, token, g.Code, g.Body, y.Code, y.Body)
							}
							compared++
						}
					}
				}
			}
		}
		t.Logf("%d requests answered byte for byte the same", compared)
	}
}

func TestGoFlowWalksACall(t *testing.T) {
	tests := []struct {
		name   string
		from   string
		attest string // StirVerstat
		keys   []string
		expect []string
	}{{
		name: "a stranger choosing support",
		from: stranger, keys: []string{"2"},
		expect: []string{"GATHER pressed 2", "REDIRECT /ivr/support", "SAY Connecting you to support.", "PAUSE 1", "DIAL +15555550112"},
	}, {
		name: "a stranger choosing the staff menu",
		from: stranger, keys: []string{"6"},
		expect: []string{"GATHER pressed 6", "REDIRECT /ivr/staff", "SAY This line is for Acme staff only.", "DIAL +15555550100"},
	}, {
		name: "staff, attested by their carrier, dialling an extension",
		from: staffNumber, attest: "TN-Validation-Passed-A", keys: []string{"6", "0101"},
		expect: []string{"GATHER pressed 6", "REDIRECT /ivr/staff", "SAY Staff line. Enter the four digit extension.", "GATHER pressed 0101", "DIAL +15555550121"},
	}, {
		name: "two invalid choices",
		from: stranger, keys: []string{"7", "7"},
		expect: []string{"GATHER pressed 7", "SAY Sorry, that is not an option.", "SAY For sales, press 1. For support, press 2. Staff, press 6. To speak with someone, press 0.",
			"GATHER pressed 7", "SAY Let me connect you with someone who can help.", "DIAL +15555550100"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &caller.Call{URL: testHost + "/ivr/welcome", Token: principals.NewSecret(testToken), From: tt.from, StirVerstat: tt.attest, Handler: newTestApp(t, nil, tuesdayNoon)}
			for _, k := range tt.keys {
				c.Answers = append(c.Answers, caller.Press(k))
			}
			tr, err := c.Run(t.Context())
			if err != nil {
				t.Fatalf("%v\n%s", err, tr)
			}
			got := tr.Lines()
			greeting := []string{"SAY Thanks for calling Acme.", "SAY For sales, press 1. For support, press 2. Staff, press 6. To speak with someone, press 0."}
			if want := append(greeting, tt.expect...); !slices.Equal(got, want) {
				t.Errorf("call went\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// stateToken matches the state token an App seals into a callback URL of a call.
var stateToken = regexp.MustCompile(`st=[A-Za-z0-9_-]+`)
