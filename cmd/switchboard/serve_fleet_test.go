package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/pgpolicy/pgpolicytest"
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

func TestServeRefusesToStartWithoutItsPolicyDatabase(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"Unreachable", []string{"--policy-db", "postgres://u:hunter2@127.0.0.1:1/ivr?connect_timeout=1"}, "--policy-db: pgpolicy: the policy database at 127.0.0.1:1/ivr does not answer"},
		{"BothPolicies", []string{"--policy-db", "postgres://u@127.0.0.1:1/ivr", "--policy", "policy.csv"}, "--policy and --policy-db are both set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseServe(append([]string{"--addr", "127.0.0.1:0"}, tt.args...), env(map[string]string{envToken: testToken}), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var stdout, logs syncBuffer
			code := serve(t.Context(), cfg, &stdout, &logs, func(addr string) { t.Errorf("serve listened on %s", addr) })
			if code != 1 || !strings.Contains(logs.String(), tt.want) || strings.Contains(logs.String(), "hunter2") {
				t.Errorf("exit %d, log:\n%s\nwant 1 and %q, without the password", code, logs.String(), tt.want)
			}
		})
	}
}

func TestServeRefusesAnEmptyPolicyDatabase(t *testing.T) {
	db := pgpolicytest.NewDatabase(t)
	cfg, err := parseServe([]string{"--addr", "127.0.0.1:0", "--policy-db", db}, env(map[string]string{envToken: testToken}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, logs syncBuffer
	if code := serve(t.Context(), cfg, &stdout, &logs, nil); code != 1 || !strings.Contains(logs.String(), "switchboard policy import") {
		t.Errorf("exit %d, log:\n%s\nwant a refusal that says how to fill the database", code, logs.String())
	}
}

func TestServeWithAPolicyDatabaseAppliesABlockAndNamesTheRule(t *testing.T) {
	db := importDefault(t)
	r := startServe(t, []string{"--policy-db", db, "--log-numbers"}, map[string]string{envToken: testToken})
	if got := signedCall(t, r.addr, "CA00000000000000000000000000000002"); !strings.Contains(got, "<Gather") {
		t.Fatalf("before the block, the caller heard:\n%s", got)
	}
	if code, out, errs := sb(t, "block", "+15555550142", "--policy-db", db); code != 0 {
		t.Fatalf("block: exit %d\n%s%s", code, out, errs)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if got := signedCall(t, r.addr, "CA00000000000000000000000000000003"); strings.Contains(got, "cannot take your call") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server still serves the number 5 s after the block:\n%s", r.logs)
		}
	}
	if logs := r.logs.String(); !strings.Contains(logs, `denied by policy-db rule `) || !strings.Contains(logs, `\"p, group:blocked, /ivr/*, *, deny\"`) {
		t.Errorf("the refusal's log line does not name the deciding rule by id and text:\n%s", logs)
	}
}

func TestStateRedisSharesEveryPieceOfShortLivedState(t *testing.T) {
	for _, replay := range []bool{false, true} {
		var opts framework.Options
		store, closeShared, err := sharedOptions(serveConfig{stateRedis: "redis://127.0.0.1:1/0", replay: replay}, slog.New(slog.DiscardHandler), &opts)
		if err != nil {
			t.Fatal(err)
		}
		if store == nil || opts.FailedAuthStore == nil || opts.PINAttempts == nil || len(opts.Dependencies) != 1 || (opts.Replay != nil) != replay {
			t.Errorf("replay %v: failed-auth store %v, PIN attempts %v, dependencies %d, replay cache %v; want all shared (replay only when on)",
				replay, opts.FailedAuthStore, opts.PINAttempts, len(opts.Dependencies), opts.Replay)
		}
		closeShared()
	}
}
