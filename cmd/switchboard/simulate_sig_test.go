package main

import (
	"strings"
	"testing"
)

// A server behind a proxy: it checks signatures for its public URL and refuses replays. The
// caller connects to the loopback address, signs for the public URL, and presses the same key on
// the same menu twice — two requests with the same URL, form and signature, told apart by their
// I-Twilio-Idempotency-Token as Twilio's are.
func TestSimulateSignsForThePublicURLAndSurvivesReplayProtection(t *testing.T) {
	r := startServe(t, []string{"--public-url", "https://ivr.example.com", "--replay-protection"},
		map[string]string{envToken: testToken, "SWITCHBOARD_STATE_KEY": strings.Repeat("cd", 32)})
	url := "http://" + r.addr + "/ivr/welcome"
	code, stdout, stderr := runCLI(t, "simulate", "--url", url, "--public-url", "https://ivr.example.com", "--token", testToken,
		"--attest", "A", "--press", "3", "--press", "3", "--press", "0")
	if code != 0 || lastLine(stdout) != "DIAL +15555550100" || strings.Count(stdout, "SAY We are open nine to five") != 2 {
		t.Errorf("exit %d, want the hours twice then the call center:\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "simulate", "--url", url, "--token", testToken, "--press", "0")
	if code != 0 || !strings.Contains(stdout, "could not verify") {
		t.Errorf("signed for the loopback URL, not the public one: exit %d, want the unauthenticated flow:\n%s", code, stdout)
	}
	r.stop(t)
}

func TestSimulateRefusesBadSignatureFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "--attest", "D"}, "--attest must be A, B, C or none"},
		{[]string{"simulate", "--public-url", "https://ivr.example.com"}, "give --url too"},
	} {
		if code, _, stderr := runCLI(t, tc.args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
