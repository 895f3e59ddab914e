package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/outbound/outboundtest"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const testAccountSID = "AC0123456789abcdef0123456789abcdef"

// outboundFlow is a line whose reminder menu outbound calls enter, asking for status callbacks.
const outboundFlow = `version: 1
start: welcome
entries: [reminder]
dial_allow: ["+1555", "+44"]
max_call_seconds: 600
callbacks: {status: true}
menus:
  welcome: {say: Welcome., goto: inside}
  inside: {say: Inside., hangup: true}
  reminder: {say: Your appointment is tomorrow., hangup: true}
`

func TestServeStartsAnOutboundCallThroughTwilio(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	flowFile := filepath.Join(t.TempDir(), "flow.yaml")
	if err := os.WriteFile(flowFile, []byte(outboundFlow), 0o600); err != nil {
		t.Fatal(err)
	}
	// The built-in policy: operators may call, Twilio may report callbacks.
	r := startServe(t, []string{"--flow", flowFile, "--keys", keysFile(t), "--public-url", "https://ivr.example.com", "--dial-allow", "+1",
		"--twilio-api-url", tw.URL, "--caller-id", "+15555550100", "--callbacks", "log"},
		map[string]string{envToken: testToken, envAccountSID: testAccountSID, envStateKey: strings.Repeat("ab", 32)})
	post := func(body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+"/calls", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+operatorKey)
		req.Header.Set("Content-Type", "application/json")
		// The server checks signatures against --public-url; an API key is not a signature.
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	code, body := post(`{"to": "+15555550142", "menu": "reminder"}`)
	if code != http.StatusCreated {
		t.Fatalf("POST /calls: %d %s\nlogs:\n%s", code, body, r.logs)
	}
	var resp struct{ SID, Status, To, URL string }
	if err := json.Unmarshal([]byte(body), &resp); err != nil || resp.SID != outboundtest.CallSID || resp.URL != "https://ivr.example.com/ivr/reminder" {
		t.Errorf("POST /calls answered %s (%v)", body, err)
	}
	reqs := tw.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the stand-in Twilio received %d requests, want 1", len(reqs))
	}
	form := reqs[0].Form
	for _, c := range []struct{ field, got, want string }{
		{"path", reqs[0].Path, "/2010-04-01/Accounts/" + testAccountSID + "/Calls.json"},
		{"user", reqs[0].User, testAccountSID},
		{"To", form.Get("To"), "+15555550142"},
		{"From", form.Get("From"), "+15555550100"},
		{"Url", form.Get("Url"), "https://ivr.example.com/ivr/reminder"},
		{"Method", form.Get("Method"), "POST"},
		{"TimeLimit", form.Get("TimeLimit"), "600"},
		{"StatusCallback", form.Get("StatusCallback"), "https://ivr.example.com/callbacks/status"},
		{"StatusCallbackEvent", strings.Join(form["StatusCallbackEvent"], " "), "initiated ringing answered completed"},
	} {
		if c.got != c.want {
			t.Errorf("the stand-in Twilio received %s %q, want %q", c.field, c.got, c.want)
		}
	}

	// Twilio reports the call's progress to the StatusCallback it was given, out of order.
	for _, ev := range []struct{ seq, status string }{{"1", "ringing"}, {"0", "initiated"}} {
		req := principalstest.NewPOST(testToken, "https://ivr.example.com/callbacks/status",
			url.Values{"CallSid": {resp.SID}, "SequenceNumber": {ev.seq}, "CallStatus": {ev.status}})
		req.URL.Scheme, req.URL.Host, req.Host, req.RequestURI = "http", r.addr, r.addr, ""
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status callback %s: %d\n%s", ev.seq, res.StatusCode, r.logs)
		}
	}
	logs := r.logs.String()
	first := strings.Index(logs, "msg=callback kind=status call_sid="+resp.SID+" status=initiated")
	second := strings.Index(logs, "msg=callback kind=status call_sid="+resp.SID+" status=ringing")
	if first < 0 || second < first {
		t.Errorf("the status callbacks are not logged in order with the call SID:\n%s", logs)
	}

	for _, tt := range []struct{ body, want string }{
		{`{"to": "+442071838750", "menu": "reminder"}`, "the server's dial allowlist"}, // flow allows +44, --dial-allow does not
		{`{"to": "+12125550100", "menu": "reminder"}`, "the flow's dial_allow"},        // --dial-allow allows +1, the flow only +1555
		{`{"to": "+15555550143", "menu": "inside"}`, "welcome, reminder"},              // not where calls may enter
	} {
		if code, body := post(tt.body); code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
			t.Errorf("POST /calls %s: %d %s, want 400 naming %q", tt.body, code, body, tt.want)
		}
	}
	if len(tw.Requests()) != 1 {
		t.Errorf("a refused call reached Twilio")
	}
}

func TestServeRefusesABadDialAllow(t *testing.T) {
	cfg, err := parseServe([]string{"--addr", "127.0.0.1:0", "--public-url", "https://ivr.example.com", "--dial-allow", "UK", "--caller-id", "+15555550100"},
		env(map[string]string{envToken: testToken, envAccountSID: testAccountSID, envStateKey: strings.Repeat("ab", 32)}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, logs syncBuffer
	code := serve(t.Context(), cfg, &stdout, &logs, func(addr string) { t.Errorf("serve listened on %s", addr) })
	if code == 0 || !strings.Contains(logs.String(), "--dial-allow") {
		t.Errorf("serve exited %d with logs:\n%s\nwant a refusal naming --dial-allow", code, logs.String())
	}
}

func TestServeAnswersAndLogsACallbackWhenAsked(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "policy.csv")
	if err := os.WriteFile(policy, []byte("p, twilio, /ivr/*, view, allow\np, twilio, /callbacks/*, callback, allow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startServe(t, []string{"--callbacks", "log", "--policy", policy}, map[string]string{envToken: testToken})
	target := "http://" + r.addr + "/callbacks/recording"
	form := url.Values{"CallSid": {"CA77"}, "RecordingSid": {"RE1"}, "RecordingStatus": {"completed"}, "RecordingUrl": {"https://api.twilio.com/r/RE1"}}
	req := principalstest.NewPOST(testToken, target, form)
	req.RequestURI = ""
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("callback: %d %q, want an empty 200\n%s", resp.StatusCode, body, r.logs)
	}
	if !strings.Contains(r.logs.String(), "msg=callback kind=recording call_sid=CA77") {
		t.Errorf("no log line for the callback:\n%s", r.logs)
	}
}

func TestServeWarnsWhenTheFlowAsksForCallbacksItDoesNotServe(t *testing.T) {
	flowFile := filepath.Join(t.TempDir(), "flow.yaml")
	if err := os.WriteFile(flowFile, []byte(outboundFlow), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startServe(t, []string{"--flow", flowFile}, map[string]string{envToken: testToken})
	if logs := r.logs.String(); !strings.Contains(logs, "the flow asks Twilio for callbacks") || !strings.Contains(logs, "--callbacks is empty") {
		t.Errorf("no warning that /callbacks/* is not served:\n%s", logs)
	}
}
