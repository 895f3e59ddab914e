package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
)

// testToken is the auth token of the test servers (not a real one).
const testToken = "0123456789abcdef0123456789abcdef"

// Clocks for the demo's sales hours (America/New_York, Mon-Fri 09:00-17:00).
const (
	mondayMorning = "2026-11-23T10:00:00-05:00"
	sundayNight   = "2026-11-22T23:00:00-05:00"
)

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestSimulateDemoInProcess(t *testing.T) {
	tests := []struct {
		name   string
		given  []string // flags after "simulate"; no --url, so the flow is served in-process
		last   string   // the transcript's last event
		golden string   // testdata/simulate/<golden>.golden; "" for none
	}{
		{"PressingOneInOpeningHoursLandsOnTheSalesDial",
			[]string{"--at", mondayMorning, "--press", "1"}, "HANGUP", "sales-open"},
		{"PressingOneAfterHoursLeavesAVoicemail",
			[]string{"--at", sundayNight, "--press", "1"}, "HANGUP", "sales-closed"},
		{"UnansweredSalesDialGoesToVoicemail",
			[]string{"--at", mondayMorning, "--press", "1", "--dial-status", "no-answer"}, "HANGUP", "sales-no-answer"},
		{"SupportThenBillingDialsBilling",
			[]string{"--flow", "../../demo.yaml", "--press", "2", "--press", "1"}, "DIAL +15555550112", "demo-call"},
		{"SpeechAnswersTheSupportMenu",
			[]string{"--press", "2", "--say", "billing"}, "DIAL +15555550112", "speech"},
		{"TwoInvalidChoicesAreExhaustedToTheCallCenter",
			[]string{"--press", "7", "--press", "7"}, "DIAL +15555550100", "retries"},
		{"SilenceFallsThroughTwiceThenTheCallCenter",
			nil, "DIAL +15555550100", "no-input"},
		{"ForgedTokenHearsTheUnauthenticatedFlow",
			[]string{"--flow", "../../demo.yaml", "--token", "forged", "--press", "1"}, "DIAL +15555550100", "forged"},
		{"BlockedCallerHearsTheDeniedFlowAndIsConnectedToNoOne",
			[]string{"--from", "+15555550199", "--press", "1"}, "HANGUP", "blocked"},
		{"StrangerHearsTheStaffMenusOwnForbiddenFlow",
			[]string{"--press", "6", "--press", "0101"}, "DIAL +15555550100", "staff-stranger"},
		{"AttestedStaffWithThePINReachesAnExtension",
			[]string{"--from", "+15555550123", "--attest", "A", "--press", "6", "--press", "2468", "--press", "0101"}, "DIAL +15555550121", "staff"},
		{"SpoofedStaffNumberIsRefusedTheStaffLogin",
			[]string{"--from", "+15555550123", "--press", "6", "--press", "2468"}, "DIAL +15555550100", "staff-spoofed"},
		{"AttestedStaffWithWrongPINsHearsGoodbye",
			[]string{"--from", "+15555550123", "--attest", "A", "--press", "6", "--press", "1111", "--press", "1112", "--press", "1113"}, "HANGUP", "staff-wrong-pin"},
		{"SpanishMenuDialsSalesThenHangsUp", // sales keeps business hours: the clock is pinned
			[]string{"--at", mondayMorning, "--press", "5", "--press", "1"}, "HANGUP", "spanish"},
		{"PressingFourRecordsAMessage",
			[]string{"--press", "4"}, "HANGUP", "voicemail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"simulate"}, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if got := lastLine(stdout); got != tt.last {
				t.Errorf("last event %q, want %q\n%s", got, tt.last, stdout)
			}
			golden(t, "testdata/simulate/"+tt.golden+".golden", stdout)
		})
	}
}

func TestSimulateForgedTokenIsTold(t *testing.T) {
	_, stdout, _ := runCLI(t, "simulate", "--token", "forged", "--press", "2", "--press", "1")
	if want := "SAY We could not verify this call.\nDIAL +15555550100\n"; stdout != want {
		t.Errorf("got\n%swant\n%s", stdout, want)
	}
}

// newServer serves the demo, as serve does, on a loopback port, checking signatures against
// testToken.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(testToken)}})
	if err != nil {
		t.Fatal(err)
	}
	app, err := framework.New(&framework.Options{Policies: []principals.Policy{tw}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return srv
}

func TestSimulateAgainstARunningServer(t *testing.T) {
	srv := newServer(t)
	welcome := srv.URL + "/ivr/welcome"
	tests := []struct {
		name  string
		env   string // TWILIO_AUTH_TOKEN
		given []string
		want  string // the whole transcript
	}{
		{"HappyPathReachesADial", "", []string{"--url", welcome, "--token", testToken, "--press", "2", "--press", "1"},
			"SAY Thanks for calling Acme.\n" +
				"SAY For sales, press 1. For support, press 2. For our hours, press 3. To leave a message, press 4. Staff, press 6. To speak with someone, press 0.\n" +
				"SAY Para español, oprima 5.\n" +
				"GATHER pressed 2\nREDIRECT /ivr/support\n" +
				"SAY For billing, press 1 or say billing. For technical support, press 2 or say technical.\n" +
				"GATHER pressed 1\nSAY Connecting you to billing.\nDIAL +15555550112\n"},
		{"TokenComesFromTheEnvironment", testToken, []string{"--url", welcome, "--press", "0"},
			"SAY Thanks for calling Acme.\n" +
				"SAY For sales, press 1. For support, press 2. For our hours, press 3. To leave a message, press 4. Staff, press 6. To speak with someone, press 0.\n" +
				"SAY Para español, oprima 5.\n" +
				"GATHER pressed 0\nDIAL +15555550100\n"},
		{"ForgedTokenHearsTheUnauthenticatedFlow", testToken, []string{"--url", welcome, "--token", "forged"},
			"SAY We could not verify this call.\nDIAL +15555550100\n"},
		{"UnknownRouteHearsTheNotFoundFlow", "", []string{"--url", srv.URL + "/ivr/nowhere", "--token", testToken, "--press", "2", "--press", "1"},
			"SAY That option is not available.\nREDIRECT /ivr/welcome\n" +
				"SAY Thanks for calling Acme.\n" +
				"SAY For sales, press 1. For support, press 2. For our hours, press 3. To leave a message, press 4. Staff, press 6. To speak with someone, press 0.\n" +
				"SAY Para español, oprima 5.\n" +
				"GATHER pressed 2\nREDIRECT /ivr/support\n" +
				"SAY For billing, press 1 or say billing. For technical support, press 2 or say technical.\n" +
				"GATHER pressed 1\nSAY Connecting you to billing.\nDIAL +15555550112\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envToken, tt.env)
			code, stdout, stderr := runCLI(t, append([]string{"simulate"}, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if stdout != tt.want {
				t.Errorf("got\n%swant\n%s", stdout, tt.want)
			}
		})
	}
}

func TestSimulateAgainstThePhonetreeExample(t *testing.T) {
	example := []string{"simulate", "--flow", "../../examples/phonetree/flow.yaml", "--policy", "../../examples/phonetree/policy.csv",
		"--at", "2026-11-23T10:00:00-06:00"}
	tests := []struct {
		name  string
		given []string
		first string // the transcript's first event
		last  string // and its last
	}{
		{"HappyPathReachesADial", []string{"--press", "1", "--press", "2"}, "", "DIAL +15555550112"},
		{"RetriesEndAtTheCallCenter", []string{"--press", "7", "--press", "7"}, "", "DIAL +15555550100"},
		{"ForgedTokenHearsTheForbiddenFlow", []string{"--token", "forged"}, "SAY We could not verify this call.", "DIAL +15555550100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(example, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if first, _, _ := strings.Cut(stdout, "\n"); tt.first != "" && first != tt.first {
				t.Errorf("first event %q, want %q", first, tt.first)
			}
			if got := lastLine(stdout); got != tt.last {
				t.Errorf("last event %q, want %q\n%s", got, tt.last, stdout)
			}
		})
	}
}

// The walk itself (verbs, answers, refusals) is tested in package caller; these check that the
// command turns what it refuses into exit status 1 and a reason on stderr.
func TestSimulateRefusalsExitOne(t *testing.T) {
	tests := []struct {
		name string
		body string // answered, as text/xml, to every request
		args []string
		want string // in stderr
	}{
		{"MalformedTwiML", `<Response><Say>x</Response>`, nil, "malformed TwiML"},
		{"UnknownVerb", `<Response><Dance/></Response>`, nil, "unknown verb <Dance>"},
		{"LoopNamesTheFlag", `<Response><Redirect>/a/start</Redirect></Response>`, []string{"--max-requests", "3"},
			"the call made 3 requests without ending: a loop? (--max-requests)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml")
				io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			args := append([]string{"simulate", "--url", srv.URL + "/a/start", "--token", testToken}, tt.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 1 and stderr saying %q\n%s%s", code, tt.want, stdout, stderr)
			}
		})
	}
}

func TestSimulateVerboseLogsEachRequest(t *testing.T) {
	code, _, stderr := runCLI(t, "simulate", "--verbose", "--press", "0")
	if code != 0 || strings.Count(stderr, "→ POST http://127.0.0.1:") != 2 || strings.Count(stderr, "← 200 OK text/xml") != 2 {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestSimulateInteractiveReadsAnswersFromTheKeyboard(t *testing.T) {
	cfg, code, ok := parseSimulate([]string{"--interactive", "--press", "2"}, func(string) string { return "" }, io.Discard, io.Discard)
	if !ok {
		t.Fatalf("parse: exit %d", code)
	}
	var out, prompts bytes.Buffer
	if code := simulate(context.Background(), cfg, strings.NewReader("billing\n"), &out, &prompts); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), prompts.String())
	}
	if got := out.String(); !strings.Contains(got, "GATHER pressed 2\n") || !strings.Contains(got, "GATHER said billing\nSAY Connecting you to billing.\nDIAL +15555550112\n") {
		t.Errorf("transcript:\n%s", got)
	}
	if n := strings.Count(prompts.String(), "? press digits"); n != 1 {
		t.Errorf("prompted %d times, want 1:\n%s", n, prompts.String())
	}
}

func TestSimulateInteractiveEmptyLineIsSilence(t *testing.T) {
	cfg, _, _ := parseSimulate([]string{"--interactive"}, func(string) string { return "" }, io.Discard, io.Discard)
	var out bytes.Buffer
	if code := simulate(context.Background(), cfg, strings.NewReader("\n7\n"), &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "GATHER no input\n"
	if got := out.String(); !strings.Contains(got, want) || !strings.Contains(got, "GATHER pressed 7\n") || lastLine(got) != "DIAL +15555550100" {
		t.Errorf("transcript:\n%s", got)
	}
}

func TestSimulateUsage(t *testing.T) {
	tests := []struct {
		name  string
		given []string
		want  string // in stderr
	}{
		{"URLAndFlowTogether", []string{"--url", "http://127.0.0.1:1/ivr/welcome", "--token", "t", "--flow", "demo.yaml"}, "leave out --url"},
		{"URLWithoutAnyToken", []string{"--url", "http://127.0.0.1:1/ivr/welcome"}, "--token is required"},
		{"RelativeURL", []string{"--url", "/ivr/welcome", "--token", "t"}, "absolute"},
		{"BadClock", []string{"--at", "monday"}, "RFC 3339"},
		{"UnknownDialStatus", []string{"--dial-status", "ringing"}, "--dial-status must be one of"},
		{"ZeroRequestLimit", []string{"--max-requests", "0"}, "at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envToken, "")
			code, _, stderr := runCLI(t, append([]string{"simulate"}, tt.given...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
}

func TestSimulateBrokenFlowExitsOne(t *testing.T) {
	code, _, stderr := runCLI(t, "simulate", "--flow", "testdata/validate/broken.yaml")
	if code != 1 || !strings.Contains(stderr, "broken.yaml:9:14") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// An agent session is finished by --agent-end with the handoff data the flow's on_end reads, so
// a flow with an agent is tested with no agent running.
func TestSimulateAgentEndFollowsTheHandoff(t *testing.T) {
	flowFile := "../../examples/agent/flow.yaml"
	for _, tt := range []struct {
		name  string
		given []string
		last  string
		holds string
	}{
		{"TransferDialsTheCallCenter", []string{"--agent-end", `{"reason":"transfer"}`}, "DIAL +15555550100", "SAY Connecting you to a person."},
		{"UnknownReasonGoesToDefault", []string{"--agent-end", `{"reason":"weather"}`}, "HANGUP", "SAY Thank you for calling Acme. Goodbye."},
		{"FailedSessionGoesToOnError", []string{"--agent-failed", "--press", "1"}, "HANGUP", "SAY Our assistant is not available right now."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"simulate", "--flow", flowFile, "--press", "0"}, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if got := lastLine(stdout); got != tt.last || !strings.Contains(stdout, tt.holds) || !strings.Contains(stdout, "CONNECT ConversationRelay wss://agent.example.com/relay") {
				t.Errorf("last event %q, want %q and %q in\n%s", got, tt.last, tt.holds, stdout)
			}
		})
	}
	if code, _, stderr := runCLI(t, "simulate", "--flow", flowFile, "--agent-end", "{reason"); code != 2 || !strings.Contains(stderr, "--agent-end must be JSON") {
		t.Errorf("bad --agent-end: exit %d\n%s", code, stderr)
	}
}

// A flow file with a pin menu needs its PIN secrets in-process too, as serve --pins gives them.
func TestSimulateFlowFileWithPINs(t *testing.T) {
	pins := filepath.Join(t.TempDir(), "demo.pins")
	text, err := os.ReadFile("../../demo.pins")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pins, text, 0o600); err != nil {
		t.Fatal(err)
	}
	staff := []string{"simulate", "--flow", "../../demo.yaml", "--pins", pins, "--from", "+15555550123", "--attest", "A", "--press", "6", "--press", "2468", "--press", "0101"}
	code, stdout, stderr := runCLI(t, staff...)
	if code != 0 || lastLine(stdout) != "DIAL +15555550121" {
		t.Errorf("exit %d, last event %q, want the extension's DIAL +15555550121\n%s%s", code, lastLine(stdout), stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "simulate", "--url", "http://127.0.0.1:1/ivr/welcome", "--token", "t", "--pins", pins); code != 2 || !strings.Contains(stderr, "--pins and --at serve the flow in this process") {
		t.Errorf("--pins with --url: exit %d, %q; want a usage error naming --pins", code, stderr)
	}
}

func TestSimulateStubsTheFlowsBackends(t *testing.T) {
	const flow = "testdata/simulate/bank.yaml"
	tests := []struct {
		name    string
		backend string
		want    string // the transcript
	}{
		{"AStubAnswersTheFetch", "bank=testdata/simulate/bank-overdrawn.json",
			"SAY Your balance is minus $12.50.\nSAY Your account is overdrawn.\nHANGUP\n"},
		{"AFailingStubIsTheOnError", "bank=fail", "SAY We cannot reach your account right now.\nHANGUP\n"},
		{"AnAnswerOfTheWrongTypeIsTheOnError", "bank=testdata/simulate/bank-malformed.json", "SAY We cannot reach your account right now.\nHANGUP\n"},
		{"AnUnstubbedBackendIsNeverCalledAndFails", "", "SAY We cannot reach your account right now.\nHANGUP\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"simulate", "--flow", flow}
			if tt.backend != "" {
				args = append(args, "--backend", tt.backend)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if stdout != tt.want {
				t.Errorf("heard\n%s\nwant\n%s", stdout, tt.want)
			}
		})
	}
	for _, bad := range []string{"bank", "=x", "bank="} {
		if code, _, stderr := runCLI(t, "simulate", "--flow", flow, "--backend", bad); code != 2 || !strings.Contains(stderr, "NAME=FILE") {
			t.Errorf("--backend %q: exit %d, %s", bad, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "simulate", "--flow", flow, "--backend", "bank=testdata/simulate/nope.json"); code != 1 || !strings.Contains(stderr, "--backend bank") {
		t.Errorf("a missing stub file: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "simulate", "--flow", flow, "--backend", "other=fail"); code != 1 || !strings.Contains(stderr, `backend "other" is stubbed, but the flow declares no backend of that name`) {
		t.Errorf("a stub of an undeclared backend: exit %d, %s", code, stderr)
	}
}
