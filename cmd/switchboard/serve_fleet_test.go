package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

func TestServeReadsTheSharedStateURLFromTheEnvironmentAndTheFlagWins(t *testing.T) {
	cfg, err := parseServe(nil, env(map[string]string{envStateRedis: "redis://env:6379/0"}), io.Discard)
	if err != nil || cfg.stateRedis != "redis://env:6379/0" {
		t.Errorf("from %s: %q, %v", envStateRedis, cfg.stateRedis, err)
	}
	cfg, err = parseServe([]string{"--state-redis", "redis://flag:6379/1"}, env(map[string]string{envStateRedis: "redis://env:6379/0"}), io.Discard)
	if err != nil || cfg.stateRedis != "redis://flag:6379/1" {
		t.Errorf("--state-redis should win: %q, %v", cfg.stateRedis, err)
	}
}

// readyz returns the status and the degraded dependencies /readyz reports.
func readyz(t *testing.T, addr string) (int, string, map[string]string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status   string            `json:"status"`
		Degraded map[string]string `json:"degraded"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body.Status, body.Degraded
}

// signedCall posts a signed first request of a call to the server and returns the first thing
// the caller hears.
func signedCall(t *testing.T, addr, callSID string) string {
	t.Helper()
	params := principalstest.CallParams("+15555550142", "CallSid", callSID)
	r := principalstest.NewPOST(testToken, "http://"+addr+"/ivr/welcome", params)
	r.RequestURI = ""
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("status %d %s: a voice route answers 200 TwiML whatever happens", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

func TestServeWithItsRedisDownStartsDegradedAndReplayProtectedCallsHearTheInternalFlow(t *testing.T) {
	// Nothing listens on port 1 of loopback.
	r := startServe(t, []string{"--state-redis", "redis://127.0.0.1:1/0", "--replay-protection"}, map[string]string{envToken: testToken})
	code, status, degraded := readyz(t, r.addr)
	if code != http.StatusOK || status != "degraded" || !strings.Contains(degraded["redis"], "replay-protected calls hear the internal flow") {
		t.Errorf("/readyz: %d %s %v, want 200, degraded, and what redis being down means", code, status, degraded)
	}
	if got := signedCall(t, r.addr, "CA00000000000000000000000000000001"); !strings.Contains(got, "something went wrong") {
		t.Errorf("a replay-protected call with Redis down heard:\n%s\nwant the internal flow", got)
	}
	if logs := r.logs.String(); !strings.Contains(logs, "starting without shared state") || !strings.Contains(logs, "redis unreachable") {
		t.Errorf("the log does not say that Redis is down:\n%s", logs)
	}
}

func TestServeWithRedisSharesReplayProtectionBetweenReplicas(t *testing.T) {
	url := os.Getenv("SWITCHBOARD_TEST_REDIS")
	if url == "" {
		t.Skip("SWITCHBOARD_TEST_REDIS is not set: no Redis to test against (.ci/services.sh run go test ./... starts one)")
	}
	vars := map[string]string{envToken: testToken, envStateKey: strings.Repeat("ab", 32), envPublicURL: "https://ivr.example.com"}
	a := startServe(t, []string{"--state-redis", url, "--replay-protection"}, vars)
	b := startServe(t, []string{"--state-redis", url, "--replay-protection"}, vars)
	if code, status, degraded := readyz(t, a.addr); code != http.StatusOK || status != "ready" {
		t.Fatalf("/readyz: %d %s %v", code, status, degraded)
	}
	// Both replicas check signatures against the public URL, so one signed request fits both.
	params := principalstest.CallParams("+15555550142", "CallSid", "CA"+strings.Repeat("7", 32)+time.Now().Format("150405.000000"))
	send := func(addr string) string {
		r := principalstest.NewPOST(testToken, "https://ivr.example.com/ivr/welcome", params)
		r.Header.Set("I-Twilio-Idempotency-Token", params.Get("CallSid"))
		r.URL.Scheme, r.URL.Host, r.Host, r.RequestURI = "http", addr, "ivr.example.com", ""
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if got := send(a.addr); !strings.Contains(got, "<Gather") {
		t.Fatalf("the first delivery on replica A heard:\n%s\nwant the menu", got)
	}
	if got := send(b.addr); !strings.Contains(got, "cannot take your call") {
		t.Errorf("the same request on replica B heard:\n%s\nwant the refusal: A served it already", got)
	}
}
