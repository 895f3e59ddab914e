package console_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/console"
)

func newConsole(t *testing.T, opts *console.Options) *console.Console {
	t.Helper()
	c, err := console.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// do sends a request to h and returns the status and body.
func do(t *testing.T, h http.Handler, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

type callAnswer struct {
	Lines   []string
	Path    []string
	Current string
	Waiting *struct {
		NumDigits   int
		FinishOnKey string
		Input       string
		Sensitive   bool
	}
	Ended, Error string
}

func call(t *testing.T, h http.Handler, body string) callAnswer {
	t.Helper()
	code, out := do(t, h, http.MethodPost, "/api/call", body)
	if code != http.StatusOK {
		t.Fatalf("POST /api/call %s: %d %s", body, code, out)
	}
	var a callAnswer
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestThePhoneWalksTheDemoAsSimulateDoes(t *testing.T) {
	c := newConsole(t, nil)
	tests := []struct {
		name      string
		given     string
		wantLast  string
		wantPath  []string // node names, resolved below
		wantWait  int      // the numDigits of the gather waited at; -1 when the call ended
		sensitive bool
	}{
		{"NoAnswerYetWaitsAtTheWelcomeGather", `{"answers":[]}`, "SAY Para español, oprima 5.", []string{"welcome"}, 1, false},
		{"TwoThenOneDialsBilling", `{"answers":[{"press":"2"},{"press":"1"}]}`, "DIAL +15555550112", []string{"welcome", "support", "dial +15555550112"}, -1, false},
		{"SpeechChoosesBilling", `{"answers":[{"press":"2"},{"say":"billing"}]}`, "DIAL +15555550112", []string{"welcome", "support", "dial +15555550112"}, -1, false},
		{"AStrangerIsRefusedTheStaffLogin", `{"answers":[{"press":"6"}]}`, "DIAL +15555550100", []string{"welcome", "staff_login", "dial +15555550100"}, -1, false},
		{"ASpoofedStaffNumberIsRefusedTheStaffLogin", `{"from":"+15555550123","answers":[{"press":"6"}]}`, "DIAL +15555550100", []string{"welcome", "staff_login", "dial +15555550100"}, -1, false},
		{"AttestedStaffWaitForFourDigitsAfterThePINAndMasksThem", `{"from":"+15555550123","attest":"A","answers":[{"press":"6"},{"press":"2468"}]}`, "SAY Staff line. Enter the four digit extension.", []string{"welcome", "staff_login", "staff"}, 4, true},
		{"TheExtensionIsMaskedInTheTranscript", `{"from":"+15555550123","attest":"A","answers":[{"press":"6"},{"press":"2468"},{"press":"0101"}]}`, "DIAL +15555550121", []string{"welcome", "staff_login", "staff", "dial +15555550121"}, -1, false},
		{"SilenceRetries", `{"answers":[{}]}`, "SAY Para español, oprima 5.", []string{"welcome"}, 1, false},
		{"ClosedSalesGoesToVoicemail", `{"at":"2026-11-22T10:00","answers":[{"press":"1"}]}`, "HANGUP", []string{"welcome", "sales", "voicemail", "goodbye", "hangup"}, -1, false},
		{"AnAttestedCallerWalksTheSameMenus", `{"from":"+15555550123","attest":"A","answers":[{"press":"2"},{"press":"1"}]}`, "DIAL +15555550112", []string{"welcome", "support", "dial +15555550112"}, -1, false},
		{"HangingUpEndsTheCall", `{"answers":[],"hangup":true}`, "GATHER hung up", []string{"welcome"}, -1, false},
		{"TheSpanishLineAnswersInSpanish", `{"to":"+15555550150","answers":[]}`, "SAY Para ventas, oprima 1. Para soporte, oprima 2. Para nuestro horario, oprima 3. Para dejar un mensaje, oprima 4. Personal, oprima 6. Para hablar con alguien, oprima 0.", []string{"welcome"}, 1, false},
	}
	ids := nodeIDs(t, c)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, c, tt.given)
			if a.Error != "" {
				t.Fatalf("error: %s", a.Error)
			}
			if n := len(a.Lines); n == 0 || !strings.HasPrefix(a.Lines[n-1], tt.wantLast) {
				t.Errorf("transcript ends %q, want %q\n%s", a.Lines, tt.wantLast, strings.Join(a.Lines, "\n"))
			}
			var want []string
			for _, n := range tt.wantPath {
				want = append(want, ids[n])
			}
			if strings.Join(a.Path, ",") != strings.Join(want, ",") || a.Current != want[len(want)-1] {
				t.Errorf("path %v (current %s), want %v", a.Path, a.Current, want)
			}
			switch {
			case tt.wantWait < 0 && a.Waiting != nil:
				t.Errorf("waits at a gather; want the call ended")
			case tt.wantWait >= 0 && (a.Waiting == nil || a.Waiting.NumDigits != tt.wantWait || a.Waiting.Sensitive != tt.sensitive):
				t.Errorf("waiting %+v, want numDigits %d sensitive %v", a.Waiting, tt.wantWait, tt.sensitive)
			}
			for _, l := range a.Lines {
				if strings.Contains(l, "0101") || strings.Contains(l, "2468") {
					t.Errorf("the transcript shows a sensitive menu's digits: %q", l)
				}
			}
		})
	}
}

// nodeIDs maps node names to their diagram IDs, read from the page's node details.
func nodeIDs(t *testing.T, h http.Handler) map[string]string {
	t.Helper()
	_, page := do(t, h, http.MethodGet, "/", "")
	page = html.UnescapeString(page)
	ids := map[string]string{}
	for _, part := range strings.Split(page, `<article class="node-detail" data-node="`)[1:] {
		id, rest, _ := strings.Cut(part, `"`)
		_, rest, _ = strings.Cut(rest, "<h3>")
		name, _, _ := strings.Cut(rest, " <small>")
		ids[name] = id
	}
	if len(ids) < 10 {
		t.Fatalf("found %d nodes in the page", len(ids))
	}
	return ids
}

func TestThePageShowsDiagramMatrixAndNodeDetails(t *testing.T) {
	c := newConsole(t, nil)
	code, page := do(t, c, http.MethodGet, "/", "")
	if code != http.StatusOK {
		t.Fatalf("GET /: %d", code)
	}
	page = html.UnescapeString(page)
	for _, want := range []string{
		`<pre class="dot" hidden>digraph flow {`, `class="menu start"`, `class="menu sensitive"`,
		`<script src="static/vendor/viz-global.js" integrity="sha384-`,
		`<th class="subject"><span>group:staff</span></th>`,
		`<a href="#policy-L13" title="p, group:blocked, /ivr/*, *, deny">✗</a>`,
		`<li id="policy-L6" class="p"><span class="n">6</span><code>p, twilio, /ivr/*, view, allow</code></li>`,
		`<span class="perm">permission: staff</span> <span class="sensitive">sensitive: digits masked</span>`,
		`<b>pin:staff</b> allowed by <a href="#policy-L28">line 28</a> <code>p, pin:staff, /ivr/*, staff, allow</code>`,
		`/ivr/staff/gather — option ••••`,
		`/ivr/sales — on entry, Mon 00:00 EST`, `/ivr/sales — on entry, Mon 09:00 EST`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, secret := range []string{"0101", "0102"} {
		if strings.Contains(page, secret) {
			t.Errorf("the page shows the staff menu's key %s", secret)
		}
	}
}

func TestExplainColorsWhatAPrincipalSetReaches(t *testing.T) {
	c := newConsole(t, nil)
	ids := nodeIDs(t, c)
	tests := []struct {
		given string
		want  map[string]string // node name → verdict on its entry route
	}{
		{"twilio", map[string]string{"welcome": "allow", "staff": "none"}},
		{"twilio caller:+15555550123", map[string]string{"welcome": "allow", "staff_login": "none", "staff": "none"}},
		{"twilio caller-attested:+15555550123", map[string]string{"welcome": "allow", "staff_login": "allow", "staff": "none"}},
		{"twilio caller-attested:+15555550123 pin:staff", map[string]string{"welcome": "allow", "staff_login": "allow", "staff": "allow"}},
		{"twilio, caller:+15555550199", map[string]string{"welcome": "deny", "staff": "deny"}},
	}
	for _, tt := range tests {
		code, out := do(t, c, http.MethodPost, "/api/explain", `{"principals":"`+tt.given+`"}`)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.given, code, out)
		}
		var x struct{ Nodes map[string]string }
		_ = json.Unmarshal([]byte(out), &x)
		for name, want := range tt.want {
			if got := x.Nodes[ids[name]]; got != want {
				t.Errorf("%s on %s: %q, want %q", tt.given, name, got, want)
			}
		}
	}
}

func TestABrokenFileShowsItsProblemsAndKeepsTheLastGoodDiagram(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(path, []byte(switchboard.DemoFlow), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, &console.Options{FlowFile: path, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Watch(ctx, 10*time.Millisecond)

	broken := strings.Replace(switchboard.DemoFlow, `"2": support`, `"2": nowhere`, 1)
	replace(t, path, broken+"\n")
	st := waitState(t, c, 1)
	if st.OK || !strings.Contains(st.Parts["problems"], `<code class="where">`+path+`:40:14</code>`) || !strings.Contains(st.Parts["problems"], `no menu is named &#34;nowhere&#34;`) {
		t.Errorf("broken: ok=%v problems:\n%s", st.OK, st.Parts["problems"])
	}
	if !strings.Contains(st.Parts["diagram"], `<pre class="dot" hidden>digraph flow {`) {
		t.Error("the last good diagram is gone")
	}
	if code, _ := do(t, c, http.MethodPost, "/api/call", `{"answers":[{"press":"2"}]}`); code != http.StatusOK {
		t.Errorf("the phone stopped working on the last good flow: %d", code)
	}

	replace(t, path, switchboard.DemoFlow)
	st = waitState(t, c, st.Version)
	if !st.OK || strings.Contains(st.Parts["problems"], "error") {
		t.Errorf("fixed: ok=%v problems:\n%s", st.OK, st.Parts["problems"])
	}
}

// replace writes the file at path as an editor does: a new file renamed over the old one.
func replace(t *testing.T, path, text string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

type state struct {
	Version int64
	OK      bool
	Parts   map[string]string
}

// waitState polls /api/state until the version passes since.
func waitState(t *testing.T, h http.Handler, since int64) state {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		_, out := do(t, h, http.MethodGet, "/api/state?since="+itoa(since), "")
		var st state
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatal(err)
		}
		if st.Version != since && st.Parts != nil {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the console did not reload within 5 s")
	return state{}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestTheAPIRefusesWhatItDoesNotExpect(t *testing.T) {
	c := newConsole(t, nil)
	tests := []struct {
		name, method, path, body, contentType string
		want                                  int
	}{
		{"FormPostIsRefused", http.MethodPost, "/api/call", `answers=2`, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"UnknownFieldIsRefused", http.MethodPost, "/api/call", `{"token":"x"}`, "application/json", http.StatusBadRequest},
		{"LettersAreNoDigits", http.MethodPost, "/api/call", `{"answers":[{"press":"12a"}]}`, "application/json", http.StatusBadRequest},
		{"AnUnknownAttestationIsRefused", http.MethodPost, "/api/call", `{"attest":"TN-Validation-Passed-A"}`, "application/json", http.StatusBadRequest},
		{"ANumberMustBeE164", http.MethodPost, "/api/call", `{"from":"555-0100"}`, "application/json", http.StatusBadRequest},
		{"TheCalledNumberMustBeE164", http.MethodPost, "/api/call", `{"to":"anonymous"}`, "application/json", http.StatusBadRequest},
		{"AnOversizedBodyIsRefused", http.MethodPost, "/api/call", `{"from":"` + strings.Repeat("1", 20000) + `"}`, "application/json", http.StatusBadRequest},
		{"NoPrincipalsIsRefused", http.MethodPost, "/api/explain", `{"principals":" "}`, "application/json", http.StatusBadRequest},
		{"UnknownPathIsNotFound", http.MethodGet, "/api/nothing", "", "", http.StatusNotFound},
		{"TheTemplateIsNoAsset", http.MethodGet, "/static/page.html", "", "", http.StatusNotFound},
		{"NoFolderIsListed", http.MethodGet, "/static/vendor/", "", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			w := httptest.NewRecorder()
			c.ServeHTTP(w, req)
			if w.Code != tt.want || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
				t.Errorf("%d %s %s, want %d and a JSON problem", w.Code, w.Header().Get("Content-Type"), w.Body, tt.want)
			}
		})
	}
}

func TestLoopbackRefusesOtherHostNames(t *testing.T) {
	h := console.Loopback(newConsole(t, nil))
	for host, want := range map[string]int{
		"127.0.0.1:8081": http.StatusOK, "localhost:8081": http.StatusOK, "[::1]:8081": http.StatusOK,
		"evil.example:8081": http.StatusMisdirectedRequest, "10.0.0.1": http.StatusMisdirectedRequest,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != want {
			t.Errorf("Host %s: %d, want %d", host, w.Code, want)
		}
	}
}

func TestMaskNumbersMasksThePolicy(t *testing.T) {
	c := newConsole(t, &console.Options{MaskNumbers: true})
	_, page := do(t, c, http.MethodGet, "/", "")
	page = html.UnescapeString(page)
	if strings.Contains(page, "+15555550123") || strings.Contains(page, "+15555550199") {
		t.Error("the page shows a caller's number in full")
	}
	if !strings.Contains(page, "g, caller-attested:+1555***0123, group:staff") {
		t.Error("the policy listing lacks the masked grouping line")
	}
}

// A flow file's pin menus check the PIN secrets of PINsFile; without it no PIN is right.
func TestAFlowFileChecksPINsFromPINsFile(t *testing.T) {
	pins := filepath.Join(t.TempDir(), "demo.pins")
	text, err := os.ReadFile("../demo.pins")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pins, text, 0o600); err != nil {
		t.Fatal(err)
	}
	const staff = `{"from":"+15555550123","attest":"A","answers":[{"press":"6"},{"press":"2468"},{"press":"0101"}]}`
	with := newConsole(t, &console.Options{FlowFile: "../demo.yaml", PINsFile: pins})
	if a := call(t, with, staff); a.Error != "" || len(a.Lines) == 0 || a.Lines[len(a.Lines)-1] != "DIAL +15555550121" {
		t.Errorf("with PINsFile: %+v, want the extension's DIAL +15555550121", a)
	}
	without := newConsole(t, &console.Options{FlowFile: "../demo.yaml"})
	if a := call(t, without, staff); len(a.Lines) > 0 && a.Lines[len(a.Lines)-1] == "DIAL +15555550121" {
		t.Errorf("without PINsFile the PIN 2468 opened the staff menu: %+v", a)
	}
}

// The phone finishes an agent session with the handoff data the page gives, as simulate
// --agent-end does, and refuses data that is not JSON.
func TestThePhoneEndsAnAgentSessionWithHandoffData(t *testing.T) {
	c := newConsole(t, &console.Options{FlowFile: "../examples/agent/flow.yaml"})
	a := call(t, c, `{"answers":[{"press":"0"}],"agent_end":"{\"reason\":\"transfer\"}"}`)
	joined := strings.Join(a.Lines, "\n")
	if !strings.Contains(joined, "Connecting you to a person.") || !strings.Contains(joined, "+15555550100") {
		t.Errorf("the transfer was not heard:\n%s", joined)
	}
	if code, out := do(t, c, http.MethodPost, "/api/call", `{"answers":[{"press":"0"}],"agent_end":"{reason"}`); code != http.StatusBadRequest || !strings.Contains(out, "handoff data must be JSON") {
		t.Errorf("bad handoff data: %d %s", code, out)
	}
}
