package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

func TestServeReadsTheSignatureSettingsFromTheEnvironmentAndAFlagWins(t *testing.T) {
	vars := map[string]string{envAllowedHosts: "ivr.example.com, staging.example.com:8443", envBasicAuth: "env.basic", envSharedKeys: "sk-1=secret-one"}
	cfg, err := parseServe(nil, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.sig.hosts(); !slices.Equal(got, []string{"ivr.example.com", "staging.example.com:8443"}) || cfg.sig.basicAuth != "env.basic" {
		t.Errorf("from the environment: hosts %q, basic auth %q", got, cfg.sig.basicAuth)
	}
	keys, err := cfg.sig.shared()
	if err != nil || len(keys) != 1 || keys["sk-1"].Reveal() != "secret-one" {
		t.Errorf("%s: %v, %v", envSharedKeys, keys, err)
	}
	cfg, err = parseServe([]string{"--allowed-host", "a.example.com", "--allowed-host", "b.example.com", "--basic-auth", "flag.basic"}, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.sig.hosts(); !slices.Equal(got, []string{"a.example.com", "b.example.com"}) || cfg.sig.basicAuth != "flag.basic" {
		t.Errorf("flags should replace their variables: hosts %q, basic auth %q", got, cfg.sig.basicAuth)
	}
}

func TestServeWarnsWhenARealTokenIsNotBoundToThisServer(t *testing.T) {
	const warning = "SIGNATURES ARE NOT BOUND TO THIS SERVER"
	tests := []struct {
		name string
		args []string
		vars map[string]string
		warn bool
	}{
		{"TokenAlone", nil, map[string]string{envToken: testToken}, true},
		{"TokenAndAllowedHost", []string{"--allowed-host", "ivr.example.com"}, map[string]string{envToken: testToken}, false},
		{"TokenAndPublicURL", []string{"--public-url", "https://ivr.example.com"}, map[string]string{envToken: testToken, "SWITCHBOARD_STATE_KEY": strings.Repeat("ab", 32)}, false},
		{"DevelopmentToken", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startServe(t, tt.args, tt.vars)
			r.stop(t)
			if got := strings.Contains(r.logs.String(), warning); got != tt.warn {
				t.Errorf("warned = %v, want %v:\n%s", got, tt.warn, r.logs)
			}
		})
	}
}

func TestServeRefusesBadSignatureSettings(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open.basic")
	if err := os.WriteFile(open, []byte("hook "+principals.HashAPIKey("p")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.basic")
	if err := os.WriteFile(broken, []byte("hook sha256:nothex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		given []string
		env   map[string]string
		want  string
	}{
		{"BasicAuthFileReadableByOthers", []string{"--basic-auth", open}, map[string]string{envToken: testToken}, "chmod 600"},
		{"BasicAuthFileMissing", []string{"--basic-auth", filepath.Join(dir, "missing")}, map[string]string{envToken: testToken}, "no such file"},
		{"BasicAuthFileBroken", []string{"--basic-auth", broken}, map[string]string{envToken: testToken}, "broken.basic:1: hash of"},
		{"SharedKeysNotPairs", nil, map[string]string{envToken: testToken, envSharedKeys: "sk-1"}, envSharedKeys + ": entry 1 is not name=secret"},
		{"AllowedHostWithAScheme", []string{"--allowed-host", "https://ivr.example.com"}, map[string]string{envToken: testToken}, "AllowedHosts[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseServe(append([]string{"--addr", "127.0.0.1:0"}, tt.given...), env(tt.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var stdout, logs bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if code := serve(ctx, cfg, &stdout, &logs, func(addr string) { t.Errorf("serve listened on %s", addr) }); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(logs.String(), "refusing to start") || !strings.Contains(logs.String(), tt.want) {
				t.Errorf("log does not say %q:\n%s", tt.want, logs.String())
			}
		})
	}
}

// A webhook URL with credentials, end to end: Twilio signs http://hook:<pass>@<addr>/ivr/welcome
// and sends the credentials as Basic; the request holds twilio and basic:hook. A host not in
// --allowed-host is refused with its reason in the log.
func TestServeVerifiesCredentialedURLsAndAllowedHosts(t *testing.T) {
	const pass = "a-long-random-password"
	file := filepath.Join(t.TempDir(), "webhooks.basic")
	if err := os.WriteFile(file, []byte("hook "+principals.HashAPIKey(pass)+" webhooks\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	policy, err := os.ReadFile("../../policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	policyFile := filepath.Join(t.TempDir(), "policy.csv")
	policy = append(policy, "\n# Twilio must sign a URL with the webhook credentials:\np, basic:anonymous, /ivr/*, *, deny\n"...)
	if err := os.WriteFile(policyFile, policy, 0o600); err != nil {
		t.Fatal(err)
	}
	r := startServe(t, []string{"--basic-auth", file, "--policy", policyFile, "--allowed-host", "127.0.0.1", "--log-format", "json"}, map[string]string{envToken: testToken})
	postAs := func(host, creds string) *http.Response {
		t.Helper()
		params := principalstest.CallParams("+15555550142")
		signed := "http://" + creds + host + "/ivr/welcome"
		req, err := http.NewRequest(http.MethodPost, "http://"+r.addr+"/ivr/welcome", strings.NewReader(params.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", principalstest.Sign(testToken, signed, params))
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("hook:"+pass)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	post := func(host string) *http.Response { return postAs(host, "hook:"+pass+"@") }
	resp := post(r.addr)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "could not verify") || strings.Contains(string(body), "cannot take your call") {
		t.Errorf("a request signed over a credentialed URL heard an error flow: %s", body)
	}
	resp = postAs(r.addr, "")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "cannot take your call") {
		t.Errorf("a request signed without the credentials did not hear the forbidden flow: %s", body)
	}
	resp = post("staging.example.com")
	resp.Body.Close()
	r.stop(t)
	logs := r.logs.String()
	if !strings.Contains(logs, `"basic:hook"`) || !strings.Contains(logs, `"twilio"`) {
		t.Errorf("the credentialed request does not hold twilio and basic:hook:\n%s", logs)
	}
	if !strings.Contains(logs, "host is not one of the allowed hosts") {
		t.Errorf("the request for another host was not refused with its reason:\n%s", logs)
	}
}
